"""Turning a verified OpenID Connect identity into a local user with the mapped role."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from attestly.accounts.actions import do_create_user
from attestly.accounts.models import SsoConfig, SsoIdentity, User
from attestly.accounts.sso import role_for_claims
from attestly.core import audit
from attestly.core.actions import do_set_membership
from attestly.core.models import Membership, Role


def _free_username(claims: dict[str, Any]) -> str:
    base = str(claims.get("preferred_username") or str(claims.get("email", "")).split("@")[0])
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or "sso-user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def do_sign_in_with_sso(*, config: SsoConfig, claims: dict[str, Any]) -> User:
    """Find or create the user for these claims and give them the mapped role.

    Owners are managed locally: single sign-on never changes an owner's role, so a wrong
    mapping cannot demote the people who can fix it.
    """
    role = role_for_claims(config, claims)
    if role is None:
        raise ValidationError(
            "none of your groups is mapped to a role in this workspace; ask an owner."
        )
    issuer, subject = config.issuer.rstrip("/"), str(claims["sub"])
    with transaction.atomic():
        identity = (
            SsoIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is not None:
            user = identity.user
        else:
            email = str(claims.get("email", "")).strip().lower()
            user_or_none = (
                User.objects.filter(email=email).first()
                if email and claims.get("email_verified") is True
                else None
            )
            if user_or_none is None:
                user_or_none = do_create_user(
                    actor=None,
                    username=_free_username(claims),
                    email=email or f"{subject}@sso.invalid",
                    password=None,
                )
            user = user_or_none
            SsoIdentity.objects.create(user=user, issuer=issuer, subject=subject)
            audit.record(
                actor=user,
                action="sso.link",
                obj=user,
                workspace=config.workspace,
                after={"issuer": issuer, "subject": subject},
            )
        if not user.is_active:
            raise ValidationError("this account is deactivated.")
        current = Membership.objects.filter(workspace=config.workspace, user=user).first()
        if current is None or (current.role != role and current.role != Role.OWNER):
            do_set_membership(actor=None, workspace=config.workspace, user=user, role=role)
    return user
