"""Writes to users and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attestly.accounts.models import ApiToken, TokenScope, User, hash_token
from attestly.core import audit
from attestly.core.models import Workspace


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


def do_revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", obj=token, workspace=token.workspace)
    return token
