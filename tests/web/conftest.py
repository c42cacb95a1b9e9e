"""Browser fixtures (browser, page, live_server) live in tests/conftest.py, shared by all apps."""
