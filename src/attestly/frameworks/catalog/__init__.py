"""The shipped catalog: file schemas, loading with precise errors, and in-memory lookups.

The catalog is read straight from YAML, so `attestly catalog …` works with no database and
no server. `attestly.frameworks.actions.do_sync_catalog` copies it into the database.
"""

from attestly.frameworks.catalog.errors import CatalogError
from attestly.frameworks.catalog.loader import Catalog, load_catalog

__all__ = ["Catalog", "CatalogError", "load_catalog"]
