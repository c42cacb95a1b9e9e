from __future__ import annotations

from django.urls import path

from attestly.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.evidence_upload, name="upload"),
    path("<int:pk>/", views.evidence_detail, name="detail"),
    path("<int:pk>/download/", views.evidence_download, name="download"),
]
