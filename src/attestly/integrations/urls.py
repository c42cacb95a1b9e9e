from __future__ import annotations

from django.urls import path

from attestly.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="list"),
    path("connections/<int:pk>/", views.connection_detail, name="connection"),
    path("connections/<int:pk>/edit/", views.connection_edit, name="connection-edit"),
    path("connections/<int:pk>/test/", views.connection_test, name="connection-test"),
    path("connections/<int:pk>/collect/", views.connection_collect, name="connection-collect"),
    path("connections/<int:pk>/runs/<int:run_id>/", views.run_status, name="run-status"),
    path("<str:slug>/connect/", views.connect, name="connect"),
]
