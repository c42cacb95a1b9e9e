"""A thin boto3 client for collectors: counted calls, page-level retries, clear errors.

Every remote call goes through `AwsClient.call` (or `paginate`, which calls it per page), so:

- each HTTP request is counted once in the run's `ctx.calls` (retries included);
- throttling and 5xx answers are retried by the framework's back-off (`ctx.retry`), page by
  page, never by botocore (its own retries are off so that the count and the back-off are ours);
- botocore's exceptions become the framework's `CollectorError`s with a message naming the
  service, the operation, the region and the IAM action: `PermissionDenied("s3:GetBucketPolicy")`,
  `BadCredentials`, `Unreachable`, `MalformedResponse`, `Throttled`, `TransientError` (see
  `errors`).

boto3 sessions are not thread-safe while creating clients, so clients are created under a lock
and cached per (service, region); created clients are safe to share between threads. The
session, its clients and the lock are shared by every collector of a run (through
`ctx.shared`): a session loads botocore's endpoint data and each service model it creates a
client for, several MB each, so a session per collector held them once per collector.

A session's botocore models keep only the operations the integration declares (the service
modules' `AwsService.operations` and the client's own, `CLIENT_OPERATIONS`; see
`botocore_models`), and `call` refuses any other, naming it.

boto3 and botocore are imported where they are used, not here: the integration is registered
(and this module imported) in every process at start-up, and they weigh ~8 MB before the
first client exists.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import jmespath

from attestly.integrations.base import (
    BadCredentials,
    CollectContext,
    CollectorError,
    MalformedResponse,
    PermissionDenied,
)
from attestly.integrations.builtin.aws.errors import translate_error

if TYPE_CHECKING:
    import boto3

    from attestly.integrations.builtin.aws.integration import AwsConfig

T = TypeVar("T")

GLOBAL = "global"  # the region part of the key of account-wide resources (IAM, S3 account)
DEFAULT_HOME_REGION = "us-east-1"
MAX_REGION_WORKERS = 8
# Connections a client keeps per host. A client serves several collectors at once (the home
# region's s3 client: S3's 16 bucket readers and CloudTrail's log-bucket readers), and a
# connection returned to a full pool is dropped ("Connection pool is full"), so the next
# request pays a new TCP and TLS handshake.
POOL_CONNECTIONS = 32

# What the client calls itself, whatever the collectors (the account id, the role, the
# regions), and what botocore calls on the session's clients: its credential providers assume
# a profile's role or a web identity (EKS, CI) through STS, and S3 asks a bucket's region with
# HeadBucket when a request is redirected, and opens sessions for S3 Express buckets.
CLIENT_OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "sts": ("GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity"),
    "ec2": ("DescribeRegions",),
    "s3": ("HeadBucket", "CreateSession"),
}


@cache
def declared_operations() -> Mapping[str, frozenset[str]]:
    """service -> every operation the integration calls on it: `CLIENT_OPERATIONS` and each
    service module's `AwsService.operations`."""
    # the service modules import this one, so they are looked up when first needed
    from attestly.integrations.builtin.aws.collectors import SERVICES

    found: dict[str, set[str]] = {name: set(ops) for name, ops in CLIENT_OPERATIONS.items()}
    for service in SERVICES:
        for name, ops in service.operations.items():
            found.setdefault(name, set()).update(ops)
    return {name: frozenset(ops) for name, ops in found.items()}


