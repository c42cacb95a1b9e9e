from __future__ import annotations

import pytest

from attestly.integrations.secrets import SecretBox, SecretsError

KEY = "an-installation-secret-key-of-some-length"


def test_sealed_secrets_open_with_the_same_key() -> None:
    box = SecretBox(KEY)
    sealed = box.seal({"token": "hunter2", "password": "pw"})
    assert sealed.startswith(f"v1:{box.key_id}:")
    assert "hunter2" not in sealed
    assert SecretBox(KEY).open(sealed) == {"token": "hunter2", "password": "pw"}


def test_each_seal_uses_a_fresh_nonce() -> None:
    box = SecretBox(KEY)
    assert box.seal({"a": "b"}) != box.seal({"a": "b"})


def test_no_secrets_seal_to_nothing() -> None:
    assert SecretBox(KEY).seal({}) == ""
    assert SecretBox(KEY).open("") == {}


def test_another_key_is_named_in_the_error() -> None:
    sealed = SecretBox(KEY).seal({"token": "x"})
    with pytest.raises(SecretsError, match="without `attestly secrets rotate`"):
        SecretBox("a-completely-different-secret-key").open(sealed)


def test_altered_text_fails_authentication() -> None:
    box = SecretBox(KEY)
    version, key_id, body = box.seal({"token": "x"}).split(":")
    altered = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises(SecretsError, match="fail authentication"):
        box.open(f"{version}:{key_id}:{altered}")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(SecretsError, match="format 'v9'"):
        SecretBox(KEY).open("v9:abc:def")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(SecretsError, match="too short"):
        SecretBox("short")
