"""One module per AWS service; `SERVICES` is the order they appear in the catalogue."""

from __future__ import annotations

from attestly.integrations.builtin.aws.collectors import (
    backup,
    cloudtrail,
    config,
    ec2,
    guardduty,
    iam,
    kms,
    logs,
    rds,
    s3,
)
from attestly.integrations.builtin.aws.service import AwsService

SERVICES: tuple[AwsService, ...] = (
    iam.SERVICE,
    s3.SERVICE,
    cloudtrail.SERVICE,
    kms.SERVICE,
    ec2.SERVICE,
    rds.SERVICE,
    logs.SERVICE,
    guardduty.SERVICE,
    config.SERVICE,
    backup.SERVICE,
)
