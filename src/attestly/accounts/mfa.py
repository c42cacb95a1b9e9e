"""TOTP (RFC 6238) verification, recovery codes and the enrolment QR code."""

from __future__ import annotations

import secrets
import time

import pyotp
import segno

from attestly.accounts.crypto import decrypt, keyed_hash
from attestly.accounts.models import RecoveryCode, TotpDevice, User

ISSUER_NAME = "Attestly"
RECOVERY_CODE_COUNT = 10
# Accept the previous and next 30 s step too: phones drift.
VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER_NAME)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG (no script, no external image: CSP-safe)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, dark="#0f172a", light="#ffffff")
    return svg


def matching_step(secret: str, code: str, *, after_step: int = 0) -> int | None:
    """The time step `code` belongs to, if it is valid now and newer than `after_step`."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if step > after_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def device_secret(device: TotpDevice) -> str:
    return decrypt(device.secret_encrypted)


def has_mfa(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def new_recovery_codes() -> list[str]:
    """Ten codes like `k7m2-x9pq-4tzd`: 60 bits each, easy to type."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def find_recovery_code(user: User, code: str) -> RecoveryCode | None:
    digest = keyed_hash(normalise_recovery_code(code))
    return RecoveryCode.objects.filter(user=user, code_hash=digest, used_at__isnull=True).first()
