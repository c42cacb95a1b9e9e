"""One module per AWS service; `SERVICES` is the order they appear in the catalogue."""

from __future__ import annotations

from attestly.integrations.builtin.aws.collectors import cloudtrail, iam, kms, s3
from attestly.integrations.builtin.aws.service import AwsService

SERVICES: tuple[AwsService, ...] = (iam.SERVICE, s3.SERVICE, cloudtrail.SERVICE, kms.SERVICE)
