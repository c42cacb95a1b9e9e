"""Automated check results as readiness signals: the link from checks to control status.

A control with a failing resource on any check mapped to it is failing, and so are the
criteria it meets. Results that could not be evaluated (`error`) weaken it to at most partial,
because a check that cannot run proves nothing either way. Excepted results count as neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from attestly.checks.queries import control_check_status
from attestly.controls.models import Control
from attestly.core.models import Workspace
from attestly.readiness.scoring import ControlSignal, SignalEffect


def check_signals(
    workspace: Workspace, controls: Sequence[Control]
) -> Mapping[int, Sequence[ControlSignal]]:
    """Signals per workspace control id, from the current results of the checks mapped to it."""
    status = control_check_status(workspace)
    if not status:
        return {}
    found: dict[int, list[ControlSignal]] = {}
    for control in controls:
        counts = status.get(control.ref)
        if counts is None:
            continue
        checks = ", ".join(sorted(counts.checks))
        if counts.failing:
            found[control.pk] = [
                ControlSignal(
                    "check",
                    SignalEffect.FAIL,
                    f"{counts.failing} resource(s) fail automated checks ({checks})",
                )
            ]
        elif counts.error:
            found[control.pk] = [
                ControlSignal(
                    "check",
                    SignalEffect.DEGRADE,
                    f"{counts.error} result(s) could not be evaluated ({checks})",
                )
            ]
    return found
