"""Writes to users and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attestly.accounts import mfa
from attestly.accounts.crypto import encrypt, keyed_hash
from attestly.accounts.models import (
    ApiToken,
    LoginAttempt,
    RecoveryCode,
    SsoConfig,
    TokenScope,
    TotpDevice,
    User,
    hash_token,
)
from attestly.accounts.throttle import note_attempt
from attestly.core import audit
from attestly.core.models import Role, Workspace


def do_create_user(
    *,
    actor: User | None,
    username: str,
    email: str,
    password: str | None,
    is_superuser: bool = False,
    check_password: bool = True,
) -> User:
    """Create a local account. The password is checked against the password policy."""
    user = User(
        username=username,
        email=email.strip().lower(),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password is not None:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        audit.record(
            actor=actor,
            action="user.create",
            obj=user,
            workspace=None,
            after={"username": username, "email": user.email, "superuser": is_superuser},
        )
    return user


def do_set_password(
    *, actor: User | None, user: User, password: str, check_password: bool = True
) -> None:
    if check_password:
        validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="user.set_password", obj=user, workspace=None)


def do_create_api_token(
    *,
    actor: User,
    user: User,
    name: str,
    scope: str = TokenScope.READ,
    workspace: Workspace | None = None,
    expires_in: dt.timedelta | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its key. The key is never stored or shown again."""
    if scope not in TokenScope.values:
        raise ValidationError({"scope": f"Unknown scope {scope!r}; choose read or write."})
    if not name.strip():
        raise ValidationError({"name": "A token needs a name."})
    lookup = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = f"{ApiToken.PREFIX}{lookup}_{secret}"
    token = ApiToken(
        user=user,
        workspace=workspace,
        name=name.strip(),
        lookup=lookup,
        key_hash=hash_token(key),
        scope=scope,
        expires_at=timezone.now() + expires_in if expires_in else None,
    )
    with transaction.atomic():
        token.save()
        audit.record(
            actor=actor,
            action="token.create",
            obj=token,
            workspace=workspace,
            after={
                "name": token.name,
                "scope": scope,
                "user": user.get_username(),
                "expires_at": token.expires_at,
            },
        )
    return token, key


def do_record_refused_token(*, token: ApiToken, reason: str, ip: str) -> None:
    """Someone presented a revoked token: worth a line in the workspace's log."""
    with transaction.atomic():
        audit.record(
            actor=None,
            action="token.refused",
            obj=token,
            workspace=token.workspace,
            after={"reason": reason, "ip": ip, "user": token.user.get_username()},
        )


def do_revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", obj=token, workspace=token.workspace)
    return token


# Sign-in, MFA and SSO. Sign-in events belong to no workspace: they go to the installation chain.


def do_record_sign_in(*, user: User, ip: str, method: str, break_glass: bool = False) -> None:
    """A completed sign-in (`method`: password, password+totp, recovery-code, sso).

    A break-glass sign-in (the local form at /login/?local=1) is also recorded in the chain of
    every workspace the user owns that has single sign-on, so its owners see it there.
    """
    with transaction.atomic():
        note_attempt(user.get_username(), ip, succeeded=True)
        after = {"method": method, "ip": ip, "break_glass": break_glass}
        audit.record(actor=user, action="auth.sign_in", obj=user, workspace=None, after=after)
        if break_glass:
            owned = Workspace.objects.filter(
                memberships__user=user, memberships__role=Role.OWNER, sso__isnull=False
            )
            for workspace in owned:
                audit.record(
                    actor=user,
                    action="auth.break_glass",
                    obj=user,
                    workspace=workspace,
                    after=after,
                )


def do_record_failed_sign_in(
    *, username: str, ip: str, reason: str, user: User | None = None
) -> None:
    """A refused sign-in; it counts toward the lock of this user name from this address."""
    with transaction.atomic():
        note_attempt(username, ip, succeeded=False)
        audit.record(
            actor=None,
            action="auth.sign_in_failed",
            workspace=None,
            object_type="accounts.user",
            object_id=str(user.pk) if user else "",
            object_repr=username[:150],
            after={"reason": reason, "ip": ip},
        )