class _SharedSession:
    """The boto3 session of a run and its clients, for all of the run's collectors, and what
    they read once for all (`AwsClient.once`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.session: boto3.session.Session | None = None
        self.clients: dict[tuple[str, str], Any] = {}
        self.memo: dict[str, Any] = {}
        self.memo_locks: dict[str, threading.Lock] = {}


SHARED_KEY = "aws.session"  # the key of the `_SharedSession` in `ctx.shared`


class AwsClient:
    """One account (the configured credentials, or the role they assume), for one collector."""

    def __init__(
        self,
        ctx: CollectContext[AwsConfig],
        session_factory: Callable[..., boto3.session.Session] | None = None,
    ) -> None:
        from boto3.session import Session
        from botocore.config import Config as BotoConfig

        self.ctx = ctx
        self.config = ctx.config
        self._session_factory = session_factory or Session
        # one per run: its collectors share their context's `shared` dict (and config), and
        # dict.setdefault is atomic, so collectors starting at once still get the same one
        self._shared: _SharedSession = ctx.shared.setdefault(SHARED_KEY, _SharedSession())
        self._account_id: str | None = None
        self._regions: list[str] | None = None
        self._boto_config = BotoConfig(
            connect_timeout=ctx.timeout,
            read_timeout=ctx.timeout,
            retries={"total_max_attempts": 1},  # ctx.retry does the retrying, and counts it
            max_pool_connections=POOL_CONNECTIONS,
            user_agent_extra="attestly",
        )

    # -- sessions and clients --------------------------------------------------------------

    @property
    def home_region(self) -> str:
        """Where global services (IAM, STS, S3's bucket list) are called."""
        return self.config.regions[0] if self.config.regions else DEFAULT_HOME_REGION

    def _new_session(self, **kwargs: Any) -> boto3.session.Session:
        """A boto3 session whose botocore models keep only the declared operations."""
        from attestly.integrations.builtin.aws.botocore_models import lean_session

        return self._session_factory(botocore_session=lean_session(declared_operations()), **kwargs)

    def _base_session(self) -> boto3.session.Session:
        from botocore.exceptions import BotoCoreError

        config = self.config
        kwargs: dict[str, Any] = {"region_name": self.home_region}
        if config.access_key_id:
            kwargs["aws_access_key_id"] = config.access_key_id
            kwargs["aws_secret_access_key"] = (
                config.secret_access_key.get_secret_value() if config.secret_access_key else None
            )
            if config.session_token:
                kwargs["aws_session_token"] = config.session_token.get_secret_value()
        elif config.profile:
            kwargs["profile_name"] = config.profile
        try:
            return self._new_session(**kwargs)
        except BotoCoreError as exc:  # an unknown profile
            raise BadCredentials(f"cannot build an AWS session: {exc}") from exc

    def session(self) -> boto3.session.Session:
        """The session collectors use: the base one, or the role it assumes."""
        shared = self._shared
        with shared.lock:
            if shared.session is None:
                assume = bool(self.config.role_arn)
                shared.session = self._assume_role() if assume else self._base_session()
            return shared.session

    def _assume_role(self) -> boto3.session.Session:
        base = self._base_session()
        sts = base.client("sts", endpoint_url=self._endpoint(), config=self._boto_config)
        params: dict[str, Any] = {
            "RoleArn": self.config.role_arn,
            "RoleSessionName": self.config.role_session_name,
            "DurationSeconds": 3600,
        }
        if self.config.external_id:
            params["ExternalId"] = self.config.external_id.get_secret_value()

        def assume() -> Any:
            self.ctx.calls.add()
            try:
                return sts.assume_role(**params)
            except Exception as exc:
                error = translate_error(exc, "sts", "AssumeRole", self.home_region)
                if isinstance(error, PermissionDenied):
                    raise PermissionDenied(
                        "sts:AssumeRole",
                        f"cannot assume {self.config.role_arn}: the credentials may not assume "
                        "it, or its trust policy (or external id) does not allow them",
                    ) from exc
                raise error from exc

        credentials = self.ctx.retry(assume, what="sts:AssumeRole")["Credentials"]
        return self._new_session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.home_region,
        )

    def _endpoint(self) -> str | None:
        return self.config.endpoint_url or None

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached boto3 client for a service in a region (the home region if None)."""
        region = region or self.home_region
        key = (service, region)
        clients = self._shared.clients
        client = clients.get(key)
        if client is not None:
            return client
        session = self.session()
        with self._shared.lock:
            client = clients.get(key)
            if client is None:
                client = session.client(
                    service,
                    region_name=region,
                    endpoint_url=self._endpoint(),
                    config=self._boto_config,
                )
                client.meta.events.register("before-parse", _refuse_unparseable_json)
                if service == "s3control" and self._endpoint():
                    client.meta.events.register("before-sign.s3-control", _no_account_host)
                clients[key] = client
        return client

    # -- calls -----------------------------------------------------------------------------

    def call(
        self,
        service: str,
        operation: str,
        region: str | None = None,
        *,
        missing: Iterable[str] = (),
        **params: Any,
    ) -> dict[str, Any] | None:
        """One API call, counted and retried. Error codes in `missing` (e.g.
        `NoSuchBucketPolicy`) mean "not configured" and return None instead of raising."""
        from botocore.exceptions import BotoCoreError, ClientError
        from botocore.parsers import ResponseParserError

        if operation not in declared_operations().get(service, ()):
            raise CollectorError(
                f"{service}:{operation} is not declared in the AWS integration's operations "
                "(AwsService.operations): a bug in the integration"
            )
        region = region or self.home_region
        absent = frozenset(missing)
        client = self.client(service, region)
        method = getattr(client, _snake(operation))

        def once() -> dict[str, Any] | None:
            self.ctx.calls.add()
            try:
                response: dict[str, Any] = method(**params)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in absent:
                    return None
                raise translate_error(exc, service, operation, region) from exc
            except (BotoCoreError, ResponseParserError, ValueError) as exc:
                raise translate_error(exc, service, operation, region) from exc
            response.pop("ResponseMetadata", None)
            return response

        return self.ctx.retry(once, what=f"{service}:{operation}")

    def paginate(
        self,
        service: str,
        operation: str,
        result_key: str,
        region: str | None = None,
        **params: Any,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paginated listing, one counted and retried call per page."""
        for page in self.pages(service, operation, region, **params):
            items = page.get(result_key)
            if items is None:
                continue
            if not isinstance(items, list):
                raise MalformedResponse(
                    f"{service}:{operation} answered {result_key} as "
                    f"{type(items).__name__}, not a list"
                )
            yield from items

    def pages(
        self, service: str, operation: str, region: str | None = None, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated call (for answers with several lists per page)."""
        paginator = self._paginator_config(service, operation)
        input_tokens = _as_list(paginator["input_token"])
        output_tokens = _as_list(paginator["output_token"])
        more_results = paginator.get("more_results")
        tokens: dict[str, Any] = {}
        seen: set[str] = set()
        while True:
            page = self.call(service, operation, region, **params, **tokens)
            if page is None:
                return
            yield page
            if more_results and not jmespath.search(more_results, page):
                return
            next_tokens = {
                name: jmespath.search(expression, page)
                for name, expression in zip(input_tokens, output_tokens, strict=False)
            }
            next_tokens = {k: v for k, v in next_tokens.items() if v not in (None, "")}
            if not next_tokens:
                return
            marker = repr(sorted(next_tokens.items()))
            if marker in seen:  # an API handing back the same token forever
                raise MalformedResponse(f"{service}:{operation} repeated its pagination token")
            seen.add(marker)
            tokens = next_tokens

    def _paginator_config(self, service: str, operation: str) -> dict[str, Any]:
        model = self.session()._session.get_paginator_model(service)
        return dict(model.get_paginator(operation))

    # -- account and regions ---------------------------------------------------------------

    def once(self, key: str, read: Callable[[], T]) -> T:
        """`read()` once per run, its answer shared by every collector of the run (the account
        id, the account's S3 public access block); collectors asking at the same time wait for
        the first. A read that raises is not kept: the next caller reads again."""
        shared = self._shared
        with shared.lock:
            lock = shared.memo_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in shared.memo:
                shared.memo[key] = read()
            found: T = shared.memo[key]
            return found

    def account_id(self) -> str:
        """The account the credentials (or the assumed role) belong to (sts:GetCallerIdentity,
        once per run)."""
        if self._account_id is None:
            self._account_id = self.once("sts.account_id", self._caller_account)
        return self._account_id

    def _caller_account(self) -> str:
        identity = self.call("sts", "GetCallerIdentity")
        if not identity or not identity.get("Account"):
            raise MalformedResponse("sts:GetCallerIdentity answered without an account id")
        return str(identity["Account"])

    def regions(self) -> list[str]:
        """The configured regions, or every region enabled for the account."""
        if self._regions is None:
            if self.config.regions:
                self._regions = list(self.config.regions)
            else:
                answer = self.call("ec2", "DescribeRegions", AllRegions=False) or {}
                self._regions = sorted(r["RegionName"] for r in answer.get("Regions", []))
        return self._regions

    def key(self, region: str, service: str, resource: str) -> str:
        """The evidence key of a resource: `aws:<account>:<region|global>:<service>:<id>`."""
        return f"aws:{self.account_id()}:{region}:{service}:{resource}"

    def per_region(self, fn: Callable[[str], Iterable[T]]) -> list[T]:
        """`fn(region)` for every region, concurrently; the first error wins (no partial
        evidence: the framework drops the collector's records when it raises)."""
        regions = self.regions()
        self.account_id()  # resolve once, before the threads need it
        workers = max(1, min(MAX_REGION_WORKERS, len(regions)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aws-region") as pool:
            chunks = list(pool.map(lambda region: list(fn(region)), regions))
        return [item for chunk in chunks for item in chunk]


def _refuse_unparseable_json(
    operation_model: Any, response_dict: Mapping[str, Any], **_kwargs: Any
) -> None:
    """botocore reads a JSON-protocol answer that is not JSON as an empty answer (it keeps the
    text as a "message" its shape parser then drops), so garbage would pass for "no resources".
    Refuse it instead, as the XML parsers do."""
    from botocore.parsers import ResponseParserError

    if operation_model.service_model.resolved_protocol not in {"json", "rest-json"}:
        return
    status = int(response_dict.get("status_code") or 0)
    body = response_dict.get("body") or b""
    if status >= 300 or not body or not isinstance(body, bytes | bytearray):
        return
    if operation_model.output_shape is not None and operation_model.output_shape.serialization.get(
        "payload"
    ):
        return  # a raw payload (a blob or a stream), not a JSON document
    try:
        json.loads(body)
    except ValueError:
        snippet = bytes(body[:120]).decode("utf-8", "replace")
        raise ResponseParserError(f"the answer is not JSON: {snippet!r}") from None


def _no_account_host(request: Any, **_kwargs: Any) -> None:
    """s3control puts the account id in front of the host (`<account>.s3-control...`); on a
    custom endpoint such as `http://127.0.0.1:5000` that host does not resolve, so drop it (the
    account id still goes in the `x-amz-account-id` header)."""
    request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))
