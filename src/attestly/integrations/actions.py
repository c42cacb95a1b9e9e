"""Every write of the integrations app: connections, their secrets, and collection runs.

Secrets are sealed here and nowhere else; audit entries name the secret fields that were set
or changed, never their values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import SecretStr
from pydantic import ValidationError as PydanticValidationError

from attestly.core import audit
from attestly.core.models import Workspace
from attestly.integrations.base import Integration, IntegrationConfig
from attestly.integrations.models import CollectionRun, Connection, RunStatus
from attestly.integrations.registry import IntegrationRegistry, get_registry
from attestly.integrations.schedule import ScheduleError, parse_schedule
from attestly.integrations.secrets import SecretBox, current_box

if TYPE_CHECKING:
    from attestly.accounts.models import User

NAME_MAX = 100


def config_errors(exc: PydanticValidationError) -> dict[str, str]:
    """Field → message, without the input values (which may be secrets)."""
    found: dict[str, str] = {}
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "config"
        found.setdefault(field, err["msg"])
    return found


def validate_config(integration: Integration, values: Mapping[str, Any]) -> IntegrationConfig:
    """The integration's config model from plain values; `ValidationError` names each field."""
    try:
        return integration.config.model_validate(dict(values))
    except PydanticValidationError as exc:
        raise ValidationError(config_errors(exc)) from None


def split_config(
    integration: Integration, config: IntegrationConfig
) -> tuple[dict[str, Any], dict[str, str]]:
    """(non-secret JSON values, secret values) of a validated config."""
    secret_names = set(integration.secret_fields)
    plain = config.model_dump(mode="json", exclude=secret_names)
    secrets: dict[str, str] = {}
    for name in secret_names:
        value = getattr(config, name)
        if isinstance(value, SecretStr):
            secrets[name] = value.get_secret_value()
    return plain, secrets


def load_config(
    connection: Connection, integration: Integration, box: SecretBox | None = None
) -> IntegrationConfig:
    """A connection's validated config with its secrets decrypted (for runs and tests only)."""
    secrets = (box or current_box()).open(connection.secrets)
    return validate_config(integration, {**connection.config, **secrets})


def _check_schedule(schedule: str) -> str:
    try:
        return parse_schedule(schedule).text
    except ScheduleError as exc:
        raise ValidationError({"schedule": str(exc)}) from None