def do_start_totp_enrolment(*, actor: User) -> str:
    """A new, unconfirmed authenticator secret for `actor` (replacing an unconfirmed one)."""
    secret = mfa.new_secret()
    with transaction.atomic():
        TotpDevice.objects.filter(user=actor, confirmed_at__isnull=True).delete()
        if TotpDevice.objects.filter(user=actor).exists():
            raise ValidationError("Multi-factor sign-in is already set up.")
        TotpDevice.objects.create(user=actor, secret_encrypted=encrypt(secret))
    return secret


def do_confirm_totp(*, actor: User, code: str) -> list[str]:
    """Confirm enrolment with a first code; returns ten recovery codes, shown once."""
    device = TotpDevice.objects.filter(user=actor, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationError("Start the set-up again: there is no pending authenticator.")
    step = mfa.matching_step(mfa.device_secret(device), code)
    if step is None:
        with transaction.atomic():
            audit.record(actor=actor, action="mfa.enrol_failed", obj=actor, workspace=None)
        raise ValidationError("That code is not right. Check the time on your phone.")
    with transaction.atomic():
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.save(update_fields=["confirmed_at", "last_step"])
        codes = mfa.new_recovery_codes()
        RecoveryCode.objects.filter(user=actor).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=actor, code_hash=keyed_hash(c)) for c in codes
        )
        audit.record(actor=actor, action="mfa.enrol", obj=actor, workspace=None)
    return codes


def do_verify_second_factor(*, user: User, code: str, ip: str) -> str | None:
    """Check a TOTP or recovery code at sign-in. Returns the method used, or None (audited)."""
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if device is not None:
            step = mfa.matching_step(mfa.device_secret(device), code, after_step=device.last_step)
            if step is not None:
                device.last_step = step
                device.save(update_fields=["last_step"])
                return "password+totp"
        recovery = mfa.find_recovery_code(user, code)
        if recovery is not None:
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            audit.record(actor=user, action="mfa.recovery_code_used", obj=user, workspace=None)
            return "recovery-code"
        note_attempt(user.get_username(), ip, succeeded=False)
        audit.record(actor=user, action="mfa.failed", obj=user, workspace=None, after={"ip": ip})
    return None


def do_unlock_sign_in(*, actor: User | None, username: str) -> None:
    """Forget failed sign-ins of `username` (from every address)."""
    with transaction.atomic():
        LoginAttempt.objects.filter(username=username.lower(), succeeded=False).delete()
        audit.record(
            actor=actor,
            action="auth.unlock",
            workspace=None,
            object_type="accounts.user",
            object_repr=username[:150],
        )


def do_disable_mfa(*, actor: User | None, user: User) -> None:
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record(actor=actor, action="mfa.disable", obj=user, workspace=None)


SSO_FIELDS = (
    "enabled",
    "issuer",
    "client_id",
    "scopes",
    "groups_claim",
    "role_mapping",
    "default_role",
    "enforce",
)


def do_save_sso_config(
    *, actor: User, workspace: Workspace, client_secret: str | None = None, **fields: object
) -> SsoConfig:
    """Create or change a workspace's SSO setting. The client secret is stored encrypted."""
    config = SsoConfig.objects.filter(workspace=workspace).first() or SsoConfig(workspace=workspace)
    before = None if config.pk is None else {f: getattr(config, f) for f in SSO_FIELDS}
    for name, value in fields.items():
        if name not in SSO_FIELDS:
            raise ValidationError({name: "Unknown SSO setting."})
        setattr(config, name, value)
    mapping = config.role_mapping
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and v in Role.values for k, v in mapping.items()
    ):
        raise ValidationError({"role_mapping": f"Map group names to roles: {Role.values}."})
    if config.default_role and config.default_role not in Role.values:
        raise ValidationError({"default_role": f"Choose one of {Role.values} or none."})
    if client_secret:
        config.client_secret_encrypted = encrypt(client_secret)
    config.full_clean(exclude=["workspace", "client_secret_encrypted"])
    with transaction.atomic():
        config.save()
        after = {f: getattr(config, f) for f in SSO_FIELDS}
        after["client_secret_changed"] = bool(client_secret)
        audit.record(
            actor=actor,
            action="sso.configure",
            obj=config,
            workspace=workspace,
            before=before,
            after=after,
        )
    return config
