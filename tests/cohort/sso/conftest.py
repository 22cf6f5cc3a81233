from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from cohort.sso import services
from cohort.sso.models import IdentityProvider
from tests.cohort.sso.support import OidcDiscovery, metadata


@pytest.fixture(scope="session")
def saml_metadata() -> str:
    return metadata()


@pytest.fixture
def oidc_discovery() -> Iterator[OidcDiscovery]:
    server = OidcDiscovery()
    yield server
    server.stop()


@pytest.fixture
def saml_provider(world, saml_metadata) -> IdentityProvider:
    """Irwell's SAML provider for irwell.example, enabled, not SSO only."""
    provider = IdentityProvider(
        institution=world.irwell, kind=IdentityProvider.Kind.SAML, slug="irwell-saml", name="Irwell Single Sign-On"
    )
    for name, value in services.parse_metadata(saml_metadata).items():
        setattr(provider, name, value)
    provider.metadata_xml = saml_metadata
    return services.save_provider(None, provider, ["irwell.example"])


@pytest.fixture
def oidc_provider(world, oidc_discovery) -> IdentityProvider:
    """Medlock's OpenID Connect provider for medlock.example (a real discovery document), enabled."""
    provider = IdentityProvider(
        institution=world.medlock,
        kind=IdentityProvider.Kind.OIDC,
        slug="medlock-oidc",
        name="Medlock Login",
        issuer=oidc_discovery.issuer,
        client_id="qm-cohort",
        client_secret="a-long-client-secret-4f2a",
    )
    return services.save_provider(None, provider, ["medlock.example"])


@pytest.fixture
def client() -> Client:
    """A browser's client: it sends a Host header, which python3-saml builds its addresses from (and refuses a one-label name such as "testserver")."""
    return Client(HTTP_HOST="127.0.0.1")
