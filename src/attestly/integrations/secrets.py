"""Encrypting connection secrets at rest.

The key is derived with HKDF-SHA256 from the installation's secret key (`ATTESTLY_SECRET_KEY`
or the key file `<data_dir>/secret_key`), so there is one secret for an operator to keep.
Secrets are sealed with AES-256-GCM; the stored text is versioned and names the key it was
sealed with:

    v1:<key id: 16 hex>:<base64url(12-byte nonce + ciphertext + tag)>

`attestly secrets rotate` re-seals every connection under a new installation key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_INFO = b"attestly connection secrets v1"
_AAD = b"attestly.integrations.connection.secrets"


class SecretsError(Exception):
    """Stored secrets cannot be decrypted (wrong key, tampered text); says which."""


class SecretBox:
    """Seals and opens a connection's secrets with a key derived from `master`."""

    def __init__(self, master: str | bytes) -> None:
        material = master.encode() if isinstance(master, str) else master
        if len(material) < 16:
            raise SecretsError("the secret key is too short to derive an encryption key from")
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"attestly", info=_INFO).derive(
            material
        )
        self.key_id = hashlib.sha256(b"key-id:" + self._key).hexdigest()[:16]

    def seal(self, values: Mapping[str, str]) -> str:
        if not values:
            return ""
        nonce = os.urandom(12)
        plain = json.dumps(dict(values), sort_keys=True).encode()
        sealed = AESGCM(self._key).encrypt(nonce, plain, _AAD)
        return f"{VERSION}:{self.key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, text: str) -> dict[str, str]:
        if not text:
            return {}
        try:
            version, key_id, body = text.split(":", 2)
        except ValueError:
            raise SecretsError("stored secrets are not in a known format") from None
        if version != VERSION:
            raise SecretsError(f"stored secrets use format {version!r}; this version reads v1")
        if key_id != self.key_id:
            raise SecretsError(
                f"stored secrets were encrypted with key {key_id}, the current key is "
                f"{self.key_id}: was the secret key changed without `attestly secrets rotate`?"
            )
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            plain = AESGCM(self._key).decrypt(raw[:12], raw[12:], _AAD)
        except (InvalidTag, ValueError):
            raise SecretsError("stored secrets fail authentication (altered or corrupt)") from None
        value = json.loads(plain)
        return {str(k): str(v) for k, v in value.items()}


def current_box() -> SecretBox:
    """The box of the installation's current secret key."""
    from django.conf import settings

    return SecretBox(settings.SECRET_KEY)
