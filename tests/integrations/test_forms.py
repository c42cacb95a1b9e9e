from __future__ import annotations

import dataclasses

from pydantic import Field, SecretStr

from attestly.integrations.base import IntegrationConfig
from attestly.integrations.forms import connection_form
from tests.integrations.sample import integration as sample


class RichConfig(IntegrationConfig):
    url: str = Field(description="Where")
    token: SecretStr
    port: int = 5432
    verify: bool = True
    regions: list[str] = Field(default_factory=lambda: ["eu-west-1"])
    note: str | None = None


RICH = dataclasses.replace(sample.integration, slug="rich", config=RichConfig)


def test_fields_follow_the_config_types() -> None:
    form = connection_form(RICH)
    html = form.as_p()
    assert '<input type="password" name="token"' in html
    assert 'type="number" name="port" value="5432"' in html
    assert 'type="checkbox" name="verify"' in html
    assert "eu-west-1</textarea>" in html
    assert form.fields["url"].help_text == "Where"
    assert form.fields["schedule"].initial == "1h"


def test_cleaned_values_are_what_the_config_model_takes() -> None:
    data = {
        "name": "db",
        "schedule": "6h",
        "url": "db.internal",
        "token": "pw",
        "port": "6543",
        "regions": "eu-west-1\n us-east-1 \n",
        "note": "",
    }
    form = connection_form(RICH, data=data)
    assert form.is_valid(), form.errors
    values = form.config_values()
    assert values == {
        "url": "db.internal",
        "token": "pw",
        "port": 6543,
        "verify": False,
        "regions": ["eu-west-1", "us-east-1"],
    }
    assert RichConfig.model_validate(values).port == 6543


def test_when_editing_a_blank_secret_keeps_the_stored_one() -> None:
    form = connection_form(RICH, editing=True, data={"name": "db", "schedule": "1d", "url": "x"})
    assert form.is_valid(), form.errors
    assert "token" not in form.config_values()
    assert "Leave empty to keep the stored value." in form.fields["token"].help_text


def test_a_bad_schedule_is_a_form_error() -> None:
    form = connection_form(
        RICH, data={"name": "db", "schedule": "hourly", "url": "x", "token": "t"}
    )
    assert not form.is_valid()
    assert "neither an interval" in form.errors["schedule"][0]
