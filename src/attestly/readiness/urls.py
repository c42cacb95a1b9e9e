from __future__ import annotations

from django.urls import path

from attestly.readiness import views

app_name = "readiness"

urlpatterns = [
    path("readiness/", views.readiness_page, name="page"),
]
