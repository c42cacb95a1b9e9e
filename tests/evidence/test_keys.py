from __future__ import annotations

import stat
from pathlib import Path

from attestly.evidence import keys


def test_key_is_made_once_with_mode_0600_and_signs(tmp_path: Path) -> None:
    key, created = keys.ensure_key(tmp_path)
    again, created_again = keys.ensure_key(tmp_path)
    assert (created, created_again) == (True, False)
    assert again.key_id == key.key_id == keys.key_id_for(key.public_hex)
    pem = tmp_path / "keys" / f"evidence-{key.key_id}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    signature = key.sign(b"head")
    assert keys.verify_signature(key.public_hex, signature, b"head")
    assert not keys.verify_signature(key.public_hex, signature, b"head!")
    assert not keys.verify_signature(key.public_hex, "zz", b"head")


def test_a_new_key_becomes_current_and_a_retired_private_key_is_deleted(tmp_path: Path) -> None:
    old, _ = keys.ensure_key(tmp_path)
    new = keys.create_key(tmp_path)
    keys.retire_private_key(old.key_id, tmp_path)
    current = keys.load_current_key(tmp_path)
    assert current is not None and current.key_id == new.key_id
    assert not (tmp_path / "keys" / f"evidence-{old.key_id}.pem").exists()
    assert (tmp_path / "keys" / f"evidence-{old.key_id}.pub").read_text().strip() == old.public_hex
