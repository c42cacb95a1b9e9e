"""GuardDuty: per region, the detectors and whether they are on.

A region has at most one detector per account: `ListDetectors` then `GetDetector` for each
(one, or none when GuardDuty was never turned on there), i.e. one or two calls per region.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from attestly.integrations.base import Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_REGION = "aws.guardduty.region"


def _detector(client: AwsClient, region: str, detector_id: str) -> dict[str, Any] | None:
    answer = client.call(
        "guardduty",
        "GetDetector",
        region,
        missing=("BadRequestException", "ResourceNotFoundException"),
        DetectorId=detector_id,
    )
    if answer is None:  # deleted between the listing and the read
        return None
    return {
        "id": detector_id,
        "status": answer.get("Status"),
        "finding_publishing_frequency": answer.get("FindingPublishingFrequency"),
        "created": answer.get("CreatedAt"),
        "updated": answer.get("UpdatedAt"),
        "service_role": answer.get("ServiceRole"),
        "data_sources": answer.get("DataSources"),
        "features": [
            {"name": f.get("Name"), "status": f.get("Status")} for f in answer.get("Features") or []
        ],
        "tags": answer.get("Tags") or {},
    }


def _region(client: AwsClient, region: str) -> Iterator[Record]:
    ids = [str(i) for i in client.paginate("guardduty", "ListDetectors", "DetectorIds", region)]
    detectors = [d for d in (_detector(client, region, i) for i in ids) if d is not None]
    yield Record(
        KIND_REGION,
        client.key(region, "guardduty", "detectors"),
        jsonable({"region": region, "detectors": detectors}),
    )


def collect(client: AwsClient) -> Iterator[Record]:
    yield from client.per_region(lambda region: _region(client, region))


SERVICE = AwsService(
    name="guardduty",
    kinds=(KIND_REGION,),
    collect=collect,
    probe=Probe("guardduty", "ListDetectors"),
    description="GuardDuty detectors and their status (per region).",
    permissions=("guardduty:ListDetectors", "guardduty:GetDetector"),
    operations={
        "guardduty": ("ListDetectors", "GetDetector"),
    },
)
