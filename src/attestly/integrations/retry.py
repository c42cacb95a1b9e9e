"""Retrying remote calls: exponential back-off with full jitter on throttling and 5xx.

`call_with_retries(fn, policy)` calls `fn` until it returns, raises a non-retryable error, or
runs out of attempts. Retryable errors are `Throttled` and `TransientError` (see `base`);
a `Throttled.retry_after` from the server is honoured, capped by `policy.max_delay`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from attestly.integrations.base import CollectorError, Throttled

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait. Delay of attempt n (from 0) is
    `uniform(0, min(max_delay, base_delay * 2**n))`: "full jitter", which spreads a storm of
    clients apart better than a fixed back-off. Tests pass `sleep` to avoid waiting."""

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(self.max_delay, max(0.0, retry_after))
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return self.rng.uniform(0, ceiling)


DEFAULT_POLICY = RetryPolicy()


class RetriesExhausted(CollectorError):
    """Still throttled or failing after every attempt; the message says how often."""

    category = "retries_exhausted"


def call_with_retries(
    fn: Callable[[], T],
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    what: str = "",
    log: logging.Logger | logging.LoggerAdapter[Any] = log,
) -> T:
    """Call `fn`; retry `CollectorError`s whose `retryable` is true, then give up loudly."""
    last: CollectorError | None = None
    for attempt in range(policy.attempts):
        try:
            return fn()
        except CollectorError as exc:
            if not exc.retryable:
                raise
            last = exc
            if attempt + 1 == policy.attempts:
                break
            wait = policy.delay(attempt, exc.retry_after if isinstance(exc, Throttled) else None)
            log.info(
                "retrying %s after %s (attempt %d of %d, waiting %.2fs)",
                what or "call",
                exc.category,
                attempt + 1,
                policy.attempts,
                wait,
            )
            policy.sleep(wait)
    assert last is not None
    label = "throttled" if isinstance(last, Throttled) else "failing"
    raise RetriesExhausted(
        f"{what + ': ' if what else ''}still {label} after {policy.attempts} attempts ({last})"
    ) from last
