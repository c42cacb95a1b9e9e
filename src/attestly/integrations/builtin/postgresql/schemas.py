"""Evidence payloads of the PostgreSQL integration; the key is `host:port`.

A payload is `{"error": "<why>"}` when the server could not be reached or logged into; the hba
payload alone is `{"error": ...}` when the role may not read `pg_hba_file_rules`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

KIND_SETTINGS = "postgresql.settings"
KIND_HBA = "postgresql.hba"
KIND_ROLES = "postgresql.roles"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Settings(_Payload):
    """`postgresql.settings`: the server settings the checks read, as pg_settings shows them."""

    settings: dict[str, str] = Field(description="name -> setting, from pg_settings.")
    major_version: int
    connection_ssl: bool = Field(description="Whether the collector's own session used TLS.")
    declared_backup: str | None = Field(
        None, description="A backup mechanism declared in the connection config (pgBackRest...)."
    )


class HbaRule(_Payload):
    line_number: int
    type: str
    database: list[str] | None
    user_name: list[str] | None
    address: str | None
    netmask: str | None
    auth_method: str | None
    error: str | None


class Hba(_Payload):
    """`postgresql.hba`: the rules of pg_hba.conf as the server parsed them."""

    rules: list[HbaRule]


class Role(_Payload):
    rolname: str
    rolsuper: bool
    rolcanlogin: bool
    rolcreaterole: bool
    rolcreatedb: bool
    rolreplication: bool
    rolbypassrls: bool
    rolvaliduntil: dt.datetime | None


class Roles(_Payload):
    """`postgresql.roles`: every role (pg_* built-ins left out) with its attributes."""

    roles: list[Role]
    superusers: list[str]
    login_roles: list[str]


SCHEMAS: dict[str, type[BaseModel]] = {KIND_SETTINGS: Settings, KIND_HBA: Hba, KIND_ROLES: Roles}


def validated(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The payload checked against its model and dumped as JSON-ready data."""
    return SCHEMAS[kind].model_validate(data).model_dump(mode="json")
