"""The connect form, generated from an integration's config model.

Each config field becomes a form field of the matching type; secret (`SecretStr`) fields are
password inputs that never render a value back. Lists are typed one per line; other complex
values as JSON.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from django import forms
from pydantic import SecretStr
from pydantic.fields import FieldInfo

from attestly.integrations.base import Integration
from attestly.integrations.schedule import ScheduleError, parse_schedule


def _base_type(annotation: Any) -> Any:
    """`str | None` → str; `list[str]` → list."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(args[0]) if len(args) == 1 else str
    return origin or annotation


def _form_field(info: FieldInfo, secret: bool, editing: bool) -> forms.Field:
    kind = _base_type(info.annotation)
    required = info.is_required() and not (secret and editing)
    common: dict[str, Any] = {
        "required": required,
        "help_text": info.description or "",
        "label": (info.title or "").strip() or None,
    }
    if secret or kind is SecretStr:
        help_text = common["help_text"]
        if editing:
            help_text = (
                help_text + " " if help_text else ""
            ) + "Leave empty to keep the stored value."
        common["help_text"] = help_text
        return forms.CharField(widget=forms.PasswordInput(render_value=False), **common)
    initial = None if info.is_required() else info.get_default(call_default_factory=True)
    if kind is bool:
        return forms.BooleanField(initial=initial, **{**common, "required": False})
    if kind is int:
        return forms.IntegerField(initial=initial, **common)
    if kind is float:
        return forms.FloatField(initial=initial, **common)
    if kind in (list, tuple, set, frozenset):
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            initial="\n".join(map(str, initial or [])),
            **{**common, "help_text": (common["help_text"] + " One per line.").strip()},
        )
    if kind in (dict,):
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            initial=json.dumps(initial) if initial is not None else "",
            **{**common, "help_text": (common["help_text"] + " JSON object.").strip()},
        )
    return forms.CharField(initial=initial, **common)


class ConnectionForm(forms.Form):
    """Name and schedule, plus one field per config field (added by `connection_form`)."""

    name = forms.CharField(max_length=100, help_text="A name for this connection.")
    schedule = forms.CharField(
        max_length=100, help_text="An interval (30m, 6h, 1d) or a cron expression, in UTC."
    )

    integration: Integration
    config_fields: tuple[str, ...] = ()

    def clean_schedule(self) -> str:
        value: str = self.cleaned_data["schedule"]
        try:
            return parse_schedule(value).text
        except ScheduleError as exc:
            raise forms.ValidationError(str(exc)) from None

    def config_values(self) -> dict[str, Any]:
        """Cleaned config values as the config model takes them; empty secrets left out."""
        secret_names = set(self.integration.secret_fields)
        values: dict[str, Any] = {}
        for name in self.config_fields:
            value = self.cleaned_data.get(name)
            kind = _base_type(self.integration.config.model_fields[name].annotation)
            if name in secret_names and not value:
                continue
            if kind in (list, tuple, set, frozenset) and isinstance(value, str):
                value = [line.strip() for line in value.splitlines() if line.strip()]
            elif kind is dict and isinstance(value, str):
                value = json.loads(value) if value.strip() else {}
            elif (
                value in ("", None) and not self.integration.config.model_fields[name].is_required()
            ):
                continue
            values[name] = value
        return values


def connection_form(
    integration: Integration, *, editing: bool = False, **kwargs: Any
) -> ConnectionForm:
    """A bound or unbound form for connecting (or editing a connection of) `integration`."""
    form = ConnectionForm(**kwargs)
    form.integration = integration
    secret_names = set(integration.secret_fields)
    names = []
    for name, info in integration.config.model_fields.items():
        form.fields[name] = _form_field(info, name in secret_names, editing)
        names.append(name)
    form.config_fields = tuple(names)
    if not form.is_bound and "schedule" not in form.initial:
        form.fields["schedule"].initial = integration.default_schedule
    return form
