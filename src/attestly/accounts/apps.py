from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "attestly.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    # The OpenAPI extension for token authentication (attestly.accounts.schema) is registered
    # by attestly.api.urls, next to the schema views: importing drf_spectacular here would
    # load it (and DRF, django.test, psycopg...) into every process at start-up.
