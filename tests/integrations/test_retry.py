from __future__ import annotations

import random

import pytest

from attestly.integrations.base import BadCredentials, Throttled, TransientError
from attestly.integrations.retry import RetriesExhausted, RetryPolicy, call_with_retries


def flaky(failures: list[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    return calls, fn


def test_throttling_and_5xx_are_retried_with_growing_jittered_waits() -> None:
    waits: list[float] = []
    policy = RetryPolicy(attempts=5, base_delay=1.0, sleep=waits.append, rng=random.Random(1))
    calls, fn = flaky([Throttled("slow down"), TransientError("502"), TransientError("503")])
    assert call_with_retries(fn, policy) == "done"  # type: ignore[arg-type]
    assert len(calls) == 4
    assert [w <= c for w, c in zip(waits, [1.0, 2.0, 4.0], strict=True)] == [True] * 3


def test_retry_after_from_the_server_is_honoured_and_capped() -> None:
    waits: list[float] = []
    policy = RetryPolicy(max_delay=10.0, sleep=waits.append)
    _calls, fn = flaky([Throttled("a", retry_after=3.0), Throttled("b", retry_after=3600.0)])
    call_with_retries(fn, policy)  # type: ignore[arg-type]
    assert waits == [3.0, 10.0]


def test_other_errors_are_not_retried() -> None:
    calls, fn = flaky([BadCredentials("401")])
    with pytest.raises(BadCredentials):
        call_with_retries(fn, RetryPolicy(sleep=lambda _s: None))  # type: ignore[arg-type]
    assert len(calls) == 1


def test_giving_up_says_how_often_it_tried() -> None:
    _calls, fn = flaky([Throttled("429")] * 10)
    with pytest.raises(
        RetriesExhausted, match=r"^GET /x: still throttled after 3 attempts \(429\)"
    ):
        call_with_retries(fn, RetryPolicy(attempts=3, sleep=lambda _s: None), what="GET /x")  # type: ignore[arg-type]
