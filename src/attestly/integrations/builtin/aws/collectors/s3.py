"""S3: the account's public access block, and every bucket's encryption, public access block,
versioning, logging, policy and ACL.

Which buckets: those in the configured regions. `ListBuckets` is called once per region with
its `BucketRegion` filter (so every bucket arrives with its region and no
`GetBucketLocation` is needed), and each bucket's settings are read in its own region. A bucket
in a region outside the configuration is not read, as Prowler does; leave `regions` empty to
read every enabled region, which covers every bucket the account owns.

S3 has no batch API for bucket settings, so each bucket costs up to six calls (versioning,
encryption, logging, policy, public access block, ACL), run for many buckets at once in a
bounded thread pool. The account's block is read beside the listings; each bucket's block is
read after the account's and before its ACL, and a setting that cannot make the bucket public
is not read: the ACL when `IgnorePublicAcls` is on (in the bucket's or the account's block: S3
then ignores every public grant), and the bucket's block when the account's has all four
settings on (it then covers the bucket whatever the bucket's says). Such a part is recorded as
`{"not_read": "<why>"}`, so the evidence says what was skipped and why, and a check that would
need it answers `error`.
"Not configured" answers (no policy, no encryption, no block) are data (None). A bucket
deleted while it is read is skipped. A refused per-bucket read (a bucket policy that denies
the auditor, a missing `s3:GetBucketPolicy`) is recorded as `{"error": ...}` in that part, so
the checks that need it answer `error` and the others still judge the bucket; every other
failure (credentials, throttling past the retries, a malformed answer) fails the collector.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from attestly.integrations.base import CollectorError, MalformedResponse, PermissionDenied, Record
from attestly.integrations.builtin.aws.client import GLOBAL, AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

T = TypeVar("T")
R = TypeVar("R")

KIND_ACCOUNT = "aws.s3.account"
KIND_BUCKET = "aws.s3.bucket"
BUCKET_WORKERS = 16
PAGE_SIZE = 10000  # the most ListBuckets hands back per page
BLOCK_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ACCOUNT_BLOCK_KEY = "s3.account_public_access_block"  # in the run's memo (`AwsClient.once`)


class BucketGone(Exception):
    """The bucket was deleted between the listing and the read."""


def _block(answer: Mapping[str, Any] | None) -> dict[str, bool] | None:
    """A public access block as its four flags, or None when none is set."""
    if answer is None:
        return None
    config = answer.get("PublicAccessBlockConfiguration") or {}
    return {name: bool(config.get(name)) for name in BLOCK_FIELDS}


def account_public_access_block(client: AwsClient) -> dict[str, Any] | None:
    """The account-level block (s3control), None when not set, `{"error"}` when refused.
    Read once per run: the S3 and CloudTrail collectors both need it."""
    return client.once(ACCOUNT_BLOCK_KEY, lambda: _read_account_block(client))


def _read_account_block(client: AwsClient) -> dict[str, Any] | None:
    try:
        answer = client.call(
            "s3control",
            "GetPublicAccessBlock",
            missing=("NoSuchPublicAccessBlockConfiguration",),
            AccountId=client.account_id(),
        )
    except PermissionDenied as exc:
        return {"error": str(exc)}
    return _block(answer)


def list_buckets(client: AwsClient, region: str) -> list[dict[str, Any]]:
    """The account's buckets in one region."""
    buckets = list(
        client.paginate(
            "s3", "ListBuckets", "Buckets", region, BucketRegion=region, MaxBuckets=PAGE_SIZE
        )
    )
    for bucket in buckets:
        if not isinstance(bucket, Mapping) or not bucket.get("Name"):
            raise MalformedResponse(f"s3:ListBuckets in {region} answered a bucket without a name")
    return [{**bucket, "Region": region} for bucket in buckets]


