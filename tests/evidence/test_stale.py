"""Stale evidence: the newest item of a resource past its valid-until date, and nothing else.

A collector that runs daily leaves a year of expired items per resource behind; those are
history. The dashboard's figure, the evidence page's filter and the API's filter must all count
only what is out of date now.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.utils import timezone

from attestly.accounts.models import User
from attestly.checks.sources import GONE
from attestly.core.models import Workspace
from attestly.evidence.actions import do_tombstone_evidence
from attestly.evidence.models import EvidenceItem
from attestly.evidence.queries import stale_evidence
from attestly.testing.factories import record_evidence

PAST = dt.timedelta(days=-3)
FUTURE = dt.timedelta(days=30)


def record(workspace: Workspace, key: str, valid_for: dt.timedelta | None, **fields: Any) -> None:
    valid_until = timezone.now() + valid_for if valid_for is not None else None
    record_evidence(workspace, 1, resource_key=key, valid_until=valid_until, **fields)


def seed(acme: Workspace, globex: Workspace, alice: User) -> set[tuple[str, str]]:
    """Resources in every state; returns the (kind, key) of the ones that are stale."""
    record(acme, "renewed", PAST)
    record(acme, "renewed", FUTURE)  # an expired item, then a fresh one: nothing stale
    record(acme, "lapsed", FUTURE)
    record(acme, "lapsed", PAST)  # fresh, then an expired one: stale
    record(acme, "expired", PAST)
    record(acme, "expired", PAST)  # two expired: one stale item (the newest)
    record(acme, "erased", PAST)  # expired, but its content was removed: not counted
    erased = EvidenceItem.objects.get(workspace=acme, resource_key="erased")
    do_tombstone_evidence(actor=alice, item=erased, reason="personal data")
    record(acme, "deleted", PAST)
    record(acme, "deleted", None, content=GONE)  # the resource went away: nothing stale
    record(acme, "expired", FUTURE, kind="aws.s3.other")  # same key, another kind
    record(globex, "expired", FUTURE)  # same key and kind, another workspace
    return {("aws.s3.bucket", "lapsed"), ("aws.s3.bucket", "expired")}


def test_only_the_newest_expired_item_of_a_resource_is_stale(
    alice: User, acme: Workspace, globex: Workspace, api_client_for: Any
) -> None:
    expected = seed(acme, globex, alice)
    stale = list(stale_evidence(acme))
    assert {(i.kind, i.resource_key) for i in stale} == expected
    assert len(stale) == len(expected)
    newest_expired = EvidenceItem.objects.filter(workspace=acme, resource_key="expired")
    assert {i.seq for i in stale if i.resource_key == "expired"} == {
        max(i.seq for i in newest_expired if i.kind == "aws.s3.bucket")
    }

    api = api_client_for(alice)
    everything = EvidenceItem.objects.filter(workspace=acme).count()
    assert api.get("/api/v1/evidence/?stale=true").json()["count"] == len(expected)
    assert api.get("/api/v1/evidence/?stale=false").json()["count"] == everything - len(expected)

    client = Client()
    client.force_login(alice)
    html = client.get("/").content.decode()
    figure = re.search(r'<a id="stale-evidence" href="[^"]+" aria-label="(\d+) ', html)
    assert figure and int(figure.group(1)) == len(expected)
    page = client.get("/evidence/?stale=1").content.decode()
    assert "lapsed" in page and "renewed" not in page and "deleted" not in page
