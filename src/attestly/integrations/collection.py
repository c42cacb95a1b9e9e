"""Running a connection: its collectors concurrently, their evidence into the ledger, then
its checks over the new evidence.

- Collectors run in a thread pool, one thread per service (collectors sharing a `service`
  run one after the other). They do I/O only; their records are buffered in memory.
- A collector that raises (or overruns its deadline) is failed: its records are dropped, so
  no partial evidence is stored, and every check reading its kinds gets `error` results for
  this connection's resources (or one result on `connection:<name>` when it has none yet).
  The other collectors' evidence is stored and judged as usual.
- Each successful collector's records are one evidence batch with the deterministic key
  `connection:<id>:run:<run id>:<collector>`: a job re-run after a crash adds nothing.
- The checks run through the check engine's `do_run_checks`, in one check run.

`execute_run(run_id)` is the task body; it takes ids only, so the in-process worker and a
Celery task call the same code.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from attestly.checks.engine import kind_matches
from attestly.checks.registry import Check, CheckRegistry
from attestly.checks.registry import get_registry as get_check_registry
from attestly.checks.sources import GONE, GONE_HASH, EvidenceSource, LedgerSource
from attestly.checks.types import Evidence, Status, Verdict
from attestly.core.models import Workspace
from attestly.integrations.actions import do_finish_collection_run, load_config
from attestly.integrations.base import (
    CallCounter,
    CollectContext,
    Collector,
    CollectorError,
    Integration,
    Record,
)
from attestly.integrations.models import CollectionRun, RunStatus
from attestly.integrations.registry import IntegrationRegistry, get_registry
from attestly.integrations.schedule import parse_schedule
from attestly.integrations.secrets import SecretsError

if TYPE_CHECKING:
    import httpx

    from attestly.integrations.retry import RetryPolicy

log = logging.getLogger(__name__)
MAX_WORKERS = 8
DEFAULT_COLLECTOR_TIMEOUT = 15 * 60.0


class CollectorTimeout(CollectorError):
    """A collector ran past its deadline."""

    category = "timeout"


@dataclass
class CollectorOutcome:
    """What one collector produced: its records, or the error that failed it."""

    name: str
    records: list[Record] = field(default_factory=list)
    error: CollectorError | None = None
    duration_ms: int = 0
    stored: int = 0
    vanished: int = 0  # resources it reported before and no longer finds

    def report(self) -> dict[str, Any]:
        return {
            "status": "failed" if self.error else "ok",
            "records": len(self.records),
            "stored": self.stored,
            "vanished": self.vanished,
            "duration_ms": self.duration_ms,
            "error": describe_error(self.error) if self.error else None,
        }


@dataclass
class RunOptions:
    """Knobs tests and the CLI turn: an injected HTTP transport, a retry policy, timeouts,
    a progress callback (collector name, finished?), and registries."""

    transport: httpx.BaseTransport | None = None
    retry_policy: RetryPolicy | None = None
    request_timeout: float = 30.0
    collector_timeout: float = DEFAULT_COLLECTOR_TIMEOUT
    on_progress: Callable[[str, bool], None] | None = None
    integrations: IntegrationRegistry | None = None
    checks: CheckRegistry | None = None


def describe_error(exc: CollectorError) -> dict[str, str]:
    return {
        "category": exc.category,
        "message": str(exc)[:2000],
        "permission": str(getattr(exc, "permission", "")),
    }


def _checked(collector: Collector, records: Iterable[Record], deadline: float) -> list[Record]:
    """Buffer a collector's records, validating each and enforcing its deadline."""
    kept: list[Record] = []
    for record in records:
        if time.monotonic() > deadline:
            raise CollectorTimeout(f"{collector.name}: still collecting at its deadline; stopped")
        if not isinstance(record, Record):
            raise CollectorError(
                f"{collector.name} yielded a {type(record).__name__}, not a Record (a bug in "
                "the integration)"
            )
        if record.kind not in collector.kinds:
            raise CollectorError(
                f"{collector.name} yielded kind {record.kind!r}, which it does not declare "
                f"({', '.join(collector.kinds)})"
            )
        if not record.key:
            raise CollectorError(f"{collector.name} yielded a {record.kind} record without a key")
        kept.append(record)
    return kept


