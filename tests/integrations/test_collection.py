"""The whole flow through the runner: the sample integration against a real local server."""

from __future__ import annotations

from typing import Any

import pytest

from attestly.checks.models import CheckResult
from attestly.core.models import AuditEntry
from attestly.evidence.models import EvidenceItem
from attestly.integrations.actions import do_start_collection_run
from attestly.integrations.collection import RunOptions, execute_run
from attestly.integrations.models import CollectionRun, Connection
from attestly.integrations.tasks import collect_connection
from tests.integrations.sample.server import SampleServer

pytestmark = pytest.mark.django_db


def current(connection: Connection, check_id: str) -> dict[str, tuple[str, str]]:
    rows = CheckResult.objects.filter(
        workspace=connection.workspace, check_id=check_id, is_current=True
    )
    return {r.resource_key: (r.status, r.detail) for r in rows}


def kinds_stored(connection: Connection) -> list[str]:
    return sorted(
        EvidenceItem.objects.filter(workspace=connection.workspace).values_list("kind", flat=True)
    )


def test_a_run_collects_stores_and_judges(
    sample_connection: Connection, options: RunOptions
) -> None:
    run = collect_connection(sample_connection.pk, options=options)
    assert run.status == "succeeded"
    assert (run.resources, run.evidence_items, run.api_calls) == (5, 5, 3)  # 2 user pages + repos
    assert run.results == {"pass": 3, "fail": 2}
    assert run.errors == {}
    assert run.collectors["users"]["records"] == 3
    assert kinds_stored(sample_connection) == ["sample.repo"] * 2 + ["sample.user"] * 3
    assert current(sample_connection, "sample_user_mfa_enabled")["sample:acme:user:ben"] == (
        "fail",
        "ben has no MFA",
    )
    assert current(sample_connection, "sample_repo_private")["sample:acme:repo:site"][0] == "fail"
    sample_connection.refresh_from_db()
    assert sample_connection.last_status == "succeeded"
    assert sample_connection.next_run_at > run.started_at


