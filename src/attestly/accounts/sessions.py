"""Django's database sessions, read with one hand-written query (`attestly.core.hotpath`).

Every signed-in request loads its session first; the ORM's query builder would cost more than
the read. Storage, expiry and everything else stay Django's.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.utils import timezone


class _Row:
    def __init__(self, session_data: str) -> None:
        self.session_data = session_data


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        sql = (
            f"SELECT {connection.ops.quote_name('session_data')} "  # noqa: S608  # names fixed, values bound
            f"FROM {connection.ops.quote_name(model._meta.db_table)} "
            f"WHERE {connection.ops.quote_name('session_key')} = %s "
            f"AND {connection.ops.quote_name('expire_date')} > %s"
        )
        try:
            key = self.session_key
            with connection.cursor() as cursor:
                cursor.execute(sql, [key, timezone.now()])
                row = cursor.fetchone()
        except SuspiciousOperation as exc:  # as Django's own store does
            logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
            row = None
        if row is None:
            self._session_key = None
            return None
        return _Row(row[0])
