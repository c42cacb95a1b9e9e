from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from attestly.accounts import views as account_views
from attestly.web import views
from attestly.web.access import public

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("workspace/switch/", views.switch_workspace, name="switch-workspace"),
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/<slug:slug>/", views.framework_detail, name="framework-detail"),
    path("criteria/<str:key>/", views.criterion_detail, name="criterion-detail"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "favicon.ico",
        public(RedirectView.as_view(url="/static/attestly/favicon.svg", permanent=True)),
    ),
]
