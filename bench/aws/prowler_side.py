"""The Prowler side: its own venv (bench/.prowler-venv, made on first use), one `prowler aws`
run against the moto endpoint, its OCSF findings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.aws.measure import Measured, run_measured
from bench.aws.seed import CREDENTIALS

VENV = Path(__file__).resolve().parent.parent / ".prowler-venv"
PROWLER = VENV / "bin" / "prowler"
_SCAN = re.compile(r"Scan completed!.*? in (?:(\d+):)?(\d+(?:\.\d+)?)s?")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def ensure_prowler(log: Any = print) -> Path:
    """Install Prowler (PyPI, 5.x; Python 3.9-3.12) into its own venv if it is missing."""
    if PROWLER.exists():
        return PROWLER
    python = next(
        (
            p
            for p in (sys.executable, "python3.12", "python3.11", "python3.10", "python3.9")
            if shutil.which(p) and _version_ok(p)
        ),
        None,
    )
    if python is None:
        raise RuntimeError("Prowler needs Python 3.9-3.12; none found")
    log(f"installing Prowler into {VENV} (one time, a few minutes)")
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "prowler>=5,<6"], check=True)
    return PROWLER


def _version_ok(python: str) -> bool:
    out = subprocess.run(
        [
            python,
            "-c",
            "import sys; print(sys.version_info[:2] >= (3, 9) and sys.version_info[:2] <= (3, 12))",
        ],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "True"


def version() -> str:
    out = subprocess.run([str(PROWLER), "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def run(
    endpoint: str,
    regions: Sequence[str],
    workdir: Path,
    checks: Sequence[str] | None,
) -> tuple[Measured, float | None, list[dict[str, Any]]]:
    """(process measurement, Prowler's own scan time, findings). `checks` None: all."""
    out_dir = workdir / "out"
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{VENV / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": regions[0],
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
    }
    cmd = [
        str(PROWLER),
        "aws",
        "--no-banner",
        "--region",
        *regions,
        "--scan-unused-services",
        "--output-formats",
        "json-ocsf",
        "--output-directory",
        str(out_dir),
        "--output-filename",
        "bench",
        "--ignore-exit-code-3",
        "--log-level",
        "ERROR",
        "--log-file",
        str(workdir / "prowler-errors.log"),
    ]
    if checks:
        cmd += ["--checks", *checks]
    measured = run_measured(cmd, env=env, log=workdir / "prowler.log", cwd=str(workdir))
    text = _ANSI.sub("", (workdir / "prowler.log").read_text(errors="replace"))
    match = _SCAN.search(text)
    scan = int(match.group(1) or 0) * 60 + float(match.group(2)) if match is not None else None
    findings_file = out_dir / "bench.ocsf.json"
    findings = json.loads(findings_file.read_text()) if findings_file.exists() else []
    return measured, scan, findings
