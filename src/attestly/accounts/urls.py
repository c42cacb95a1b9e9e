from __future__ import annotations

from django.urls import path

from attestly.accounts import manage_views, views

app_name = "accounts"

urlpatterns = [
    path("login/mfa/", views.login_mfa, name="login-mfa"),
    path("sso/<slug:slug>/start/", views.sso_start, name="sso-start"),
    path("sso/callback/", views.sso_callback, name="sso-callback"),
    path("account/mfa/", views.account_mfa, name="mfa"),
    path("settings/members/", manage_views.members, name="members"),
    path("settings/members/add/", manage_views.member_add, name="member-add"),
    path("settings/members/<int:pk>/role/", manage_views.member_role, name="member-role"),
    path("settings/members/<int:pk>/remove/", manage_views.member_remove, name="member-remove"),
    path("settings/tokens/", manage_views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", manage_views.token_revoke, name="token-revoke"),
    path("settings/sso/", manage_views.sso_settings, name="sso-settings"),
]
