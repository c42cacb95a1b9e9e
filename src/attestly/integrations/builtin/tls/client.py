"""TLS probes over an injected TCP connector: handshakes with chosen versions and ciphers.

`connect(host, port, timeout)` is the transport (a plain TCP socket); production uses
`socket.create_connection`, tests may wrap it. Every probe is one short handshake.
"""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from attestly.integrations.base import CollectorError, MalformedResponse, Unreachable

Connector = Callable[[str, int, float], socket.socket]
# Old protocols need OpenSSL security level 0 to be offered at all.
LEGACY_CIPHERS = "ALL:@SECLEVEL=0"
MAX_HTTP_HEADER_BYTES = 64 * 1024


class NotTls(CollectorError):
    """The port answers, but not with TLS."""

    category = "unreachable"


@dataclass(frozen=True)
class Handshake:
    """A completed handshake: negotiated version and cipher, and the leaf certificate."""

    version: str
    cipher: str
    certificate: bytes | None


class ProbeRefused(Exception):
    """The server refused this probe's version or ciphers (the answer we look for)."""


class ProbeUnsupported(Exception):
    """The local OpenSSL cannot offer what the probe asks for, so it was not tested."""


def _create(host: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((host, port), timeout=timeout)


def _context(
    versions: tuple[ssl.TLSVersion, ssl.TLSVersion] | None = None,
    ciphers: str | None = None,
    ca_file: str | None = None,
) -> ssl.SSLContext:
    """A client context; `versions` (min, max) and `ciphers` narrow what it offers."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False  # the hostname is judged from the certificate itself
    if ca_file is None:
        ctx.verify_mode = ssl.CERT_NONE
    elif ca_file:
        ctx.load_verify_locations(cafile=ca_file)
    else:
        ctx.load_default_certs()
    with warnings.catch_warnings():
        # TLS 1.0/1.1 are deprecated in Python; probing for them is the point.
        warnings.simplefilter("ignore", DeprecationWarning)
        if versions is not None:
            ctx.minimum_version, ctx.maximum_version = versions
            if versions[0] < ssl.TLSVersion.TLSv1_2:
                ctx.set_ciphers(LEGACY_CIPHERS)
        if ciphers is not None:
            try:
                ctx.set_ciphers(ciphers)
            except ssl.SSLError as exc:
                raise ProbeUnsupported("local OpenSSL lacks it") from exc
    return ctx


class TlsClient:
    """Handshakes with one endpoint."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        server_name: str | None = None,
        timeout: float = 10.0,
        connect: Connector | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.server_name = server_name or host
        self.timeout = timeout
        self._connect: Connector = connect or _create

    @property
    def key(self) -> str:
        return f"{self.host}:{self.port}"

    def _tcp(self) -> socket.socket:
        try:
            return self._connect(self.host, self.port, self.timeout)
        except ConnectionRefusedError as exc:
            raise Unreachable(f"connection refused by {self.key}") from exc
        except TimeoutError as exc:
            raise Unreachable(f"no answer from {self.key} within {self.timeout:g}s") from exc
        except OSError as exc:
            raise Unreachable(f"cannot reach {self.key}: {exc.strerror or exc}") from exc

    def handshake(self, ctx: ssl.SSLContext) -> Handshake:
        """One handshake; the server's refusal raises `ProbeRefused`."""
        sock = self._tcp()
        try:
            with ctx.wrap_socket(sock, server_hostname=self.server_name) as tls:
                cipher = tls.cipher()
                return Handshake(
                    tls.version() or "", cipher[0] if cipher else "", tls.getpeercert(True)
                )
        except ssl.SSLCertVerificationError:
            raise
        except ssl.SSLError as exc:
            reason = (exc.reason or str(exc)).upper()
            if "NO_PROTOCOLS_AVAILABLE" in reason or "NO_CIPHERS_AVAILABLE" in reason:
                raise ProbeUnsupported(f"local OpenSSL refused to offer it ({exc.reason})") from exc
            if "WRONG_VERSION_NUMBER" in reason or "PACKET_LENGTH_TOO_LONG" in reason:
                raise NotTls(f"{self.key} does not speak TLS ({exc.reason})") from exc
            raise ProbeRefused(exc.reason or str(exc)) from exc
        except (ConnectionResetError, BrokenPipeError, TimeoutError) as exc:
            raise ProbeRefused(type(exc).__name__) from exc
        finally:
            sock.close()

    def plain(self) -> Handshake:
        """A handshake that accepts any certificate, to read it."""
        return self.handshake(_context())

    def verify(self, ca_file: str) -> str | None:
        """None when the chain verifies against `ca_file` (or system CAs for ''), else why."""
        try:
            self.handshake(_context(ca_file=ca_file))
        except ssl.SSLCertVerificationError as exc:
            return exc.verify_message or str(exc)
        return None

    def accepts(
        self, versions: tuple[ssl.TLSVersion, ssl.TLSVersion], ciphers: str | None = None
    ) -> Handshake | None:
        """The handshake if the server accepts these versions (and ciphers), None if it
        refuses; `ProbeUnsupported` when the local OpenSSL cannot make the offer."""
        try:
            return self.handshake(_context(versions, ciphers))
        except ProbeRefused:
            return None

    def http_get(self, path: str = "/") -> tuple[int, dict[str, str]]:
        """GET over TLS (any certificate): the status and the headers, lower-case names."""
        sock = self._tcp()
        try:
            with _context().wrap_socket(sock, server_hostname=self.server_name) as tls:
                request = (
                    f"GET {path} HTTP/1.1\r\nHost: {self.server_name}\r\n"
                    "User-Agent: attestly-tls-collector\r\nConnection: close\r\n\r\n"
                )
                tls.sendall(request.encode("ascii"))
                head = b""
                while b"\r\n\r\n" not in head and len(head) < MAX_HTTP_HEADER_BYTES:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    head += chunk
        except ssl.SSLError as exc:
            raise MalformedResponse(f"{self.key}: TLS failed during GET: {exc.reason}") from exc
        finally:
            sock.close()
        return parse_http_head(self.key, head)


def parse_http_head(key: str, head: bytes) -> tuple[int, dict[str, str]]:
    """Status code and headers of an HTTP/1.x response head; malformed ones raise."""
    text = head.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = text.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise MalformedResponse(f"{key}: not an HTTP response: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise MalformedResponse(f"{key}: malformed HTTP header line {line[:80]!r}")
        headers.setdefault(name.strip().lower(), value.strip())
    return int(parts[1]), headers