def error_code(exc: BaseException) -> str:
    """The AWS error code behind a translated error ("" when there is none)."""
    from botocore.exceptions import ClientError  # botocore is loaded on first use (see client)

    cause = exc.__cause__
    if isinstance(cause, ClientError):
        return str(cause.response.get("Error", {}).get("Code", ""))
    return ""


def _get(
    client: AwsClient, operation: str, name: str, region: str, missing: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    """One per-bucket read; None when not configured; BucketGone when the bucket is gone."""
    try:
        return client.call("s3", operation, region, missing=missing, Bucket=name)
    except CollectorError as exc:
        if error_code(exc) == "NoSuchBucket":
            raise BucketGone(name) from exc
        raise


def _part(read: Callable[[], Any]) -> Any:
    """One part of a bucket's record; a refused read becomes `{"error": ...}`."""
    try:
        return read()
    except PermissionDenied as exc:
        return {"error": str(exc)}


def _acl(answer: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {"owner": answer.get("Owner"), "grants": answer.get("Grants") or []}


def _policy(answer: Mapping[str, Any] | None) -> Any:
    if answer is None:
        return None
    try:
        return json.loads(answer.get("Policy") or "")
    except ValueError as exc:
        raise MalformedResponse(
            f"s3:GetBucketPolicy answered a policy that is not JSON: {exc}"
        ) from exc


def _encryption(answer: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    config = answer.get("ServerSideEncryptionConfiguration") or {}
    return {"rules": config.get("Rules") or []}


def _versioning(answer: Mapping[str, Any] | None) -> dict[str, Any]:
    answer = answer or {}
    return {"status": answer.get("Status"), "mfa_delete": answer.get("MFADelete")}


def _logging(answer: Mapping[str, Any] | None) -> dict[str, Any] | None:
    enabled = (answer or {}).get("LoggingEnabled")
    if not enabled:
        return None
    return {
        "target_bucket": enabled.get("TargetBucket"),
        "target_prefix": enabled.get("TargetPrefix"),
    }


def _on(block: Any, flag: str) -> bool:
    """Whether a block that was read has `flag` on."""
    return isinstance(block, Mapping) and block.get(flag) is True


def read_block_and_acl(
    client: AwsClient, name: str, region: str, account_block: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The bucket's public access block, then its ACL, each recorded as `{"not_read": why}`
    instead when the blocks make it irrelevant: the bucket's block when `account_block` has all
    four settings on, the ACL when either block has IgnorePublicAcls on (S3 then ignores every
    public grant). Raises BucketGone when the bucket no longer exists."""
    no_block = ("NoSuchPublicAccessBlockConfiguration",)
    if all(_on(account_block, flag) for flag in BLOCK_FIELDS):
        block: Any = {"not_read": "the account's public access block has all four settings on"}
    else:
        block = _part(lambda: _block(_get(client, "GetPublicAccessBlock", name, region, no_block)))
    acl: Any
    if ignored := _neutralised_by("IgnorePublicAcls", block, account_block):
        acl = {"not_read": ignored}
    else:
        acl = _part(lambda: _acl(_get(client, "GetBucketAcl", name, region)))
    return {"public_access_block": block, "acl": acl}


def read_policy(client: AwsClient, name: str, region: str) -> Any:
    """The bucket policy, parsed; None when it has none. Raises BucketGone."""
    return _part(
        lambda: _policy(_get(client, "GetBucketPolicy", name, region, ("NoSuchBucketPolicy",)))
    )


def read_exposure(
    client: AwsClient, name: str, region: str, account_block: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Public access block, policy and ACL of one bucket, for a caller that judges only
    whether it is public: besides what `read_block_and_acl` leaves unread, the policy is not
    read when a block has RestrictPublicBuckets on. Raises BucketGone."""
    parts = read_block_and_acl(client, name, region, account_block)
    restricted = _neutralised_by(
        "RestrictPublicBuckets", parts["public_access_block"], account_block
    )
    policy = {"not_read": restricted} if restricted else read_policy(client, name, region)
    return {**parts, "policy": policy}


def _neutralised_by(flag: str, block: Any, account_block: Any) -> str:
    """Why a part neutralised by `flag` need not be read ("" when it must be)."""
    if _on(account_block, flag):
        return f"{flag} is on in the account's public access block"
    if _on(block, flag):
        return f"{flag} is on in the bucket's public access block"
    return ""


def read_bucket(
    client: AwsClient,
    name: str,
    region: str,
    account_block: Callable[[], Mapping[str, Any] | None],
) -> dict[str, Any] | None:
    """Everything the bucket checks read, or None when the bucket vanished meanwhile. The
    account's block (`account_block()`, which may still be on its way) is needed only for the
    bucket's block and ACL, so they are read last."""
    no_encryption = ("ServerSideEncryptionConfigurationNotFoundError",)
    try:
        parts = {
            "versioning": _part(
                lambda: _versioning(_get(client, "GetBucketVersioning", name, region))
            ),
            "encryption": _part(
                lambda: _encryption(
                    _get(client, "GetBucketEncryption", name, region, no_encryption)
                )
            ),
            "logging": _part(lambda: _logging(_get(client, "GetBucketLogging", name, region))),
            "policy": read_policy(client, name, region),
        }
        return {**parts, **read_block_and_acl(client, name, region, account_block())}
    except BucketGone:
        return None


def concurrently(
    fn: Callable[[T], R], items: Sequence[T], workers: int = BUCKET_WORKERS
) -> Iterator[R]:
    """`fn(item)` for each item on a bounded pool, results in order; on the first error the
    calls not yet started are cancelled (the collector fails, no partial evidence is kept)."""
    if not items:
        return
    pool = ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="aws-res")
    try:
        yield from pool.map(fn, items)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def collect(client: AwsClient) -> Iterator[Record]:
    account_id = client.account_id()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aws-s3-account") as aside:
        # The account's block decides which of a bucket's parts are read, but only the last
        # two of them: it is read beside the listings and the buckets' first reads, not
        # before them (one round trip less on the collector's path).
        account = aside.submit(account_public_access_block, client)
        buckets = client.per_region(lambda region: list_buckets(client, region))

        def one(bucket: Mapping[str, Any]) -> Record | None:
            name, region = bucket["Name"], bucket["Region"]
            parts = read_bucket(client, name, region, account.result)
            if parts is None:
                return None
            return Record(
                KIND_BUCKET,
                client.key(region, "s3", f"bucket/{name}"),
                jsonable(
                    {
                        "name": name,
                        "arn": f"arn:aws:s3:::{name}",
                        "region": region,
                        "created": bucket.get("CreationDate"),
                        **parts,
                        "account_public_access_block": account.result(),
                    }
                ),
            )

        for found in concurrently(one, buckets):
            if found is not None:
                yield found
        account_block = account.result()
    yield Record(
        KIND_ACCOUNT,
        client.key(GLOBAL, "s3", "account"),
        jsonable({"account_id": account_id, "public_access_block": account_block}),
    )


SERVICE = AwsService(
    name="s3",
    kinds=(KIND_ACCOUNT, KIND_BUCKET),
    collect=collect,
    probe=Probe("s3", "ListBuckets", {"MaxBuckets": 1}, action="s3:ListAllMyBuckets"),
    description="Account public access block; buckets' encryption, public access, versioning, "
    "logging, policy and ACL (buckets in the configured regions).",
    permissions=(
        "s3:ListAllMyBuckets",
        "s3:GetAccountPublicAccessBlock",
        "s3:GetBucketVersioning",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketLogging",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
    ),
    operations={
        "s3": (
            "ListBuckets",
            "GetBucketVersioning",
            "GetBucketEncryption",
            "GetBucketLogging",
            "GetPublicAccessBlock",
            "GetBucketPolicy",
            "GetBucketAcl",
        ),
        "s3control": ("GetPublicAccessBlock",),
    },
)