def test_records_are_let_go_once_stored_before_the_checks_judge_the_ledger(
    sample_connection: Connection, options: RunOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attestly.integrations import collection

    held: list[int] = []
    evaluate = collection.evaluate_connection_checks

    def spy(run: Any, integration: Any, outcomes: Any, *args: Any) -> Any:
        held.extend(len(o.records) for o in outcomes)
        return evaluate(run, integration, outcomes, *args)

    monkeypatch.setattr(collection, "evaluate_connection_checks", spy)
    run = collect_connection(sample_connection.pk, options=options)
    assert held and not any(held)
    assert (run.resources, run.evidence_items) == (5, 5)  # counted before they went
    assert run.collectors["users"]["records"] == 3
    assert run.results == {"pass": 3, "fail": 2}


def test_permission_denied_on_one_collector_errors_only_its_checks(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    sample_server.faults["/repos"] = [(403, "{}")] * 10
    run = collect_connection(sample_connection.pk, options=options)
    assert run.status == "partial"
    assert run.errors["repos"]["category"] == "missing_permission"
    assert run.errors["repos"]["permission"] == "repos:read"
    assert "GET /repos answered 403" in run.errors["repos"]["message"]
    assert kinds_stored(sample_connection) == ["sample.user"] * 3  # no repo evidence
    repo_results = current(sample_connection, "sample_repo_private")
    assert list(repo_results) == ["connection:sample-prod"]
    status, detail = repo_results["connection:sample-prod"]
    assert status == "error"
    assert "collector repos failed" in detail
    assert "repos:read" in detail
    assert {s for s, _d in current(sample_connection, "sample_user_mfa_enabled").values()} == {
        "pass",
        "fail",
    }


def test_a_collector_failing_later_turns_its_resources_to_error(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    collect_connection(sample_connection.pk, options=options)
    sample_server.faults["/repos"] = [(500, "{}")] * 10
    run = collect_connection(sample_connection.pk, options=options)
    assert run.errors["repos"]["category"] == "retries_exhausted"
    assert "still failing after 4 attempts" in run.errors["repos"]["message"]
    repo_results = current(sample_connection, "sample_repo_private")
    assert sorted(repo_results) == ["sample:acme:repo:api", "sample:acme:repo:site"]
    assert {status for status, _detail in repo_results.values()} == {"error"}
    assert run.results["error"] == 2


def test_a_throttling_storm_is_ridden_out(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    sample_server.faults["/users"] = [(429, "{}")] * 3
    run = collect_connection(sample_connection.pk, options=options)
    assert run.status == "succeeded"
    assert run.api_calls == 6  # 3 throttled + 2 pages + repos
    assert run.collectors["users"]["records"] == 3


def test_an_endless_throttling_storm_fails_the_collector_with_a_clear_message(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    sample_server.faults["/users"] = [(429, "{}")] * 50
    run = collect_connection(sample_connection.pk, options=options)
    assert run.errors["users"]["message"] == (
        "GET /users: still throttled after 4 attempts (GET /users answered 429: rate limited)"
    )
    assert kinds_stored(sample_connection) == ["sample.repo"] * 2


def test_a_malformed_second_page_stores_no_partial_evidence(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    first_page = '{"items": [{"login": "ann", "mfa": true}], "next": "2"}'
    sample_server.faults["/users"] = [(200, first_page), (200, "<html>oops</html>")]
    run = collect_connection(sample_connection.pk, options=options)
    assert run.errors["users"]["category"] == "malformed_response"
    assert run.errors["users"]["message"].startswith("GET /users: the answer is not JSON")
    assert run.collectors["users"]["records"] == 0
    assert kinds_stored(sample_connection) == ["sample.repo"] * 2
    assert current(sample_connection, "sample_user_mfa_enabled")["connection:sample-prod"][0] == (
        "error"
    )


def test_wrong_credentials_fail_every_collector(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    sample_server.token = "another-token"
    run = collect_connection(sample_connection.pk, options=options)
    assert run.status == "failed"
    assert {e["category"] for e in run.errors.values()} == {"bad_credentials"}
    assert run.errors["users"]["message"] == (
        "GET /users answered 401: the credentials were refused"
    )
    assert kinds_stored(sample_connection) == []


def test_an_unreachable_endpoint_says_so(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    from attestly.integrations.actions import do_update_connection

    do_update_connection(
        actor=None, connection=sample_connection, config={"url": "http://127.0.0.1:9"}
    )
    run = collect_connection(sample_connection.pk, options=options)
    assert run.errors["users"]["category"] == "unreachable"
    assert "cannot connect" in run.errors["users"]["message"]


def test_re_running_a_crashed_run_adds_no_duplicate_evidence(
    sample_connection: Connection, options: RunOptions
) -> None:
    run = do_start_collection_run(actor=None, connection=sample_connection)
    execute_run(run.pk, options)
    execute_run(run.pk, options)  # a worker died after storing; the job runs again
    assert EvidenceItem.objects.filter(workspace=sample_connection.workspace).count() == 5
    assert CollectionRun.objects.get(pk=run.pk).evidence_items == 5


def test_secrets_never_reach_the_audit_log_or_the_run(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    sample_server.token = "another-token"
    collect_connection(sample_connection.pk, options=options)
    audit_text = str(list(AuditEntry.objects.values_list("before", "after")))
    runs_text = str(list(CollectionRun.objects.values()))
    assert sample_server.token not in audit_text + runs_text
    assert "s3cret-token-value" not in audit_text + runs_text
    assert "s3cret-token-value" not in sample_connection.secrets
    assert "'token'" in audit_text  # the audit says a secret was set, by name


def test_collectors_of_different_services_run_concurrently_and_bugs_stay_contained() -> None:
    import threading

    from attestly.integrations.base import CollectContext, Collector, IntegrationConfig, Record
    from attestly.integrations.collection import run_collectors

    both_running = threading.Barrier(2, timeout=5)

    def waits_for_the_other(ctx: CollectContext[IntegrationConfig]) -> list[Record]:
        both_running.wait()  # only passes if the two services run at the same time
        return [Record("t.a", "a", {})]

    def buggy(ctx: CollectContext[IntegrationConfig]) -> list[Record]:
        raise KeyError("items")

    def undeclared(ctx: CollectContext[IntegrationConfig]) -> list[Record]:
        return [Record("t.other", "x", {})]

    collectors = [
        Collector("one", ("t.a",), waits_for_the_other, service="s1"),
        Collector("two", ("t.a",), waits_for_the_other, service="s2"),
        Collector("three", ("t.a",), buggy, service="s1"),
        Collector("four", ("t.a",), undeclared, service="s3"),
    ]
    outcomes = run_collectors(collectors, lambda: CollectContext(IntegrationConfig()), 60.0)
    assert [(o.name, len(o.records)) for o in outcomes] == [
        ("one", 1),
        ("two", 1),
        ("three", 0),
        ("four", 0),
    ]
    assert str(outcomes[2].error) == "three: KeyError: 'items'"
    assert "yielded kind 't.other', which it does not declare (t.a)" in str(outcomes[3].error)


def test_a_collector_past_its_deadline_fails_without_partial_records() -> None:
    import time

    from attestly.integrations.base import CollectContext, Collector, IntegrationConfig, Record
    from attestly.integrations.collection import run_collectors

    def slow(ctx: CollectContext[IntegrationConfig]) -> object:
        yield Record("t.a", "a", {})
        time.sleep(0.2)
        yield Record("t.a", "b", {})

    (outcome,) = run_collectors(
        [Collector("slow", ("t.a",), slow)], lambda: CollectContext(IntegrationConfig()), 0.1
    )
    assert outcome.error is not None
    assert outcome.error.category == "timeout"
    assert outcome.records == []


def test_secrets_never_reach_the_logs(
    sample_connection: Connection,
    sample_server: SampleServer,
    options: RunOptions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    sample_server.faults["/users"] = [(429, "{}")] * 2
    collect_connection(sample_connection.pk, options=options)
    assert "retrying GET /users after throttled" in caplog.text
    assert sample_server.token not in caplog.text


def test_secrets_sealed_under_another_key_fail_the_run_saying_so(
    sample_connection: Connection, options: RunOptions
) -> None:
    from attestly.integrations.actions import do_rotate_secrets
    from attestly.integrations.secrets import SecretBox, current_box

    do_rotate_secrets(actor=None, old=current_box(), new=SecretBox("k" * 40))
    run = collect_connection(sample_connection.pk, options=options)
    assert run.status == "failed"
    assert run.errors["connection"]["category"] == "config"
    assert "without `attestly secrets rotate`" in run.errors["connection"]["message"]
    assert kinds_stored(sample_connection) == []


def test_a_resource_gone_from_the_system_stops_being_judged_and_can_come_back(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    from attestly.checks.sources import GONE_HASH

    collect_connection(sample_connection.pk, options=options)
    assert "sample:acme:user:ben" in current(sample_connection, "sample_user_mfa_enabled")
    removed = [u for u in sample_server.users if u["login"] == "ben"]
    sample_server.users = [u for u in sample_server.users if u["login"] != "ben"]
    run = collect_connection(sample_connection.pk, options=options)
    assert run.collectors["users"]["vanished"] == 1
    assert "sample:acme:user:ben" not in current(sample_connection, "sample_user_mfa_enabled")
    marker = EvidenceItem.objects.filter(resource_key="sample:acme:user:ben").order_by("-seq")[0]
    assert marker.content_hash == GONE_HASH  # appended; the earlier evidence is untouched
    assert EvidenceItem.objects.filter(resource_key="sample:acme:user:ben").count() == 2
    again = collect_connection(sample_connection.pk, options=options)
    assert again.collectors["users"]["vanished"] == 0  # a gone resource is not marked twice
    assert EvidenceItem.objects.filter(resource_key="sample:acme:user:ben").count() == 2
    sample_server.users += removed
    collect_connection(sample_connection.pk, options=options)
    assert current(sample_connection, "sample_user_mfa_enabled")["sample:acme:user:ben"][0] == (
        "fail"
    )


def test_a_failed_collector_marks_nothing_gone(
    sample_connection: Connection, sample_server: SampleServer, options: RunOptions
) -> None:
    collect_connection(sample_connection.pk, options=options)
    sample_server.faults["/repos"] = [(403, "{}")] * 10
    run = collect_connection(sample_connection.pk, options=options)
    assert run.collectors["repos"]["vanished"] == 0
    assert current(sample_connection, "sample_repo_private")["sample:acme:repo:site"][0] == "error"
