"""Pass when automated backups are kept at least MIN_DAYS days (for an Aurora member, its
cluster's retention); read replicas are not judged, their source holds the backups."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.aws.checks._rds import setting
from attestly.integrations.builtin.common import fail, not_applicable

MIN_DAYS = 7


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    source = item.data.get("read_replica_source")
    if source and not item.data.get("error"):
        return not_applicable(f"a read replica of {source}")
    days, whose = setting(item.data, "backup_retention_period", cluster_level=True)
    if isinstance(days, Verdict):
        return days
    if isinstance(days, bool) or not isinstance(days, int):
        return Verdict(Status.ERROR, f"the backup retention of the {whose} was not recorded")
    if days == 0:
        return fail(f"automated backups are off on the {whose}")
    if days < MIN_DAYS:
        return fail(f"the {whose} keeps automated backups {days} days, fewer than {MIN_DAYS}")
    return True
