"""Workspace pages for owners and admins: members and roles, API tokens, single sign-on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from attestly.accounts.actions import (
    do_create_api_token,
    do_create_user,
    do_revoke_api_token,
    do_save_sso_config,
)
from attestly.accounts.forms import AddMemberForm, RoleForm, SsoForm, TokenForm
from attestly.accounts.models import ApiToken, SsoConfig, TokenScope, User
from attestly.core.actions import do_remove_membership, do_set_membership
from attestly.core.models import Membership, Role, Workspace
from attestly.core.permissions import role_allows
from attestly.web.access import requires

WRITE_TOKEN_ROLES = {Role.OWNER, Role.ADMIN, Role.EDITOR}


def _workspace(request: HttpRequest) -> Workspace:
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    return workspace


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _members_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    workspace = _workspace(request)
    return {
        "members": Membership.objects.in_workspace(workspace)
        .select_related("user")
        .order_by("user__username"),
        "roles": Role.choices,
        "can_manage": role_allows(request.workspace_role, "member.manage"),  # type: ignore[attr-defined]
        "form": AddMemberForm(),
        **extra,
    }


@requires("workspace.read")
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/members.html", _members_context(request))


@requires("member.manage")
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    form = AddMemberForm(request.POST)
    workspace = _workspace(request)
    if form.is_valid():
        email = form.cleaned_data["email"].lower()
        try:
            with transaction.atomic():
                user = User.objects.filter(email=email).first() or do_create_user(
                    actor=_user(request),
                    username=form.cleaned_data["username"],
                    email=email,
                    password=None,
                )
                do_set_membership(
                    actor=_user(request),
                    workspace=workspace,
                    user=user,
                    role=form.cleaned_data["role"],
                )
            messages.success(request, f"{user.get_username()} is now {form.cleaned_data['role']}.")
            return redirect("accounts:members")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return render(
        request, "accounts/members.html", _members_context(request, form=form), status=400
    )


@requires("member.manage")
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a role; answers the table row to HTMX and redirects a plain form post."""
    membership = get_object_or_404(Membership.objects.in_workspace(_workspace(request)), pk=pk)
    form = RoleForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            membership = do_set_membership(
                actor=_user(request),
                workspace=membership.workspace,
                user=membership.user,
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        error = "Choose one of the roles."
    if request.htmx:  # type: ignore[attr-defined]
        context = {"m": membership, "roles": Role.choices, "can_manage": True, "error": error}
        return render(request, "accounts/_member_row.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("accounts:members")


@requires("member.manage")
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.in_workspace(_workspace(request)), pk=pk)
    try:
        do_remove_membership(actor=_user(request), membership=membership)
        messages.success(request, f"{membership.user.get_username()} is no longer a member.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("accounts:members")


@requires("token.manage")
def tokens(request: HttpRequest) -> HttpResponse:
    workspace, user = _workspace(request), _user(request)
    form = TokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        role = request.workspace_role  # type: ignore[attr-defined]
        if (
            form.is_valid()
            and form.cleaned_data["scope"] == TokenScope.WRITE
            and role not in WRITE_TOKEN_ROLES
        ):
            form.add_error("scope", "Your role can only have read-only tokens.")
        if form.is_valid():
            _token, new_key = do_create_api_token(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                workspace=workspace,
                expires_in=form.expires_in(),
            )
            form = TokenForm()
        else:
            status = 400
    listing = ApiToken.objects.filter(user=user, workspace=workspace).order_by("-created_at")
    context = {"form": form, "tokens": listing, "new_key": new_key}
    return render(request, "accounts/tokens.html", context, status=status)


@requires("token.manage")
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=_user(request), workspace=_workspace(request))
    do_revoke_api_token(actor=_user(request), token=token)
    messages.success(request, f"Token {token.name} is revoked.")
    return redirect("accounts:tokens")


@requires("sso.manage")
def sso_settings(request: HttpRequest) -> HttpResponse:
    workspace = _workspace(request)
    config = SsoConfig.objects.filter(workspace=workspace).first()
    initial: dict[str, Any] = {}
    if config is not None:
        initial = {
            f: getattr(config, f)
            for f in (
                "enabled",
                "issuer",
                "client_id",
                "scopes",
                "groups_claim",
                "default_role",
                "enforce",
            )
        }
        initial["role_mapping"] = SsoForm.mapping_text(config.role_mapping)
    form = SsoForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        secret = data.pop("client_secret") or None
        try:
            do_save_sso_config(
                actor=_user(request), workspace=workspace, client_secret=secret, **data
            )
            messages.success(request, "Single sign-on settings saved.")
            return redirect("accounts:sso-settings")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    status = 400 if request.method == "POST" else 200
    callback = request.build_absolute_uri("/sso/callback/")
    return render(
        request,
        "accounts/sso_settings.html",
        {"form": form, "config": config, "callback": callback},
        status=status,
    )
