"""The real URLs plus an API endpoint and a page that declare nothing, for the role walk's
own test: it must notice them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from attestly.api.permissions import DEFAULT_PERMISSIONS


class ForgottenViewSet(viewsets.ViewSet):
    permission_classes = DEFAULT_PERMISSIONS

    def list(self, request: Any) -> Response:
        return Response([])


def forgotten_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("forgotten")


router = SimpleRouter()
router.register("forgotten", ForgottenViewSet, basename="forgotten")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("forgotten-page/", forgotten_page, name="forgotten-page"),
    path("", include("attestly.conf.urls")),
]
