from __future__ import annotations

from django.urls import path

from attestly.controls import views

app_name = "controls"

urlpatterns = [
    path("library/", views.library_list, name="library"),
    path("library/<str:ref>/", views.library_detail, name="library-detail"),
    path("library/<str:ref>/add/", views.library_add, name="library-add"),
    path("controls/", views.control_list, name="list"),
    path("controls/<str:ref>/", views.control_detail, name="detail"),
    path("controls/<str:ref>/edit/", views.control_edit, name="edit"),
    path("mappings/", views.mapping_view, name="mappings"),
]
