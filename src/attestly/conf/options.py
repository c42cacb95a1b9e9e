"""Every Attestly option in one place: type, default and doc.

Options come, last one winning, from the defaults below, an optional TOML file
(`ATTESTLY_CONFIG`, or `attestly.toml` in the data directory), and `ATTESTLY_<NAME>`
environment variables. A secret can instead be read from a file named by
`ATTESTLY_<NAME>_FILE`, so container secrets never sit in the environment.

`load_options()` never half-succeeds: a bad value raises `OptionsError` naming the option.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "ATTESTLY_"

# Values people paste from examples. Refused as a secret outside demo mode.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "password",
        "placeholder",
        "insecure",
        "django-insecure",
        "xxx",
        "todo",
    }
)


class OptionsError(Exception):
    """A configuration value is missing or wrong; the message names the option."""


class Options(BaseModel):
    """The typed options of an Attestly installation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(
        Path(".attestly"),
        description="Directory for the SQLite database, blobs, keys and the config file.",
    )
    database_url: str | None = Field(
        None,
        description="Database URL, e.g. postgres://user@host/db. Empty: SQLite in the data dir.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key for sessions and signing. Empty: read from <data_dir>/secret_key, "
        "which `attestly init` creates.",
    )
    demo: bool = Field(False, description="Demo mode: relaxes the placeholder-secret rule.")
    debug: bool = Field(False, description="Django debug pages. Never in production.")
    host: str = Field("127.0.0.1", description="Address `attestly serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `attestly serve` listens on.")
    threads: int = Field(8, ge=1, le=256, description="Request threads of `attestly serve`.")
    workers: int = Field(
        0,
        ge=0,
        le=64,
        description="Processes of `attestly serve`; 0: one per CPU core on Linux (at most 4), "
        "one elsewhere. Always 1 on Windows.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "[::1]"],
        description="Host names the web app answers to (comma-separated in the environment).",
    )
    base_url: str = Field(
        "",
        description="Public URL of the installation, e.g. https://grc.example.com. Sets HTTPS "
        "cookie and HSTS behaviour when it starts with https://.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Least severe log level written."
    )
    log_format: Literal["console", "json"] = Field(
        "console", description="console for people, json for log shippers."
    )
    time_zone: str = Field("UTC", description="Time zone dates are shown in.")
    api_page_size: int = Field(100, ge=1, le=1000, description="Default API page size.")
    api_max_page_size: int = Field(500, ge=1, le=10000, description="Largest API page size.")
    extra_catalog_dirs: list[Path] = Field(
        default_factory=list,
        description="Extra directories of framework and control YAML files to load.",
    )
    checks_dirs: list[Path] = Field(
        default_factory=list,
        description="Directories of your own declarative checks (YAML files) to load.",
    )
    import_max_bytes: int = Field(
        200 * 1024 * 1024,
        ge=1024,
        description="Largest findings file `attestly evidence import` accepts.",
    )
    evidence_upload_max_bytes: int = Field(
        100 * 1024 * 1024, ge=1, description="Largest evidence file accepted for upload, in bytes."
    )
    evidence_blob_backend: Literal["local", "s3"] = Field(
        "local", description="Where evidence files live: local (<data_dir>/blobs) or s3."
    )
    evidence_s3_bucket: str = Field("", description="S3 bucket for evidence blobs.")
    evidence_s3_prefix: str = Field("evidence/", description="Key prefix inside the S3 bucket.")
    evidence_s3_endpoint_url: str = Field(
        "", description="S3-compatible endpoint (MinIO, Ceph…); empty for AWS S3."
    )
    evidence_s3_region: str = Field("", description="S3 region; empty for the SDK default.")
    evidence_s3_access_key_id: str = Field("", description="S3 access key id; empty: SDK chain.")
    evidence_s3_secret_access_key: SecretStr | None = Field(
        None, description="S3 secret access key; empty: the SDK's credential chain."
    )

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        scheme = value.split("://", 1)[0]
        if "://" not in value or scheme not in {"postgres", "postgresql", "sqlite"}:
            raise ValueError("must look like postgres://user@host:5432/name or sqlite:///path")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "attestly.sqlite3"

    @property
    def secret_key_path(self) -> Path:
        return self.data_dir / "secret_key"


_LIST_FIELDS = {"allowed_hosts", "extra_catalog_dirs", "checks_dirs"}
_SECRET_FIELDS = {"secret_key", "database_url", "evidence_s3_secret_access_key"}


