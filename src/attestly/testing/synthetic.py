"""Synthetic evidence for benchmarks and fault tests: realistic S3 bucket records, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from attestly.evidence.ledger import EvidenceInput


def s3_bucket_inputs(count: int, *, run: str = "run-1") -> Iterator[EvidenceInput]:
    """`count` distinct `aws.s3.bucket` items, generated lazily (constant memory)."""
    regions = ("eu-west-1", "us-east-1", "ap-southeast-2")
    for n in range(count):
        name = f"bucket-{n:07d}"
        yield EvidenceInput(
            kind="aws.s3.bucket",
            resource_key=f"arn:aws:s3:::{name}",
            content={
                "name": name,
                "region": regions[n % 3],
                "run": run,
                "encryption": {"enabled": n % 7 != 0, "algorithm": "aws:kms"},
                "versioning": n % 2 == 0,
                "public_access_block": {
                    "block_public_acls": True,
                    "ignore_public_acls": n % 5 != 0,
                },
                "tags": {"env": "prod" if n % 4 else "dev", "owner": f"team-{n % 13}"},
                "object_count": n * 17 % 100_003,
            },
        )
