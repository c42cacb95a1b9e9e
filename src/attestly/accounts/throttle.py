"""Login throttling: too many failures for one user name from one address locks it a while."""

from __future__ import annotations

import datetime as dt
import math

from django.http import HttpRequest
from django.utils import timezone

from attestly.accounts.models import LoginAttempt

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a proxy is configured.
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def locked_for(username: str, ip: str) -> dt.timedelta | None:
    """How much longer sign-in is locked for this user name and address, or None."""
    since = timezone.now() - WINDOW
    failures = list(
        LoginAttempt.objects.filter(
            username=username.lower(), ip=ip, succeeded=False, created_at__gte=since
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:MAX_FAILURES]
    )
    if len(failures) < MAX_FAILURES:
        return None
    return failures[-1] + WINDOW - timezone.now()


def lock_message(remaining: dt.timedelta) -> str:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return (
        f"Too many failed sign-ins. Sign-in for this account from your address is locked "
        f"for {minutes} more minute{'s' if minutes != 1 else ''}."
    )


def note_attempt(username: str, ip: str, *, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], ip=ip, succeeded=succeeded)
