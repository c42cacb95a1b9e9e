"""Encryption of stored secrets (TOTP seeds, OIDC client secrets) and keyed hashes.

The key is derived from SECRET_KEY, so a database dump alone does not reveal the secrets.
Rotating SECRET_KEY means re-enrolling MFA and re-entering the SSO client secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"attestly-secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    return _fernet().decrypt(value.encode()).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 with a key derived from SECRET_KEY (for high-entropy one-time codes)."""
    key = hashlib.sha256(b"attestly-codes:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
