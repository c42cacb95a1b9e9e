"""moto's server mode on a free loopback port: a real HTTP endpoint standing in for AWS.

    with moto_server() as endpoint:          # "http://127.0.0.1:<port>"
        boto3.client("s3", endpoint_url=endpoint, ...)

AWS-managed IAM policies (AdministratorAccess…) are loaded so tests can attach them.
`reset(endpoint)` empties every emulated service between tests. Tests and bench/ only.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # noqa: S105 - AWS docs example
ACCOUNT_ID = "123456789012"  # moto's default account


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's threaded server; yields its endpoint URL; stops it after."""
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def reset(endpoint: str) -> None:
    """Forget every emulated resource (moto's reset API)."""
    url = f"{endpoint}/moto-api/reset"
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"not a local moto server: {endpoint}")
    request = urllib.request.Request(url, method="POST", data=b"")  # noqa: S310 - checked above
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - checked above
        answer.read()


def boto_client(endpoint: str, service: str, region: str = "us-east-1") -> Any:
    """A boto3 client on the emulator, for seeding."""
    import boto3

    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
