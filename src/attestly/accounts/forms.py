"""Forms for members, API tokens and the SSO setting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from attestly.accounts.models import TokenScope
from attestly.core.models import Role

EXPIRY_CHOICES = [("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")]


class AddMemberForm(forms.Form):
    username = forms.CharField(max_length=150, label="User name")
    email = forms.EmailField(
        label="Email", help_text="An existing account with this email is added."
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="What the token is for.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, initial="90", label="Expires after"
    )

    def expires_in(self) -> dt.timedelta:
        return dt.timedelta(days=self.cleaned_data["expires_in_days"])


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    require_mfa = forms.BooleanField(
        required=False, label="Require multi-factor sign-in for owners and admins"
    )


class SsoForm(forms.Form):
    enabled = forms.BooleanField(required=False, initial=True)
    issuer = forms.URLField(max_length=300, label="Issuer URL", assume_scheme="https")
    client_id = forms.CharField(max_length=200, label="Client id")
    client_secret = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.PasswordInput,
        label="Client secret",
        help_text="Leave empty to keep the stored secret.",
    )
    scopes = forms.CharField(max_length=200, initial="openid email profile")
    groups_claim = forms.CharField(max_length=100, initial="groups", label="Groups claim")
    role_mapping = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Group to role mapping",
        help_text="One per line: group = role",
    )
    default_role = forms.ChoiceField(
        choices=[("", "No role: refuse"), *Role.choices],
        required=False,
        label="Role when no group matches",
    )
    enforce = forms.BooleanField(
        required=False,
        label="Enforce single sign-on (owners keep the local break-glass sign-in)",
    )

    def clean_role_mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["role_mapping"].splitlines(), 1):
            if not line.strip():
                continue
            group, sep, role = line.rpartition("=")
            if not sep or not group.strip() or role.strip() not in Role.values:
                raise forms.ValidationError(
                    f"Line {number}: write 'group = role' with a role among "
                    f"{', '.join(Role.values)}."
                )
            mapping[group.strip()] = role.strip()
        return mapping

    @staticmethod
    def mapping_text(mapping: dict[str, Any]) -> str:
        return "\n".join(f"{group} = {role}" for group, role in mapping.items())
