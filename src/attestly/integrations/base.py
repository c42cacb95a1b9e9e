"""The integration API: what an integration declares and what its collectors see and yield.

An integration is a kind of system (AWS, a Linux host, PostgreSQL, a TLS endpoint…). It is one
package holding a declaration, a client, its collectors and its checks::

    integrations/builtin/<slug>/
      integration.py     # `integration = Integration(...)` and the config model
      client.py          # typed client; takes an injected transport
      collectors.py      # the only I/O: functions yielding `Record`s
      schemas.py         # evidence payload shapes
      checks/<check_id>/ # <check_id>.yaml (+ <check_id>.py), see docs/checks.md

The declaration::

    from pydantic import SecretStr
    from attestly.integrations.base import (
        Collector, CollectContext, ConnectionTest, Integration, IntegrationConfig, Record,
    )

    class Config(IntegrationConfig):
        url: str                                  # plain fields are stored as given
        password: SecretStr                       # SecretStr fields are encrypted at rest,
                                                  # write-only in the API, never logged

    def collect_users(ctx: CollectContext[Config]) -> Iterator[Record]:
        with ctx.http_client(base_url=ctx.config.url) as client:   # counts calls, timeouts
            for user in paginate(...):
                yield Record(kind="acme.user", key=f"acme:{ctx.config.url}:user:{user['id']}",
                             data=user)

    def test_connection(ctx: CollectContext[Config]) -> ConnectionTest:
        ...
        return ConnectionTest.ok("connected as admin, 3 projects visible")

    integration = Integration(
        slug="acme", name="Acme", version="1.0.0", description="…", config=Config,
        collectors=(Collector("users", kinds=("acme.user",), collect=collect_users),),
        test_connection=test_connection,
        checks="acme_attestly.checks",           # the package of its check folders
    )

and in the package's pyproject.toml::

    [project.entry-points."attestly.integrations"]
    acme = "acme_attestly.integration:integration"
    [project.entry-points."attestly.checks"]
    acme = "acme_attestly.checks"

Rules a collector follows:

- It does I/O and nothing else: it yields `Record`s; judging them is the checks' job.
- It raises a `CollectorError` subclass when it cannot finish (`BadCredentials`,
  `PermissionDenied("s3:ListBuckets")`, `Unreachable`, `MalformedResponse`…). Records it
  yielded before are then thrown away: a failed collector stores no partial evidence, and the
  checks reading its kinds get an `error` result naming the failure. Other collectors go on.
- It wraps each remote call in `ctx.retry(fn)` (or uses `ctx.http_client`, whose responses
  pass through `attestly.integrations.http.check_response`), so throttling (`Throttled`) and
  5xx-like failures (`TransientError`) are retried with exponential back-off and jitter.
- It counts remote calls: `ctx.http_client()` counts each request; other clients call
  `ctx.calls.add()` per call (boto3: one per API operation).
- Resource keys are stable and unique in the workspace (include the account, host or URL),
  since the newest record per (kind, key) is what checks judge.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr

if TYPE_CHECKING:
    import httpx

    from attestly.integrations.retry import RetryPolicy

__all__ = [
    "BadCredentials",
    "CallCounter",
    "CollectContext",
    "Collector",
    "CollectorError",
    "ConnectionTest",
    "Integration",
    "IntegrationConfig",
    "MalformedResponse",
    "PermissionDenied",
    "Record",
    "TestStatus",
    "Throttled",
    "TransientError",
    "Unreachable",
    "secret_fields",
]

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
C = TypeVar("C", bound="IntegrationConfig")
T = TypeVar("T")


class IntegrationConfig(BaseModel):
    """Base class of an integration's config model.

    Declare fields with types, defaults and `Field(description=...)`: the CLI prompts, the
    API's JSON Schema and the connect form are generated from them. Fields typed `SecretStr`
    (or `SecretStr | None`) are secrets: encrypted at rest, write-only in the API, shown as
    password inputs, never logged. Unknown fields are refused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


def _is_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    return SecretStr in getattr(annotation, "__args__", ())


def secret_fields(config: type[IntegrationConfig]) -> tuple[str, ...]:
    """Names of the config model's secret (`SecretStr`) fields."""
    return tuple(name for name, info in config.model_fields.items() if _is_secret(info.annotation))


@dataclass(frozen=True, slots=True)
class Record:
    """One piece of evidence a collector yields: a resource's state, as JSON data.

    `kind` is the evidence kind checks read (`<slug>.<resource>`, e.g. `postgresql.settings`);
    `key` the resource it describes, stable across runs and unique in the workspace.
    `effective_from`/`effective_to` are the date or period the evidence speaks for (a log
    export covering a month); `valid_until` is when it goes stale.
    """

    kind: str
    key: str
    data: Mapping[str, Any]
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    valid_until: dt.datetime | None = None


