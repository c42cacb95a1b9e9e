"""TOTP steps, recovery code format, and the QR code."""

from __future__ import annotations

import time

import pyotp

from attestly.accounts.mfa import (
    matching_step,
    new_recovery_codes,
    normalise_recovery_code,
    qr_svg,
)


def test_a_code_matches_its_step_once_and_only_within_the_window() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    step = int(time.time()) // 30
    assert matching_step(secret, totp.generate_otp(step)) == step
    assert matching_step(secret, totp.generate_otp(step), after_step=step) is None  # replay
    assert matching_step(secret, totp.generate_otp(step - 1)) == step - 1  # clock drift
    assert matching_step(secret, totp.at(time.time() - 300)) is None
    assert matching_step(secret, "12 34") is None
    assert matching_step(secret, "abcdef") is None


def test_recovery_codes_are_ten_distinct_and_forgiving_to_type() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert normalise_recovery_code(codes[0].upper().replace("-", " ")) == codes[0]


def test_the_qr_code_is_inline_svg_without_script_or_style() -> None:
    svg = qr_svg("otpauth://totp/Attestly:alice@example.com?secret=ABC&issuer=Attestly")
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "style=" not in svg
