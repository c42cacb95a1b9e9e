"""sshd_config parsing: Include (with globs), first value wins, Match blocks kept apart.

Pure: files are read through the callables the collector passes in.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# OpenSSH 8/9 defaults for the settings the checks read.
DEFAULTS = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "yes",
    "permitemptypasswords": "no",
    "kbdinteractiveauthentication": "yes",
    "maxauthtries": "6",
    "x11forwarding": "no",
    "pubkeyauthentication": "yes",
}
MAX_INCLUDE_DEPTH = 16


@dataclass
class SshdConfig:
    """Global settings (first occurrence wins) and each Match block's own settings."""

    settings: dict[str, str] = field(default_factory=dict)
    matches: list[dict[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def parse(
    path: str,
    read: Callable[[str], str | None],
    expand: Callable[[str], list[str]],
) -> SshdConfig:
    """Parse the config at `path`; `read` returns a file's text (None if absent), `expand`
    resolves an Include glob to absolute paths in sorted order."""
    config = SshdConfig()
    _parse_file(path, read, expand, config, None, 0)
    for name, value in DEFAULTS.items():
        config.settings.setdefault(name, value)
    return config


def _parse_file(
    path: str,
    read: Callable[[str], str | None],
    expand: Callable[[str], list[str]],
    config: SshdConfig,
    match: dict[str, str] | None,
    depth: int,
) -> dict[str, str] | None:
    if depth > MAX_INCLUDE_DEPTH:
        raise ValueError(f"{path}: Include nested deeper than {MAX_INCLUDE_DEPTH}")
    text = read(path)
    if text is None:
        return match
    config.files.append(path)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            words = shlex.split(line.replace("=", " ", 1), comments=True)
        except ValueError:
            words = line.split()
        if not words:
            continue
        name, args = words[0].lower(), words[1:]
        if name == "include":
            for pattern in args:
                absolute = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
                for included in expand(absolute):
                    # A Match in an included file ends with that file (OpenSSH >= 8.4).
                    _parse_file(included, read, expand, config, match, depth + 1)
            continue
        if name == "match":
            criteria = " ".join(args)
            if criteria.lower() == "all":
                match = None
                continue
            match = {"match": criteria}
            config.matches.append(match)
            continue
        value = " ".join(args).lower()
        target = config.settings if match is None else match
        target.setdefault(name, value)
    return match


def parse_sshd_t(output: str) -> dict[str, str]:
    """`sshd -T` prints the effective settings, one `name value` per line."""
    settings: dict[str, str] = {}
    for line in output.splitlines():
        name, _, value = line.strip().partition(" ")
        if name:
            settings.setdefault(name.lower(), value.lower())
    return settings


def glob_under(root: Path) -> Callable[[str], list[str]]:
    """An Include expander for files under a root directory, answering absolute paths."""

    def expand(absolute: str) -> list[str]:
        pattern = absolute.lstrip("/")
        return sorted("/" + str(p.relative_to(root)) for p in root.glob(pattern) if p.is_file())

    return expand
