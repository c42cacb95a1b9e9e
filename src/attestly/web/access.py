"""The page guard: every page is checked against the permission matrix before it runs.

A view declares its need with `@requires("member.manage")`, or `@public` for the few pages
anyone may open (sign-in, health). `@account_page` marks pages about one's own account (MFA),
open to any signed-in user. A page with no declaration needs `UNDECLARED`: owners only. As in
the API, a page declared with a `.read` action answers unsafe methods only to roles holding the
matching `.write` action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from attestly.core.models import Membership, Role
from attestly.core.permissions import UNDECLARED, is_known, role_allows

F = TypeVar("F", bound=Callable[..., Any])

ACCOUNT = "account"  # pseudo-action: any signed-in user, about their own account


def requires(action: str) -> Callable[[F], F]:
    """Declare the matrix action a page needs in the current workspace."""

    def mark(view: F) -> F:
        view.required_action = action  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    """A page anyone may open, signed in or not."""
    view.required_action = None  # type: ignore[attr-defined]
    return view


def account_page(view: F) -> F:
    """A page about the signed-in user's own account; reachable before MFA is set up."""
    view.required_action = ACCOUNT  # type: ignore[attr-defined]
    return view


def page_action(view: Any) -> str | None:
    """The action a resolved page view needs (None: public)."""
    action: str | None = getattr(view, "required_action", UNDECLARED)
    return action


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def effective_page_action(view: Any, method: str) -> str | None:
    """The action a page needs for `method`: a `.read` page answers unsafe methods only to
    roles holding the matching `.write` action (owners only when there is none)."""
    action = page_action(view)
    if action is None or action == ACCOUNT or method.upper() in SAFE_METHODS:
        return action
    if action.endswith(".read"):
        write = action.removesuffix(".read") + ".write"
        return write if is_known(write) else UNDECLARED
    return action


def request_role(request: Any, workspace: Any) -> str | None:
    """The signed-in user's role in `workspace`, from the request's memberships."""
    from attestly.core.scoping import request_memberships

    if workspace is None or not request.user.is_authenticated:
        return None
    return request_memberships(request).get(workspace.pk)


def role_in(user: Any, workspace: Any) -> str | None:
    if workspace is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(workspace=workspace, user=user)
        .values_list("role", flat=True)
        .first()
    )


SIGN_IN_METHOD = "attestly_sign_in_method"


def mfa_setup_required(request: Any) -> bool:
    """Owners and admins of a workspace that requires MFA must set it up before anything else.

    A single sign-on session counts as multi-factor: the identity provider enforces it.
    """
    from attestly.accounts.mfa import has_mfa

    user = request.user
    if not user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.get(SIGN_IN_METHOD) == "sso":
        return False
    workspaces = getattr(request, "workspaces", None)
    if workspaces is not None:  # pages: the workspaces and roles this request already read
        from attestly.core.scoping import request_memberships

        roles = request_memberships(request)
        must = any(
            w.require_mfa and roles.get(w.pk) in (Role.OWNER, Role.ADMIN) for w in workspaces
        )
    else:
        must = Membership.objects.filter(
            user=user, role__in=[Role.OWNER, Role.ADMIN], workspace__require_mfa=True
        ).exists()
    return must and not has_mfa(user)


class PagePermissionMiddleware:
    """Applies each page's declared action to the user's role in the current workspace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # the API has its own permission classes
        action = effective_page_action(view, request.method or "GET")
        if action is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if action == ACCOUNT:
            return None
        if mfa_setup_required(request):
            return redirect("accounts:mfa")
        workspace = getattr(request, "workspace", None)
        role = request_role(request, workspace)
        request.workspace_role = role  # type: ignore[attr-defined]
        if not role_allows(role, action):
            raise PermissionDenied(f"Your role does not allow {action} in this workspace.")
        return None
