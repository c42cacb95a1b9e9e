from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.accounts.oidc_server import OidcProvider, running_provider


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[OidcProvider]:
    """A real OpenID provider; its client accepts the Django test client's callback URL."""
    with running_provider(["http://testserver/sso/callback/"]) as provider:
        yield provider
