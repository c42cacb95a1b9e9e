from __future__ import annotations

from typing import Any

from django import forms


class EvidenceUploadForm(forms.Form):
    """Manual evidence: a file, the date or period it is effective for, and its controls."""

    file = forms.FileField(help_text="Any document, image, export or archive; no executables.")
    effective_from = forms.DateField(
        label="Effective on (or from)", widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label="Effective to (for a period)", required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    control_refs = forms.CharField(
        label="Controls", required=False, max_length=500,
        help_text="Control ids this evidence supports, separated by commas (e.g. AC-01, CM-02).",
    )  # fmt: skip

    def clean_control_refs(self) -> list[str]:
        raw: str = self.cleaned_data.get("control_refs") or ""
        return [part.strip() for part in raw.split(",") if part.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", "The period ends before it starts.")
        return data