class CallCounter:
    """Counts remote API calls made during a run; safe to share between threads."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def add(self, n: int = 1) -> None:
        with self._lock:
            self._count += n

    @property
    def count(self) -> int:
        return self._count


# -- errors a collector or a connection test raises ---------------------------------------


class CollectorError(Exception):
    """A collector could not finish. The message is shown to people as is: make it specific
    (what was called, what came back), never include a secret."""

    category = "error"
    retryable = False


class Unreachable(CollectorError):
    """The endpoint does not answer (DNS, refused, timeout, TLS handshake)."""

    category = "unreachable"


class BadCredentials(CollectorError):
    """The endpoint refused the credentials (HTTP 401, password authentication failed)."""

    category = "bad_credentials"


class PermissionDenied(CollectorError):
    """The credentials work but lack one permission; `permission` names it."""

    category = "missing_permission"

    def __init__(self, permission: str, message: str = "") -> None:
        self.permission = permission
        super().__init__(message or f"permission denied: {permission} is required")


class MalformedResponse(CollectorError):
    """The endpoint answered something that is not what its API promises."""

    category = "malformed_response"


class Throttled(CollectorError):
    """Rate limited (HTTP 429, AWS Throttling). Retried; `retry_after` in seconds if known."""

    category = "throttled"
    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class TransientError(CollectorError):
    """A failure worth retrying: HTTP 5xx, a reset connection. Retried with back-off."""

    category = "transient"
    retryable = True


# -- connection tests ---------------------------------------------------------------------


class TestStatus(StrEnum):
    """What a connection test found."""

    __test__ = False  # not a pytest test class
    OK = "ok"
    UNREACHABLE = "unreachable"
    BAD_CREDENTIALS = "bad_credentials"
    MISSING_PERMISSION = "missing_permission"
    INVALID_CONFIG = "invalid_config"
    ERROR = "error"


@dataclass(frozen=True)
class ConnectionTest:
    """The answer of a test connection: a status, a message for people, and for
    `missing_permission` the permissions missing. Build with the class methods."""

    __test__ = False  # not a pytest test class

    status: TestStatus
    message: str
    missing_permissions: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == TestStatus.OK

    @classmethod
    def success(cls, message: str, **details: Any) -> ConnectionTest:
        return cls(TestStatus.OK, message, (), details)

    @classmethod
    def unreachable(cls, message: str) -> ConnectionTest:
        return cls(TestStatus.UNREACHABLE, message)

    @classmethod
    def bad_credentials(cls, message: str) -> ConnectionTest:
        return cls(TestStatus.BAD_CREDENTIALS, message)

    @classmethod
    def missing_permission(cls, permissions: Iterable[str], message: str) -> ConnectionTest:
        return cls(TestStatus.MISSING_PERMISSION, message, tuple(permissions))

    @classmethod
    def from_error(cls, exc: CollectorError) -> ConnectionTest:
        """The test result a collector error stands for."""
        if isinstance(exc, PermissionDenied):
            return cls.missing_permission([exc.permission], str(exc))
        status = {
            "unreachable": TestStatus.UNREACHABLE,
            "bad_credentials": TestStatus.BAD_CREDENTIALS,
        }.get(exc.category, TestStatus.ERROR)
        return cls(status, str(exc))


# -- what collectors and tests receive ----------------------------------------------------


@dataclass
class CollectContext(Generic[C]):
    """What a collector (or a connection test) receives.

    `config` is the validated config with secrets decrypted (`config.password
    .get_secret_value()` where the client needs it). `calls` counts remote calls, `timeout`
    is the per-request timeout in seconds, `log` a logger that never sees secrets unless you
    put them there, `now` the run's instant. `transport` is injected by tests (an
    `httpx.MockTransport` or a recorded-response transport); `ctx.http_client()` uses it.
    `shared` is one dict for all the collectors of a run, which run in threads at once: for
    what they can share (the AWS integration keeps its one boto3 session there); make what
    you put there safe to use from several threads.
    """

    config: C
    calls: CallCounter = field(default_factory=CallCounter)
    timeout: float = 30.0
    log: logging.Logger | logging.LoggerAdapter[logging.Logger] = field(
        default_factory=lambda: logging.getLogger("attestly.integrations")
    )
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    transport: httpx.BaseTransport | None = None
    retry_policy: RetryPolicy | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)

    def retry(self, fn: Callable[[], T], *, what: str = "") -> T:
        """Call `fn`, retrying `Throttled` and `TransientError` with back-off and jitter."""
        from attestly.integrations.retry import DEFAULT_POLICY, call_with_retries

        return call_with_retries(fn, self.retry_policy or DEFAULT_POLICY, what=what, log=self.log)

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client with this run's timeout, injected transport and call counting."""
        from attestly.integrations.http import make_client

        return make_client(self, **kwargs)


Collect = Callable[[CollectContext[Any]], Iterable[Record]]
TestConnection = Callable[[CollectContext[Any]], ConnectionTest]


@dataclass(frozen=True)
class Collector:
    """One collector: reads one service and yields records of the `kinds` it declares.

    Collectors of one connection run concurrently (one thread each); `service` groups
    collectors that must not run at once against the same API (defaults to the name).
    """

    name: str
    kinds: tuple[str, ...]
    collect: Collect
    description: str = ""
    service: str = ""

    @property
    def service_name(self) -> str:
        return self.service or self.name


@dataclass(frozen=True)
class Integration:
    """A kind of system Attestly collects evidence from. See the module docstring."""

    slug: str
    name: str
    version: str
    description: str
    config: type[IntegrationConfig]
    collectors: tuple[Collector, ...]
    test_connection: TestConnection
    checks: str = ""  # dotted name of the package of its check folders
    docs_url: str = ""
    default_schedule: str = "6h"

    def __post_init__(self) -> None:
        if not SLUG_RE.match(self.slug):
            raise ValueError(f"integration slug {self.slug!r} must match {SLUG_RE.pattern}")
        if not issubclass(self.config, IntegrationConfig):
            raise TypeError(f"{self.slug}: config must subclass IntegrationConfig")
        names = [c.name for c in self.collectors]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.slug}: collector names must be unique: {names}")
        if not self.collectors:
            raise ValueError(f"{self.slug}: declares no collector")

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every evidence kind its collectors produce, sorted."""
        return tuple(sorted({k for c in self.collectors for k in c.kinds}))

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return secret_fields(self.config)

    def collector(self, name: str) -> Collector:
        for collector in self.collectors:
            if collector.name == name:
                return collector
        raise KeyError(f"{self.slug} has no collector {name!r}")
