"""The installation's Ed25519 signing key: made at `attestly init`, rotatable.

The private key is a PKCS#8 PEM file (mode 0600) under `<data_dir>/keys/`; `keys/current`
names the key in force. Public keys are also recorded in the database (EvidenceSigningKey),
and a rotated key's public half stays there, so checkpoints it signed still verify.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone


class SigningKeyError(Exception):
    """The signing key is missing or unreadable; the message says how to fix it."""


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private: Ed25519PrivateKey

    @property
    def public_hex(self) -> str:
        return public_hex(self.private.public_key())

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()


def keys_dir(data_dir: Path | None = None) -> Path:
    return Path(data_dir if data_dir is not None else settings.OPTIONS.data_dir) / "keys"


def public_hex(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def key_id_for(public: str) -> str:
    """A key's id: the first 16 hex digits of SHA-256 over its raw public bytes."""
    return hashlib.sha256(bytes.fromhex(public)).hexdigest()[:16]


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())


def _set_current(directory: Path, key_id: str) -> None:
    tmp = directory / f".current.{os.getpid()}"
    tmp.write_text(key_id + "\n", encoding="utf-8")
    tmp.replace(directory / "current")


def create_key(data_dir: Path | None = None) -> SigningKey:
    """Make a new key, write it (0600) and make it current."""
    directory = keys_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    pub = public_hex(private.public_key())
    key_id = key_id_for(pub)
    _write_private(directory / f"evidence-{key_id}.pem", private)
    (directory / f"evidence-{key_id}.pub").write_text(pub + "\n", encoding="utf-8")
    _set_current(directory, key_id)
    return SigningKey(key_id, private)


def load_current_key(data_dir: Path | None = None) -> SigningKey | None:
    directory = keys_dir(data_dir)
    try:
        key_id = (directory / "current").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = directory / f"evidence-{key_id}.pem"
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"evidence signing key {path} cannot be read: {exc}") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"evidence signing key {path} is not an Ed25519 key")
    return SigningKey(key_id, private)


def ensure_key(data_dir: Path | None = None) -> tuple[SigningKey, bool]:
    """The current key, creating one if there is none. Returns (key, created)."""
    key = load_current_key(data_dir)
    if key is not None:
        return key, False
    return create_key(data_dir), True


def retire_private_key(key_id: str, data_dir: Path | None = None) -> None:
    """Delete a rotated-out private key; its public half stays in keys/ and the database."""
    with contextlib.suppress(FileNotFoundError):
        (keys_dir(data_dir) / f"evidence-{key_id}.pem").unlink()


def verify_signature(public: str, signature: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(
            bytes.fromhex(signature), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def now() -> dt.datetime:
    return timezone.now()
