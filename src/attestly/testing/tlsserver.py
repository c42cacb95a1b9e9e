"""Real TLS servers for tests: certificates made with `cryptography`, served by threads.

`make_ca()` and `issue()` build a small PKI in memory; `TlsServer` listens on a free local
port, completes handshakes with the given certificate, protocol range and ciphers, and answers
each HTTP request with a fixed response head. Each server is one thread blocked in `accept`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class KeyPair:
    """A certificate and its private key, PEM-encoded."""

    cert_pem: bytes
    key_pem: bytes

    def write(self, directory: Path, name: str) -> tuple[Path, Path]:
        cert, key = directory / f"{name}.crt", directory / f"{name}.key"
        cert.write_bytes(self.cert_pem)
        key.write_bytes(self.key_pem)
        key.chmod(0o600)
        return cert, key


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_ca(common_name: str = "Attestly Test CA") -> KeyPair:
    """A self-signed CA certificate valid for ten years."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _pem_key(key))


def issue(
    names: list[str],
    *,
    ca: KeyPair | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> KeyPair:
    """A server certificate for `names` (DNS names or IPs), signed by `ca` or self-signed."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    if ca is None:
        issuer_name, signing_key = _name(names[0]), key
    else:
        ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
        issuer_name = ca_cert.subject
        loaded = serialization.load_pem_private_key(ca.key_pem, None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        signing_key = loaded
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _pem_key(key))


class TlsServer:
    """A TLS server on 127.0.0.1 answering every request with `response` (bytes)."""

    def __init__(
        self,
        pair: KeyPair,
        directory: Path,
        *,
        minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
        ciphers: str | None = None,
        response: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        name: str = "server",
    ) -> None:
        cert, key = pair.write(directory, name)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self.context.minimum_version = minimum
        if ciphers is not None:
            self.context.set_ciphers(ciphers)
        self.response = response
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"tls-{name}", daemon=True)

    def __enter__(self) -> TlsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        _wake_and_close(self.sock)
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()  # blocks; closing the socket ends it
            except OSError:
                return
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    request = tls.recv(65536)
                    if request.startswith(b"GET "):
                        tls.sendall(self.response)
            except (ssl.SSLError, OSError):
                continue  # refused probes are expected
            finally:
                conn.close()


class PlainServer:
    """A TCP server that answers every connection with fixed bytes (not TLS)."""

    def __init__(self, answer: bytes = b"SSH-2.0-OpenSSH_9.2\r\n") -> None:
        self.answer = answer
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="plain", daemon=True)

    def __enter__(self) -> PlainServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        _wake_and_close(self.sock)
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.sendall(self.answer)
                except OSError:
                    continue


def _wake_and_close(sock: socket.socket) -> None:
    """Closing a listening socket does not wake a thread in accept(); shutting it down does."""
    with contextlib.suppress(OSError):  # not connected: close() below is enough
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def closed_port() -> int:
    """A local port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