def run_collectors(
    collectors: Sequence[Collector],
    make_context: Callable[[], CollectContext[Any]],
    timeout: float,
    on_progress: Callable[[str, bool], None] | None = None,
) -> list[CollectorOutcome]:
    """Run collectors, one thread per service; never raises because of a collector."""
    by_service: dict[str, list[Collector]] = {}
    for collector in collectors:
        by_service.setdefault(collector.service_name, []).append(collector)

    def run_service(group: list[Collector]) -> list[CollectorOutcome]:
        done = []
        for collector in group:
            if on_progress:
                on_progress(collector.name, False)
            started = time.monotonic()
            outcome = CollectorOutcome(collector.name)
            try:
                outcome.records = _checked(
                    collector, collector.collect(make_context()), started + timeout
                )
            except CollectorError as exc:
                outcome.error = exc
            except Exception as exc:  # a bug in the collector must not stop the run
                log.exception("collector %s raised", collector.name)
                outcome.error = CollectorError(f"{collector.name}: {type(exc).__name__}: {exc}")
            if outcome.error is not None:
                outcome.records = []  # no partial evidence from a failed collector
            outcome.duration_ms = int((time.monotonic() - started) * 1000)
            if on_progress:
                on_progress(collector.name, True)
            done.append(outcome)
        return done

    workers = max(1, min(MAX_WORKERS, len(by_service)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collector") as pool:
        groups = list(pool.map(run_service, by_service.values()))
    order = {c.name: i for i, c in enumerate(collectors)}
    return sorted((o for g in groups for o in g), key=lambda o: order[o.name])


def checks_for(integration: Integration, registry: CheckRegistry) -> list[Check]:
    """Scheduled checks that read at least one kind the integration produces."""
    kinds = integration.kinds
    return [
        c
        for c in registry
        if c.scheduled and any(kind_matches(p, k) for p in c.meta.kinds for k in kinds)
    ]


class _FailureAwareSource:
    """The ledger, plus a placeholder item for each failed kind this connection has no
    evidence of yet, so its checks still show an `error` result."""

    def __init__(self, inner: EvidenceSource, placeholders: Mapping[str, Evidence]) -> None:
        self.inner = inner
        self.placeholders = placeholders

    def current(self, workspace: Workspace, kinds: Iterable[str]) -> dict[str, list[Evidence]]:
        wanted = list(kinds)
        found = self.inner.current(workspace, wanted)
        for kind, item in self.placeholders.items():
            if any(kind_matches(p, kind) for p in wanted):
                found.setdefault(kind, []).append(item)
        return found

    def by_hashes(self, workspace: Workspace, hashes: Sequence[str]) -> list[Evidence]:
        return self.inner.by_hashes(workspace, hashes)


def _erroring(check: Check, failed: Mapping[str, str], own_keys: set[str]) -> Check:
    """The check, answering `error` for this connection's items of failed kinds."""
    original = check.evaluate
    if check.meta.scope != "resource":
        message = "; ".join(sorted(set(failed.values())))

        def evaluate_all(items: Any, ctx: Any) -> Any:
            if any(item.kind in failed for item in items):
                return Verdict(Status.ERROR, message)
            return original(items, ctx)

        return Check(check.meta, evaluate_all, check.origin, check.declarative, check.criteria)

    def evaluate(item: Any, ctx: Any) -> Any:
        reason = failed.get(item.kind)
        if reason is not None and (item.key in own_keys or not item.hash):
            return Verdict(Status.ERROR, reason)
        return original(item, ctx)

    return Check(check.meta, evaluate, check.origin, check.declarative, check.criteria)


def evaluate_connection_checks(
    run: CollectionRun,
    integration: Integration,
    outcomes: Sequence[CollectorOutcome],
    registry: CheckRegistry,
    actor: Any = None,
) -> tuple[int | None, dict[str, int]]:
    """Run the integration's checks; checks reading a failed collector's kinds get `error`."""
    from attestly.checks.actions import do_run_checks
    from attestly.evidence.models import EvidenceItem

    checks = checks_for(integration, registry)
    if not checks:
        return None, {}
    failed: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.error is not None:
            for kind in integration.collector(outcome.name).kinds:
                failed[kind] = f"collector {outcome.name} failed: {outcome.error}"[:1000]
    source: EvidenceSource = LedgerSource()
    derived = registry
    if failed:
        own_keys = set(
            EvidenceItem.objects.filter(
                workspace_id=run.workspace_id,
                source="connection",
                source_ref=f"connection:{run.connection_id}",
                kind__in=list(failed),
            ).values_list("resource_key", flat=True)
        )
        with_evidence = set(
            EvidenceItem.objects.filter(
                workspace_id=run.workspace_id,
                source_ref=f"connection:{run.connection_id}",
                kind__in=list(failed),
            ).values_list("kind", flat=True)
        )
        placeholders = {
            kind: Evidence(kind, f"connection:{run.connection_name}", "", {}, timezone.now())
            for kind in failed
            if kind not in with_evidence
        }
        source = _FailureAwareSource(source, placeholders)
        affected = {
            c.id for c in checks if any(kind_matches(p, k) for p in c.meta.kinds for k in failed)
        }
        derived = CheckRegistry()
        for check in registry:
            derived.register(_erroring(check, failed, own_keys) if check.id in affected else check)
        derived.freeze()
    check_run = do_run_checks(
        actor=actor,
        workspace=run.workspace,
        check_ids=[c.id for c in checks],
        source=source,
        registry=derived,
    )
    return check_run.pk, dict(check_run.counts)


def _vanished(run: CollectionRun, kinds: Sequence[str], seen: set[tuple[str, str]]) -> list[Any]:
    """(kind, key) this connection reported before, still present then, absent from `seen`."""
    from django.db.models import Max

    from attestly.evidence.models import EvidenceItem

    if not kinds:
        return []
    mine = EvidenceItem.objects.filter(
        workspace_id=run.workspace_id,
        source_ref=f"connection:{run.connection_id}",
        kind__in=list(kinds),
    )
    newest = mine.values("kind", "resource_key").annotate(last=Max("seq")).values("last")
    present = (
        EvidenceItem.objects.filter(workspace_id=run.workspace_id, seq__in=newest)
        .exclude(content_hash=GONE_HASH)
        .values_list("kind", "resource_key")
    )
    return sorted((kind, key) for kind, key in present if key and (kind, key) not in seen)


def _store(
    run: CollectionRun, outcome: CollectorOutcome, actor: Any, kinds: Sequence[str] = ()
) -> None:
    """Record a successful collector's items, plus a "gone" marker for each resource it
    reported in an earlier run and no longer does (a deleted bucket stops being judged)."""
    from attestly.evidence.actions import do_record_evidence_batch
    from attestly.evidence.ledger import EvidenceInput
    from attestly.evidence.models import Source

    gone = _vanished(run, kinds, {(r.kind, r.key) for r in outcome.records})
    markers = (EvidenceInput(kind=kind, resource_key=key, content=GONE) for kind, key in gone)
    outcome.vanished = len(gone)
    result = do_record_evidence_batch(
        actor=actor,
        workspace=run.workspace,
        source=Source.CONNECTION,
        batch_key=f"connection:{run.connection_id}:run:{run.pk}:{outcome.name}"[:200],
        source_ref=f"connection:{run.connection_id}",
        items=itertools.chain(
            (
                EvidenceInput(
                    kind=r.kind,
                    resource_key=r.key,
                    content=dict(r.data),
                    effective_from=r.effective_from,
                    effective_to=r.effective_to,
                    valid_until=r.valid_until,
                )
                for r in outcome.records
            ),
            markers,
        ),
    )
    outcome.stored = result.item_count


def execute_run(run_id: int, options: RunOptions | None = None) -> CollectionRun:
    """Collect, store and judge for one started run (see `do_start_collection_run`)."""
    options = options or RunOptions()
    run = CollectionRun.objects.select_related("connection", "workspace").get(pk=run_id)
    connection = run.connection
    if connection is None:
        raise ValueError(f"collection run {run_id} has no connection any more")
    integrations = options.integrations or get_registry()
    checks = options.checks or get_check_registry()
    actor = run.actor
    next_run = (
        parse_schedule(connection.schedule).next_after(timezone.now())
        if connection.enabled
        else None
    )
    try:
        integration = integrations.get(connection.integration)
        config = load_config(connection, integration)
    except (KeyError, SecretsError, ValidationError) as exc:
        message = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return do_finish_collection_run(
            actor=actor,
            run=run,
            status=RunStatus.FAILED,
            fields={
                "errors": {"connection": {"category": "config", "message": "; ".join(message)}}
            },
            next_run_at=next_run,
        )
    calls = CallCounter()
    shared: dict[str, Any] = {}  # one for the run: what its collectors share (see CollectContext)
    logger = logging.LoggerAdapter(log, {"connection": connection.name, "run": run.pk})

    def make_context() -> CollectContext[Any]:
        return CollectContext(
            config=config,
            calls=calls,
            timeout=options.request_timeout,
            log=logger,
            now=run.started_at,
            transport=options.transport,
            retry_policy=options.retry_policy,
            shared=shared,
        )

    outcomes = run_collectors(
        integration.collectors, make_context, options.collector_timeout, options.on_progress
    )
    # The collectors are done: drop what they shared (the AWS session and its clients). No
    # forced full collection for their reference cycles: since the AWS models are pruned
    # (aws/botocore_models.py) it freed nothing measurable and took 0.1-0.2 s of every run.
    shared.clear()
    return record_outcomes(
        run, integration, outcomes, checks=checks, api_calls=calls.count, next_run_at=next_run
    )


def record_outcomes(
    run: CollectionRun,
    integration: Integration,
    outcomes: Sequence[CollectorOutcome],
    *,
    checks: CheckRegistry | None = None,
    api_calls: int = 0,
    next_run_at: dt.datetime | None = None,
) -> CollectionRun:
    """Store the evidence of the successful collectors (one batch each), judge the
    integration's checks, and close the run with its counts.

    For collections that happen elsewhere (an agent posting a host's records): open a run
    with `do_start_collection_run`, build one `CollectorOutcome` per collector (records, or
    the `CollectorError` that failed it), and call this. The outcomes' records are let go once
    stored (their counts stay in the run's report).
    """
    actor = run.actor
    for outcome in outcomes:
        if outcome.error is None:
            try:
                kinds = next(
                    (c.kinds for c in integration.collectors if c.name == outcome.name), ()
                )
                _store(run, outcome, actor, kinds)
            except ValidationError as exc:
                outcome.error = CollectorError(f"{outcome.name}: evidence refused: {exc.messages}")
                outcome.records = []
    resources = len({(r.kind, r.key) for o in outcomes for r in o.records})
    reports = {o.name: o.report() for o in outcomes}
    for outcome in outcomes:
        # Stored: the checks read them back from the ledger, so do not hold a second copy
        # of every record in memory while they load and judge it.
        outcome.records = []
    check_run_id, results = evaluate_connection_checks(
        run, integration, outcomes, checks or get_check_registry(), actor
    )
    failed = {o.name: describe_error(o.error) for o in outcomes if o.error is not None}
    status = (
        RunStatus.SUCCEEDED
        if not failed
        else RunStatus.FAILED
        if len(failed) == len(outcomes)
        else RunStatus.PARTIAL
    )
    return do_finish_collection_run(
        actor=actor,
        run=run,
        status=status,
        fields={
            "api_calls": api_calls,
            "resources": resources,
            "evidence_items": sum(o.stored for o in outcomes),
            "results": results,
            "collectors": reports,
            "errors": failed,
            "batch_key": f"connection:{run.connection_id}:run:{run.pk}",
            "check_run_id": check_run_id,
        },
        next_run_at=next_run_at,
    )
