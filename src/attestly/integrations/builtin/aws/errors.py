"""What AWS's errors mean for a collector: botocore's exceptions and error codes turned into
the framework's `CollectorError`s, with a message naming the service, the operation, the region
and (for a refusal) the IAM action a policy must allow.

botocore is imported inside `translate_error`, as in `client`: this module is imported at
start-up in every process.
"""

from __future__ import annotations

from collections.abc import Mapping

from attestly.integrations.base import (
    BadCredentials,
    CollectorError,
    MalformedResponse,
    PermissionDenied,
    Throttled,
    TransientError,
    Unreachable,
)

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "PriorRequestNotComplete",
        "BandwidthLimitExceeded",
    }
)
CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "AuthFailure",
        "InvalidAccessKeyId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidToken",
        "RequestExpired",
    }
)
PERMISSION_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "OptInRequired",
    }
)
TRANSIENT_CODES = frozenset(
    {"InternalError", "InternalFailure", "ServiceUnavailable", "InternalServerError"}
)

# IAM action names that differ from the API operation names (S3 mostly).
IAM_ACTIONS: Mapping[tuple[str, str], str] = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketPolicyStatus"): "s3:GetBucketPolicyStatus",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("logs", "DescribeLogGroups"): "logs:DescribeLogGroups",
}


def iam_action(service: str, operation: str, signing_name: str = "") -> str:
    """The IAM action an API operation needs, as a policy would name it."""
    return IAM_ACTIONS.get((service, operation), f"{signing_name or service}:{operation}")


def translate_error(exc: Exception, service: str, operation: str, region: str) -> CollectorError:
    """The framework error a botocore exception stands for, with a message for people."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ParamValidationError,
        PartialCredentialsError,
        ReadTimeoutError,
        SSLError,
    )
    from botocore.parsers import ResponseParserError

    where = f"{service}:{operation} in {region}"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")).strip()
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        detail = f"{code}: {message}" if message else code
        if code in THROTTLING_CODES or status == 429:
            return Throttled(f"{where} throttled ({detail})")
        if code in CREDENTIAL_CODES:
            return BadCredentials(f"AWS refused the credentials on {where} ({detail})")
        if code in PERMISSION_CODES or status == 403:
            action = iam_action(service, operation)
            return PermissionDenied(action, f"permission denied: {where} needs {action} ({detail})")
        if code in TRANSIENT_CODES or status >= 500:
            return TransientError(f"{where} failed on AWS's side ({detail or status})")
        return CollectorError(f"{where} failed: {detail or status}")
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return BadCredentials(
            f"no usable AWS credentials for {where}: give an access key, or run where a role "
            f"or profile provides them ({exc})"
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | SSLError):
        return Unreachable(f"cannot reach AWS for {where}: {exc}")
    if isinstance(exc, ReadTimeoutError | ConnectionClosedError):
        return TransientError(f"{where}: {exc}")
    if isinstance(exc, ResponseParserError):
        return MalformedResponse(f"{where} answered something that is not its API: {exc}")
    if isinstance(exc, ParamValidationError | NoRegionError):
        return CollectorError(f"{where}: {exc} (a bug in the collector or the config)")
    return CollectorError(f"{where}: {type(exc).__name__}: {exc}")
