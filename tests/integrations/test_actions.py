from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from attestly.core.models import AuditEntry, Workspace
from attestly.integrations.actions import (
    do_delete_connection,
    do_rotate_secrets,
    do_update_connection,
    load_config,
)
from attestly.integrations.models import Connection
from attestly.integrations.secrets import SecretBox, SecretsError, current_box
from attestly.testing.factories import make_connection

pytestmark = pytest.mark.django_db
CONFIG = {"url": "http://127.0.0.1:1", "token": "tok-123456"}


def test_secrets_are_encrypted_and_plain_fields_kept(
    acme: Workspace, sample_installed: Any
) -> None:
    connection = make_connection(acme, config=CONFIG)
    assert connection.config == {"url": "http://127.0.0.1:1", "org": "acme"}
    assert "tok-123456" not in connection.secrets
    assert connection.schedule == "1h"  # the integration's default
    config = load_config(connection, sample_installed[0].get("sample"))
    assert config.token.get_secret_value() == "tok-123456"  # type: ignore[attr-defined]


def test_bad_config_names_the_fields_without_echoing_values(
    acme: Workspace, sample_installed: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_connection(acme, config={"token": "tok-123456", "colour": "red"})
    assert set(caught.value.message_dict) == {"url", "colour"}
    assert "tok-123456" not in str(caught.value)


def test_unknown_integration_name_clash_and_bad_schedule(
    acme: Workspace, sample_installed: Any
) -> None:
    with pytest.raises(ValidationError, match="No integration 'nope'"):
        make_connection(acme, "nope", config=CONFIG)
    make_connection(acme, config=CONFIG)
    with pytest.raises(ValidationError, match="already has a connection named"):
        make_connection(acme, config=CONFIG)
    with pytest.raises(ValidationError, match="neither an interval"):
        make_connection(acme, name="other", config=CONFIG, schedule="sometimes")


def test_update_keeps_a_secret_left_blank_and_audits_names_only(
    acme: Workspace, sample_installed: Any
) -> None:
    connection = make_connection(acme, config=CONFIG)
    do_update_connection(
        actor=None,
        connection=connection,
        config={"org": "globex", "token": ""},
        schedule="0 3 * * *",
    )
    config = load_config(connection, sample_installed[0].get("sample"))
    assert (config.org, config.token.get_secret_value()) == ("globex", "tok-123456")  # type: ignore[attr-defined]
    do_update_connection(actor=None, connection=connection, config={"token": "tok-new-99"})
    entry = AuditEntry.objects.filter(action="integrations.connection.update").last()
    assert entry is not None
    assert entry.after["secrets_changed"] == ["token"]
    assert "tok-new-99" not in str(entry.after) + str(entry.before)


def test_delete_removes_the_connection(acme: Workspace, sample_installed: Any) -> None:
    connection = make_connection(acme, config=CONFIG)
    do_delete_connection(actor=None, connection=connection)
    assert not Connection.objects.filter(pk=connection.pk).exists()
    assert AuditEntry.objects.filter(action="integrations.connection.delete").count() == 1


def test_rotate_re_encrypts_every_connection(
    acme: Workspace, globex: Workspace, sample_installed: Any
) -> None:
    first = make_connection(acme, config=CONFIG)
    second = make_connection(globex, config={**CONFIG, "token": "tok-globex"})
    new = SecretBox("a-brand-new-installation-key-0987654321")
    assert do_rotate_secrets(actor=None, old=current_box(), new=new) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert new.open(first.secrets)["token"] == "tok-123456"
    assert new.open(second.secrets)["token"] == "tok-globex"
    with pytest.raises(SecretsError):
        current_box().open(first.secrets)
    entry = AuditEntry.objects.get(action="integrations.secrets.rotate")
    assert entry.after == {"key_id": new.key_id, "connections": 2}


def test_rotate_with_the_wrong_old_key_changes_nothing(
    acme: Workspace, sample_installed: Any
) -> None:
    connection = make_connection(acme, config=CONFIG)
    stored = connection.secrets
    with pytest.raises(SecretsError):
        do_rotate_secrets(
            actor=None, old=SecretBox("not-the-key-in-use-at-all"), new=SecretBox("x" * 40)
        )
    connection.refresh_from_db()
    assert connection.secrets == stored
