"""Sign-in pages: password, second factor, single sign-on, and MFA enrolment."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from attestly.accounts import mfa, sso
from attestly.accounts.actions import (
    do_confirm_totp,
    do_record_failed_sign_in,
    do_record_sign_in,
    do_start_totp_enrolment,
    do_verify_second_factor,
)
from attestly.accounts.models import SsoConfig, TotpDevice, User
from attestly.accounts.provisioning import do_sign_in_with_sso
from attestly.accounts.throttle import client_ip, lock_message, locked_for
from attestly.core import audit
from attestly.core.models import Membership, Role
from attestly.web.access import SIGN_IN_METHOD, account_page, public

PENDING = "attestly_pending_sign_in"
SSO_PENDING = "attestly_sso"
PENDING_SECONDS = 300
GENERIC_FAILURE = "That user name and password do not match. Try again."


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:home")


def _sso_configs() -> list[SsoConfig]:
    return list(SsoConfig.objects.filter(enabled=True).select_related("workspace"))


def _login_page(
    request: HttpRequest,
    *,
    error: str = "",
    status: int = 200,
    force_local: bool = False,
    **extra: Any,
) -> HttpResponse:
    configs = _sso_configs()
    local = force_local or request.GET.get("local") == "1"
    context = {
        "error": error,
        "sso_configs": configs,
        "local": local,
        "show_password_form": local or not any(c.enforce for c in configs),
        "next": request.GET.get("next", request.POST.get("next", "")),
        "username": request.POST.get("username", "")[:150],
        **extra,
    }
    return render(request, "registration/login.html", context, status=status)


def _sso_enforced_against(user: User) -> bool:
    """Whether a workspace of this user enforces SSO and the user is not an owner there."""
    enforced = SsoConfig.objects.filter(enabled=True, enforce=True).values("workspace_id")
    return (
        Membership.objects.filter(user=user, workspace_id__in=enforced)
        .exclude(role=Role.OWNER)
        .exists()
    )


def _owns_enforced_sso(user: User) -> bool:
    enforced = SsoConfig.objects.filter(enabled=True, enforce=True).values("workspace_id")
    return Membership.objects.filter(user=user, role=Role.OWNER, workspace_id__in=enforced).exists()


def _complete_sign_in(
    request: HttpRequest, user: User, *, method: str, break_glass: bool, target: str
) -> HttpResponse:
    login(request, user, backend="attestly.accounts.backends.AttestlyModelBackend")
    request.session[SIGN_IN_METHOD] = "sso" if method == "sso" else "local"
    do_record_sign_in(user=user, ip=client_ip(request), method=method, break_glass=break_glass)
    return redirect(_safe_next(request, target))


def _find_user(identifier: str) -> str:
    """Accept a user name or an email address."""
    if "@" in identifier:
        user = User.objects.filter(email__iexact=identifier).first()
        if user is not None:
            return user.get_username()
    return identifier


@public
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("web:home")
    if request.method != "POST":
        return _login_page(request)
    ip = client_ip(request)
    username = _find_user(request.POST.get("username", "").strip()[:150])
    remaining = locked_for(username, ip)
    if remaining is not None:
        return _login_page(request, error=lock_message(remaining), status=429)
    user = authenticate(request, username=username, password=request.POST.get("password", ""))
    if user is None:
        do_record_failed_sign_in(username=username, ip=ip, reason="wrong user name or password")
        remaining = locked_for(username, ip)
        error = lock_message(remaining) if remaining else GENERIC_FAILURE
        return _login_page(request, error=error, status=429 if remaining else 200)
    assert isinstance(user, User)
    local = request.GET.get("local") == "1" or request.POST.get("local") == "1"
    if _sso_enforced_against(user):
        do_record_failed_sign_in(
            username=username, ip=ip, reason="local sign-in refused: SSO enforced", user=user
        )
        return _login_page(
            request, error="Your workspace signs in through single sign-on. Use the button below."
        )
    target = request.POST.get("next", "")
    # Past enforced single sign-on only owners get here: that is break-glass, however reached.
    local = local or _owns_enforced_sso(user)
    if mfa.has_mfa(user):
        request.session[PENDING] = {
            "user": user.pk,
            "at": time.time(),
            "next": target,
            "break_glass": local,
        }
        return redirect("accounts:login-mfa")
    return _complete_sign_in(request, user, method="password", break_glass=local, target=target)


@public
def login_mfa(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.info(request, "Sign in again: the second step expired.")
        return redirect("web:login")
    user = User.objects.get(pk=pending["user"])
    if request.method != "POST":
        return render(request, "accounts/login_mfa.html", {})
    ip = client_ip(request)
    remaining = locked_for(user.get_username(), ip)
    if remaining is None:
        method = do_verify_second_factor(user=user, code=request.POST.get("code", "")[:40], ip=ip)
        if method is not None:
            del request.session[PENDING]
            return _complete_sign_in(
                request,
                user,
                method=method,
                break_glass=pending["break_glass"],
                target=pending["next"],
            )
        remaining = locked_for(user.get_username(), ip)
    if remaining is not None:
        request.session.pop(PENDING, None)
        return render(
            request, "accounts/login_mfa.html", {"error": lock_message(remaining)}, status=429
        )
    return render(
        request, "accounts/login_mfa.html", {"error": "That code is not right. Try again."}
    )


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@public
def sso_start(request: HttpRequest, slug: str) -> HttpResponse:
    config = SsoConfig.objects.filter(workspace__slug=slug, enabled=True).first()
    if config is None:
        raise Http404("No single sign-on for this workspace.")
    redirect_uri = request.build_absolute_uri(reverse("accounts:sso-callback"))
    try:
        auth = sso.authorization_request(config, redirect_uri)
    except sso.SsoError as exc:
        return _sso_failed(request, config, str(exc))
    request.session[SSO_PENDING] = {
        "state": auth.state,
        "nonce": auth.nonce,
        "verifier": auth.verifier,
        "config": config.pk,
        "redirect_uri": redirect_uri,
        "next": request.GET.get("next", ""),
    }
    return redirect(auth.url)


def _sso_failed(request: HttpRequest, config: SsoConfig | None, reason: str) -> HttpResponse:
    with transaction.atomic():
        audit.record(
            actor=None,
            action="auth.sso_failed",
            obj=config,
            workspace=config.workspace if config else None,
            after={"reason": reason[:500], "ip": client_ip(request)},
        )
    error = (
        f"Single sign-on did not work: {reason} "
        "Owners can still use the local sign-in (break-glass) below."
    )
    return _login_page(request, error=error, status=502 if config else 400, force_local=True)


@public
def sso_callback(request: HttpRequest) -> HttpResponse:
    pending = request.session.pop(SSO_PENDING, None)
    state = request.GET.get("state", "")
    if not pending or not state or state != pending["state"]:
        return _sso_failed(request, None, "the sign-in expired or its state does not match.")
    config = SsoConfig.objects.select_related("workspace").filter(pk=pending["config"]).first()
    if config is None or not config.enabled:
        return _sso_failed(request, None, "single sign-on was turned off meanwhile.")
    if request.GET.get("error"):
        reason = request.GET.get("error_description") or request.GET["error"]
        return _sso_failed(request, config, f"the identity provider said: {reason[:200]}.")
    try:
        claims = sso.exchange_code(
            config,
            code=request.GET.get("code", ""),
            redirect_uri=pending["redirect_uri"],
            verifier=pending["verifier"],
            nonce=pending["nonce"],
        )
        user = do_sign_in_with_sso(config=config, claims=claims)
    except (sso.SsoError, ValidationError) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return _sso_failed(request, config, message)
    response = _complete_sign_in(
        request, user, method="sso", break_glass=False, target=pending["next"]
    )
    request.session["attestly_workspace"] = config.workspace_id
    return response


@account_page
def account_mfa(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: QR code, confirm with a code, then recovery codes once."""
    assert isinstance(request.user, User)
    user = request.user
    device = TotpDevice.objects.filter(user=user).first()
    context: dict[str, Any] = {"device": device}
    if request.method == "POST" and request.POST.get("step") == "confirm":
        try:
            context["recovery_codes"] = do_confirm_totp(
                actor=user, code=request.POST.get("code", "")[:12]
            )
            context["device"] = TotpDevice.objects.filter(user=user).first()
            return render(request, "accounts/mfa.html", context)
        except ValidationError as exc:
            context["error"] = exc.messages[0]
            device = TotpDevice.objects.filter(user=user).first()
    elif request.method == "POST" and request.POST.get("step") == "start":
        try:
            do_start_totp_enrolment(actor=user)
        except ValidationError as exc:
            context["error"] = exc.messages[0]
        device = TotpDevice.objects.filter(user=user).first()
    if device is not None and device.confirmed_at is None:
        secret = mfa.device_secret(device)
        uri = mfa.provisioning_uri(user, secret)
        context.update(secret=secret, uri=uri, qr=mfa.qr_svg(uri), device=device)
    context["recovery_left"] = user.recovery_codes.filter(used_at__isnull=True).count()
    return render(request, "accounts/mfa.html", context)