def _check_name(workspace: Workspace, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError({"name": f"Give a name of 1 to {NAME_MAX} characters."})
    taken = Connection.objects.filter(workspace=workspace, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": f"This workspace already has a connection named {name!r}."})
    return name


def _summary(connection: Connection, secret_names: list[str]) -> dict[str, Any]:
    return {
        "name": connection.name,
        "integration": connection.integration,
        "config": connection.config,
        "secrets_set": sorted(secret_names),
        "schedule": connection.schedule,
        "enabled": connection.enabled,
    }


def do_create_connection(
    *,
    actor: User | None,
    workspace: Workspace,
    integration: str,
    name: str,
    config: Mapping[str, Any],
    schedule: str | None = None,
    enabled: bool = True,
    registry: IntegrationRegistry | None = None,
) -> Connection:
    """Configure an integration in a workspace. `config` holds plain and secret fields alike."""
    registry = registry or get_registry()
    if integration not in registry:
        raise ValidationError({"integration": f"No integration {integration!r} is installed."})
    declared = registry.get(integration)
    name = _check_name(workspace, name)
    schedule = _check_schedule(schedule or declared.default_schedule)
    plain, secrets = split_config(declared, validate_config(declared, config))
    now = timezone.now()
    with transaction.atomic():
        connection = Connection.objects.create(
            workspace=workspace,
            name=name,
            integration=integration,
            config=plain,
            secrets=current_box().seal(secrets),
            schedule=schedule,
            enabled=enabled,
            next_run_at=now if enabled else None,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="integrations.connection.create",
            obj=connection,
            workspace=workspace,
            after=_summary(connection, list(secrets)),
        )
    return connection


def do_update_connection(
    *,
    actor: User | None,
    connection: Connection,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    schedule: str | None = None,
    enabled: bool | None = None,
    registry: IntegrationRegistry | None = None,
) -> Connection:
    """Change a connection. `config` is merged over the stored values: a secret left out
    keeps its stored value, so forms and API clients never need to send secrets back."""
    declared = (registry or get_registry()).get(connection.integration)
    box = current_box()
    secret_names = set(declared.secret_fields)
    before = _summary(connection, list(box.open(connection.secrets)))
    changed_secrets: list[str] = []
    if config is not None:
        stored = {**connection.config, **box.open(connection.secrets)}
        given = {k: v for k, v in config.items() if not (k in secret_names and v in ("", None))}
        changed_secrets = sorted(
            k for k in given if k in secret_names and given[k] != stored.get(k)
        )
        plain, secrets = split_config(declared, validate_config(declared, {**stored, **given}))
        connection.config, connection.secrets = plain, box.seal(secrets)
    if name is not None:
        connection.name = _check_name(connection.workspace, name, exclude=connection.pk)
    if schedule is not None:
        connection.schedule = _check_schedule(schedule)
        connection.next_run_at = parse_schedule(connection.schedule).next_after(timezone.now())
    if enabled is not None:
        connection.enabled = enabled
        if enabled and connection.next_run_at is None:
            connection.next_run_at = timezone.now()
    with transaction.atomic():
        connection.save()
        after = _summary(connection, list(box.open(connection.secrets)))
        after["secrets_changed"] = changed_secrets
        audit.record(
            actor=actor,
            action="integrations.connection.update",
            obj=connection,
            workspace=connection.workspace,
            before=before,
            after=after,
        )
    return connection


def do_delete_connection(*, actor: User | None, connection: Connection) -> None:
    """Remove a connection and its secrets. Its evidence and runs stay (they are records)."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="integrations.connection.delete",
            obj=connection,
            workspace=connection.workspace,
            before=_summary(connection, []),
        )
        connection.delete()


def do_rotate_secrets(*, actor: User | None, old: SecretBox, new: SecretBox) -> int:
    """Re-encrypt every connection's secrets from `old` to `new`, all or none. Returns how
    many connections were re-encrypted. Raises `SecretsError` if one does not open."""
    count = 0
    with transaction.atomic():
        for connection in Connection.objects.select_for_update().exclude(secrets=""):
            connection.secrets = new.seal(old.open(connection.secrets))
            connection.save(update_fields=["secrets"])
            count += 1
        audit.record(
            actor=actor,
            action="integrations.secrets.rotate",
            workspace=None,
            object_type="integrations.secretkey",
            object_id=new.key_id,
            object_repr=f"secret key {new.key_id}",
            before={"key_id": old.key_id},
            after={"key_id": new.key_id, "connections": count},
        )
    return count


def do_start_collection_run(
    *, actor: User | None, connection: Connection, trigger: str = "manual"
) -> CollectionRun:
    """Open a run row for a connection; `integrations.collection.execute_run` fills it."""
    with transaction.atomic():
        run = CollectionRun.objects.create(
            workspace=connection.workspace,
            connection=connection,
            connection_name=connection.name,
            integration=connection.integration,
            trigger=trigger,
            status=RunStatus.RUNNING,
            started_at=timezone.now(),
            actor=actor,
        )
        audit.record(
            actor=actor,
            action="integrations.run.start",
            obj=run,
            workspace=connection.workspace,
            after={"connection": connection.name, "trigger": trigger},
        )
    return run


def do_finish_collection_run(
    *,
    actor: User | None,
    run: CollectionRun,
    status: str,
    fields: Mapping[str, Any],
    next_run_at: dt.datetime | None,
) -> CollectionRun:
    """Record what a run did, and when its connection runs next."""
    now = timezone.now()
    with transaction.atomic():
        for name, value in fields.items():
            setattr(run, name, value)
        run.status = status
        run.finished_at = now
        run.duration_ms = max(0, int((now - run.started_at).total_seconds() * 1000))
        run.save()
        if run.connection_id is not None:
            Connection.objects.filter(pk=run.connection_id).update(
                last_run_at=now, last_status=status, next_run_at=next_run_at
            )
        audit.record(
            actor=actor,
            action="integrations.run.finish",
            obj=run,
            workspace=run.workspace,
            after={
                "status": status,
                "evidence_items": run.evidence_items,
                "api_calls": run.api_calls,
                "results": run.results,
                "errors": sorted(run.errors),
            },
        )
    return run


def do_claim_due_run(*, connection: Connection, now: dt.datetime) -> bool:
    """Move a due connection's next run forward, unless another scheduler already did.
    True when this caller claimed the run (and should start it)."""
    following = parse_schedule(connection.schedule).next_after(now)
    with transaction.atomic():
        claimed = Connection.objects.filter(
            pk=connection.pk, next_run_at=connection.next_run_at, enabled=True
        ).update(next_run_at=following)
    return claimed == 1


def do_request_collection(
    *, actor: User | None, connection: Connection, now: dt.datetime
) -> Connection:
    """Make a connection due now, so the scheduler runs it at its next tick."""
    with transaction.atomic():
        connection.next_run_at = now
        connection.save(update_fields=["next_run_at"])
        audit.record(
            actor=actor,
            action="integrations.connection.request_collection",
            obj=connection,
            workspace=connection.workspace,
            after={"next_run_at": now.isoformat()},
        )
    return connection