def _type_name(annotation: Any) -> str:
    text = str(annotation)
    for noise in ("typing.", "pathlib.", "pydantic.types.", "<class '", "'>"):
        text = text.replace(noise, "")
    names = {
        "SecretStr": "secret",
        "Path": "path",
        "str": "text",
        "int": "integer",
        "bool": "true/false",
        "list[text]": "comma-separated list",
        "list[path]": "comma-separated paths",
    }
    for raw, nice in names.items():
        text = text.replace(raw, nice)
    if text.startswith("Literal["):
        text = "one of " + text.removeprefix("Literal[").removesuffix("]").replace("'", "")
    return text.replace(" | None", " (optional)")


def option_docs() -> list[tuple[str, str, str, str]]:
    """(env name, type, default, doc) for every option, for docs and `check-config`."""
    rows = []
    for name, field in Options.model_fields.items():
        factory = field.default_factory
        default = factory() if factory is not None else field.default  # type: ignore[call-arg]
        if isinstance(default, list):
            default = ",".join(str(v) for v in default)
        rows.append(
            (
                ENV_PREFIX + name.upper(),
                _type_name(field.annotation),
                "" if default is None else str(default),
                field.description or "",
            )
        )
    return rows


def options_markdown() -> str:
    """The options table of docs/configuration.md (a test keeps the doc in line with this)."""
    lines = ["| option | type | default | meaning |", "| --- | --- | --- | --- |"]
    for env_name, type_name, default, doc in option_docs():
        shown = f"`{default}`" if default else "(empty)"
        lines.append(f"| `{env_name}` | {type_name.replace('|', 'or')} | {shown} | {doc} |")
    return "\n".join(lines) + "\n"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise OptionsError(f"config file {path}: not valid TOML ({exc})") from exc
    except OSError as exc:
        raise OptionsError(f"config file {path}: cannot be read ({exc.strerror})") from exc
    section = data.get("attestly", data)
    if not isinstance(section, dict):
        raise OptionsError(f"config file {path}: [attestly] must be a table")
    return section


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Options.model_fields:
        key = ENV_PREFIX + name.upper()
        file_key = key + "_FILE"
        if name in _SECRET_FIELDS and env.get(file_key):
            path = Path(env[file_key])
            try:
                values[name] = path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise OptionsError(f"{file_key}: cannot read {path} ({exc.strerror})") from exc
        elif key in env:
            raw = env[key]
            values[name] = (
                [p.strip() for p in raw.split(",") if p.strip()] if (name in _LIST_FIELDS) else raw
            )
    return values


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "?"
        label = ENV_PREFIX + name.upper() if name in Options.model_fields else name
        parts.append(f"{label}: {err['msg']}")
    return "; ".join(parts)


def load_options(env: Mapping[str, str] | None = None) -> Options:
    """Read and validate the options. Raises OptionsError naming the bad option."""
    env = os.environ if env is None else env
    from_env = _from_env(env)
    data_dir = Path(from_env.get("data_dir") or env.get(ENV_PREFIX + "DATA_DIR") or ".attestly")
    config_path = Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else None
    from_file: dict[str, Any] = {}
    if config_path is not None:
        if not config_path.is_file():
            raise OptionsError(f"ATTESTLY_CONFIG: no file at {config_path}")
        from_file = _read_toml(config_path)
    elif (data_dir / "attestly.toml").is_file():
        from_file = _read_toml(data_dir / "attestly.toml")
    merged = {**from_file, **from_env}
    try:
        options = Options.model_validate(merged)
    except ValidationError as exc:
        raise OptionsError(_describe(exc)) from exc
    return options


def resolve_secret_key(options: Options) -> str:
    """The secret key in force; refuses placeholders unless in demo mode."""
    if options.secret_key is not None:
        key = options.secret_key.get_secret_value()
        source = "ATTESTLY_SECRET_KEY"
    elif options.secret_key_path.is_file():
        key = options.secret_key_path.read_text(encoding="utf-8").strip()
        source = str(options.secret_key_path)
    else:
        if options.demo:
            return "demo-only-secret-key-not-for-production-use-0123456789"
        raise OptionsError(
            "ATTESTLY_SECRET_KEY: not set and no key file at "
            f"{options.secret_key_path}; run `attestly init` or set the option"
        )
    if not options.demo and (
        key.lower() in PLACEHOLDER_SECRETS
        or key.lower().startswith("django-insecure")
        or len(key) < 32
    ):
        raise OptionsError(
            f"ATTESTLY_SECRET_KEY: the key from {source} is a placeholder or shorter than 32 "
            "characters; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    return key
