"""Reading an RDS instance record for the RDS checks: the instance's own setting, or for a
member of an Aurora (or Multi-AZ DB) cluster, the cluster's, where the setting lives there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attestly.checks.types import Status, Verdict
from attestly.integrations.builtin.common import unreadable


def setting(data: Mapping[str, Any], field: str, *, cluster_level: bool) -> tuple[Any, str]:
    """(value, whose) for `field`; `whose` names the instance or the cluster for details.
    An `error` Verdict as value when the record cannot say."""
    if (error := unreadable(data)) is not None:
        return error, ""
    cluster_id = data.get("cluster_id")
    if cluster_level and cluster_id:
        cluster = data.get("cluster")
        if not isinstance(cluster, Mapping):
            return (
                Verdict(
                    Status.ERROR, f"cluster {cluster_id} was not in the DescribeDBClusters answer"
                ),
                "",
            )
        return cluster.get(field), f"cluster {cluster_id}"
    value = data.get(field)
    if value is None and cluster_id and isinstance(data.get("cluster"), Mapping):
        return data["cluster"].get(field), f"cluster {cluster_id}"
    return value, f"instance {data.get('instance_id')}"


def boolean(
    data: Mapping[str, Any], field: str, label: str, *, cluster_level: bool = False
) -> tuple[bool | Verdict, str]:
    """A true/false setting, or an `error` verdict when it was not recorded."""
    value, whose = setting(data, field, cluster_level=cluster_level)
    if isinstance(value, Verdict):
        return value, whose
    if isinstance(value, bool):
        return value, whose
    return Verdict(Status.ERROR, f"{label} was not recorded for the {whose}"), whose
