from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from attestly.checks.declarative import compile_rule, parse_duration, parse_path
from attestly.checks.metadata import CheckDefinitionError
from attestly.checks.types import Context, Evidence

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
CTX = Context(now=NOW)


def item(data: dict[str, Any], **meta: Any) -> Evidence:
    return Evidence(kind="test.thing", key="k", hash="h", data=data, collected_at=NOW, **meta)


def verdict(rule: dict[str, Any], data: dict[str, Any], **meta: Any) -> bool | None:
    fn, _source = compile_rule("t_check", rule, "test")
    return fn(item(data, **meta), CTX)


BUCKET = {
    "name": "logs",
    "size": 12,
    "encryption": {"enabled": True, "algorithm": "aws:kms"},
    "rules": [{"port": 443, "cidr": "10.0.0.0/8"}, {"port": 22, "cidr": "0.0.0.0/0"}],
    "vpcs": [{"subnets": [{"public": False}, {"public": True}]}, {"subnets": [{"public": False}]}],
    "tags": ["prod", "pci"],
    "created": "2026-01-01T00:00:00Z",
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"path": "encryption.enabled", "eq": True}, True),
        ({"path": "encryption.enabled", "eq": False}, False),
        ({"path": "size", "eq": 12}, True),
        ({"path": "size", "ne": 12}, False),
        ({"path": "missing", "ne": 12}, False),
        ({"path": "size", "lt": 13}, True),
        ({"path": "size", "le": 12}, True),
        ({"path": "size", "gt": 12}, False),
        ({"path": "size", "ge": 12}, True),
        ({"path": "name", "gt": 5}, False),
        ({"path": "encryption.algorithm", "in": ["aws:kms", "AES256"]}, True),
        ({"path": "encryption.algorithm", "not_in": ["AES256"]}, True),
        ({"path": "missing", "not_in": ["AES256"]}, False),
        ({"path": "name", "regex": "^lo"}, True),
        ({"path": "size", "regex": "1"}, False),
        ({"path": "encryption", "exists": True}, True),
        ({"path": "encryption.nope", "exists": False}, True),
        ({"path": "rules[1].port", "eq": 22}, True),
        ({"path": "rules[-1].cidr", "eq": "0.0.0.0/0"}, True),
        ({"path": "rules[5].port", "exists": True}, False),
        ({"path": "name.deeper", "exists": True}, False),
        ({"path": "created", "older_than": "300d"}, True),
        ({"path": "created", "newer_than": "300d"}, False),
        ({"path": "name", "older_than": "1d"}, False),
    ],
)
def test_comparisons(condition: dict[str, Any], expected: bool) -> None:
    assert verdict({"require": condition}, BUCKET) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"path": "rules", "any": {"path": "cidr", "eq": "0.0.0.0/0"}}, True),
        ({"path": "rules", "all": {"path": "port", "in": [443, 22]}}, True),
        ({"path": "rules", "none": {"path": "port", "eq": 22}}, False),
        ({"path": "missing", "any": {"path": "x", "eq": 1}}, False),
        ({"path": "missing", "all": {"path": "x", "eq": 1}}, False),
        ({"path": "missing", "none": {"path": "x", "eq": 1}}, True),
        ({"path": "tags", "any": {"path": ".", "eq": "pci"}}, True),
        ({"path": "vpcs[*].subnets[*]", "any": {"path": "public", "eq": True}}, True),
        ({"path": "vpcs[*].subnets[*]", "count": {"eq": 3}}, True),
        (
            {
                "path": "vpcs[*].subnets[*]",
                "where": {"path": "public", "eq": False},
                "count": {"ge": 2},
            },
            True,
        ),
        ({"path": "rules", "count": {"lt": 2}}, False),
        ({"path": "rules", "where": {"path": "port", "gt": 100}, "count": {"eq": 1}}, True),
    ],
)
def test_lists_wildcards_and_counts(condition: dict[str, Any], expected: bool) -> None:
    assert verdict({"require": condition}, BUCKET) is expected


def test_combinators_short_and_long() -> None:
    yes = {"path": "size", "eq": 12}
    no = {"path": "size", "eq": 0}
    assert verdict({"require": {"all": [yes, yes, {"not": no}]}}, BUCKET) is True
    assert verdict({"require": {"any": [no, no, yes]}}, BUCKET) is True
    assert verdict({"require": {"none": [no, yes]}}, BUCKET) is False
    # more than the nesting limit compiles to a flat block with the same meaning
    assert verdict({"require": {"all": [yes] * 30 + [no]}}, BUCKET) is False
    assert verdict({"require": {"any": [no] * 30 + [yes]}}, BUCKET) is True
    assert verdict({"require": {"none": [no] * 30}}, BUCKET) is True


def test_applies_if_false_is_not_applicable() -> None:
    rule = {"applies_if": {"path": "name", "eq": "other"}, "require": {"path": "size", "eq": 12}}
    assert verdict(rule, BUCKET) is None


def test_metadata_paths_read_the_evidence_item() -> None:
    rule = {"require": {"path": "@valid_until", "newer_than": "0d"}}
    assert verdict(rule, {}, valid_until=NOW + dt.timedelta(days=1)) is True
    assert verdict(rule, {}, valid_until=NOW - dt.timedelta(days=1)) is False
    assert verdict({"require": {"path": "@effective_from", "exists": True}}, {}) is False
    assert (
        verdict(
            {"require": {"path": "@effective_from", "older_than": "30d"}},
            {},
            effective_from=dt.date(2026, 1, 1),
        )
        is True
    )


def test_compiled_source_is_straight_line_python() -> None:
    _fn, source = compile_rule("t", {"require": {"path": "a.b", "eq": 1}}, "test")
    assert source.startswith("def evaluate(ev, ctx):")
    assert "r['a']['b']" in source.replace('"', "'")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"require": {"path": "a", "eq": 1, "ne": 2}}, "exactly one operator"),
        ({"require": {"path": "a", "between": 1}}, "unknown operator"),
        ({"require": {"path": "a[*].b", "eq": 1}}, "use any/all/none or count"),
        ({"require": {"path": "a", "regex": "("}}, "bad regex"),
        ({"require": {"path": "a", "older_than": "ninety days"}}, "not a duration"),
        ({"require": {"path": "@owner", "exists": True}}, "unknown metadata field"),
        ({"require": {"path": "a", "count": {"ge": "one"}}}, "whole number"),
        ({"require": {"path": "a", "in": []}}, "non-empty list"),
        ({"require": {"all": []}}, "is not all/any/none/not"),
        ({"applies_if": {"path": "a", "eq": 1}}, "needs `require`"),
        ({"require": {"path": "a", "eq": 1}, "other": 1}, "needs `require`"),
    ],
)
def test_bad_rules_are_refused_with_the_place(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(CheckDefinitionError, match=message):
        compile_rule("t", rule, "my.yaml")


def test_deep_nesting_is_refused() -> None:
    node: dict[str, Any] = {"path": "a", "eq": 1}
    for _ in range(20):
        node = {"not": node}
    with pytest.raises(CheckDefinitionError, match="nest deeper"):
        compile_rule("t", {"require": node}, "my.yaml")


def test_paths_and_durations_parse() -> None:
    assert parse_path("a.b[2].c[*]", "w") == (None, ["a", "b", 2, "c", "*"])
    assert parse_path("@valid_until", "w") == ("valid_until", [])
    assert parse_duration("90d", "w") == dt.timedelta(days=90)
    assert parse_duration("2w", "w") == dt.timedelta(weeks=2)
