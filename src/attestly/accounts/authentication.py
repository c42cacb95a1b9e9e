"""API token authentication: `Authorization: Token atk_<lookup>_<secret>` (or Bearer)."""

from __future__ import annotations

import hmac
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from attestly.accounts.models import ApiToken, hash_token
from attestly.core import hotpath


class TokenAuthentication(authentication.BaseAuthentication):
    """Looks the token up by its public part, then compares hashes in constant time."""

    keywords = ("token", "bearer")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: use 'Token <key>'."
            )
        key = parts[1]
        prefix, _, rest = key.partition("_")
        lookup, _, _secret = rest.partition("_")
        if prefix + "_" != ApiToken.PREFIX or not lookup or not _secret:
            raise exceptions.AuthenticationFailed("Invalid token.")
        # By hand-written query (attestly.core.hotpath): every API request makes these reads.
        token = hotpath.one(ApiToken, "lookup", lookup)
        if token is None or not hmac.compare_digest(token.key_hash, hash_token(key)):
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            from attestly.accounts.actions import do_record_refused_token

            ip = str(request.META.get("REMOTE_ADDR", ""))[:45]
            do_record_refused_token(token=token, reason="revoked", ip=ip)
            raise exceptions.AuthenticationFailed("Token has been revoked.")
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("Token has expired.")
        user = hotpath.one(get_user_model(), "id", token.user_id)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("User is inactive.")
        token.user = user
        # Record use at most once a minute, so reads do not turn into writes under load.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return "Token"
