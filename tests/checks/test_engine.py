from __future__ import annotations

import datetime as dt
from typing import Any

from attestly.checks.engine import evaluate_all, evaluate_check, select
from attestly.checks.types import WORKSPACE_RESOURCE, Context, Evidence, Status, Verdict
from attestly.testing.factories import EvidenceFactory, make_check

CTX = Context(now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))


def test_bool_none_and_verdict_become_statuses() -> None:
    def evaluate(item: Evidence, ctx: Context) -> Any:
        return {
            "p": True,
            "f": False,
            "n": None,
            "v": Verdict(Status.FAIL, "too old"),
            "s": "error",
        }[item.data["x"]]

    items = [EvidenceFactory(data={"x": x}) for x in "pfnvs"]
    result = evaluate_check(make_check(evaluate=evaluate), items, CTX)
    assert result.statuses == [
        Status.PASS,
        Status.FAIL,
        Status.NOT_APPLICABLE,
        Status.FAIL,
        Status.ERROR,
    ]
    assert result.details == {3: "too old"}


def test_a_check_that_raises_gives_error_for_those_items_only() -> None:
    def evaluate(item: Evidence, ctx: Context) -> bool:
        return 10 / item.data["n"] > 1

    items = [EvidenceFactory(data={"n": n}) for n in (1, 0, 100)]
    result = evaluate_check(make_check(evaluate=evaluate), items, CTX)
    assert result.statuses == [Status.PASS, Status.ERROR, Status.FAIL]
    assert result.details == {1: "ZeroDivisionError: division by zero"}


def test_the_run_goes_on_after_a_raising_check() -> None:
    def broken(item: Evidence, ctx: Context) -> bool:
        raise RuntimeError("boom")

    checks = [make_check("demo_broken", evaluate=broken), make_check("demo_fine")]
    items = {"demo.thing": [EvidenceFactory(), EvidenceFactory()]}
    results = {e.check_id: e.counts() for e in evaluate_all(checks, items, CTX)}
    assert results == {"demo_broken": {"error": 2}, "demo_fine": {"pass": 2}}


def test_outcomes_name_the_evidence_hash_they_read() -> None:
    item = EvidenceFactory(key="bucket-1")
    (outcome,) = evaluate_check(make_check(), [item], CTX).outcomes()
    assert (outcome.resource_key, outcome.status, outcome.evidence_hashes) == (
        "bucket-1",
        Status.PASS,
        (item.hash,),
    )


def test_workspace_scope_gives_one_result_over_every_item() -> None:
    def at_least_two(items: list[Evidence], ctx: Context) -> bool:
        return len(items) >= 2

    check = make_check("demo_enough", evaluate=at_least_two, scope="workspace")
    items = [EvidenceFactory(), EvidenceFactory()]
    (outcome,) = evaluate_check(check, items, CTX).outcomes()
    assert outcome.resource_key == WORKSPACE_RESOURCE
    assert outcome.status == Status.PASS
    assert outcome.evidence_hashes == tuple(sorted(i.hash for i in items))


def test_single_argument_evaluate_is_accepted() -> None:
    check = make_check(evaluate=lambda item: item.data["ok"])
    assert evaluate_check(check, [EvidenceFactory()], CTX).statuses == [Status.PASS]


def test_kind_families_select_items() -> None:
    by_kind = {
        "manual.upload": [EvidenceFactory(kind="manual.upload")],
        "manual.policy": [EvidenceFactory(kind="manual.policy")],
        "aws.s3.bucket": [EvidenceFactory(kind="aws.s3.bucket")],
    }
    assert [i.kind for i in select(by_kind, ["manual.*"])] == ["manual.policy", "manual.upload"]
    assert [i.kind for i in select(by_kind, ["aws.s3.bucket"])] == ["aws.s3.bucket"]


def test_declarative_and_python_checks_agree() -> None:
    python = make_check("demo_py", evaluate=lambda item, ctx: item.data.get("ok") is True)
    declared = make_check("demo_decl", rule={"require": {"path": "ok", "eq": True}})
    items = [EvidenceFactory(data={"ok": v}) for v in (True, False, None, 1)]
    assert (
        evaluate_check(python, items, CTX).statuses == evaluate_check(declared, items, CTX).statuses
    )
