"""Pass when the trail has a log group and delivered to it within a day of the run."""

from __future__ import annotations

import datetime as dt

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable

MAX_AGE = dt.timedelta(days=1)


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if not item.data.get("cloudwatch_logs_log_group_arn"):
        return fail("no CloudWatch Logs group configured")
    status = item.data.get("status") or {}
    if status.get("error"):
        return Verdict(Status.ERROR, f"trail status: {status['error']}")
    last = status.get("LatestCloudWatchLogsDeliveryTime")
    if not last:
        return fail("a log group is configured but no delivery to it is recorded")
    when = dt.datetime.fromisoformat(str(last))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if ctx.now - when > MAX_AGE:
        return fail(f"last delivery to CloudWatch Logs was {when:%Y-%m-%d %H:%M} UTC")
    return True
