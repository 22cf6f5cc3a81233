"""Single sign-on against real identity providers, each in its own process, started once per test session:
an OpenID Connect provider (npm `oidc-provider`, tests/browser/sso/oidc_idp.mjs) and a SAML 2.0 IdP (pysaml2,
tests/browser/sso/saml_idp.py, signing with xmlsec1), on free ports, beside the product served by Daphne as in
the browser tests (whose fixtures these reuse).

Both IdPs know the same people (ACCOUNTS): the tester picks one on the IdP's log-in page. Each test
connects one institution, Irwell (irwell.ac.uk), to one of them (the `provider` fixture, once per kind).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cohort import services
from cohort.models import Role
from cohort.sso import services as sso
from cohort.sso.models import IdentityProvider
from tests import factories
from tests.browser.sso import saml_tools
from tests.local_servers import free_port, stop
from tests.services import missing

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = "irwell.ac.uk"
OIDC_SLUG = "irwell-oidc"
SAML_SLUG = "irwell-saml"
OIDC_CLIENT_ID = "qm-cohort"

# The people both identity providers know, by account id: what each asserts about them.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "lena": {"email": f"lena@{DOMAIN}", "given_name": "Lena", "surname": "Lloyd"},
    "fran-mfa": {"email": f"fran@{DOMAIN}", "given_name": "Fran", "surname": "Fisher", "mfa": True},
    "fran": {"email": f"fran@{DOMAIN}", "given_name": "Fran", "surname": "Fisher"},
    "uma": {"email": f"uma@{DOMAIN}", "given_name": "Uma", "surname": "Uninvited"},
    # Irwell's IdP asserting an address at another institution's domain (one it does not serve).
    "bob-elsewhere": {"email": "bob@medlock.ac.uk", "given_name": "Bob", "surname": "Brown"},
    # OpenID Connect only: an address the provider says it has not verified; ID tokens with another
    # client's audience or another issuer (signed with the provider's own key).
    "vic-unverified": {"email": f"vic@{DOMAIN}", "given_name": "Vic", "surname": "Vance", "email_verified": False},
    "wrong-audience": {"email": f"lena@{DOMAIN}", "given_name": "Lena", "surname": "Lloyd",
                       "id_token": {"aud": "another-client"}},
    "wrong-issuer": {"email": f"lena@{DOMAIN}", "given_name": "Lena", "surname": "Lloyd",
                     "id_token": {"iss": "https://login.example.invalid/"}},
}  # fmt: skip


@dataclass
class RunningIdP:
    kind: str  # "oidc" | "saml"
    url: str  # OIDC: the issuer; SAML: the metadata URL (also its entity id)
    process: subprocess.Popen[bytes]
    log: Path
    key_file: str = ""
    cert_file: str = ""
    client_secret: str = ""


def _wait_until_answers(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the identity provider exited at start: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"the identity provider did not answer {url} within {timeout:.0f} s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def sso_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sso")
    (directory / "accounts.json").write_text(json.dumps(ACCOUNTS))
    return directory


@pytest.fixture(scope="session")
def oidc_idp(sso_dir: Path, live_server_asgi: str) -> Iterator[RunningIdP]:
    node = shutil.which("node") or ""
    if not node or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        missing("the OpenID Connect tests need Node.js and npm's oidc-provider: run `npm install`")
    port = free_port()
    secret = secrets.token_urlsafe(24)
    config = sso_dir / "oidc.json"
    client = {
        "client_id": OIDC_CLIENT_ID,
        "client_secret": secret,
        "redirect_uris": [f"{live_server_asgi}/accounts/oidc/{OIDC_SLUG}/login/callback/"],
    }
    config.write_text(json.dumps({"port": port, "accounts": str(sso_dir / "accounts.json"), "clients": [client]}))
    log = sso_dir / "oidc.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [node, str(ROOT / "tests/browser/sso/oidc_idp.mjs"), str(config)], stdout=out, stderr=out
        )
    issuer = f"http://127.0.0.1:{port}"
    _wait_until_answers(process, f"{issuer}/.well-known/openid-configuration", log)
    try:
        yield RunningIdP("oidc", issuer, process, log, client_secret=secret)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def saml_idp(sso_dir: Path) -> Iterator[RunningIdP]:
    if shutil.which("xmlsec1") is None:
        missing("the SAML tests need xmlsec1: apt-get install xmlsec1")
    port = free_port()
    key_file, cert_file = saml_tools.write_key_and_cert(sso_dir)
    config = sso_dir / "saml.json"
    config.write_text(
        json.dumps({"port": port, "key": key_file, "cert": cert_file, "accounts": str(sso_dir / "accounts.json")})
    )
    log = sso_dir / "saml.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.sso.saml_idp", str(config)], stdout=out, stderr=out, cwd=ROOT, env=env
        )
    metadata = f"http://127.0.0.1:{port}/metadata"
    _wait_until_answers(process, metadata, log)
    try:
        yield RunningIdP("saml", metadata, process, log, key_file=key_file, cert_file=cert_file)
    finally:
        stop(process)


@pytest.fixture(params=["oidc", "saml"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def running_idp(kind: str, request: pytest.FixtureRequest) -> RunningIdP:
    """The IdP process of this test's kind (the other one is not started for it)."""
    return request.getfixturevalue(f"{kind}_idp")  # type: ignore[no-any-return]


@pytest.fixture
def sso_cohort(transactional_db: None) -> Any:
    """The Greater Manchester cohort with Irwell taking part, and its facilitator's membership."""
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    organiser = factories.make_user("Nia Organiser", email="nia@nnecl.example")
    facilitation = factories.member(organiser, cohort, Role.FACILITATOR)
    return cohort, irwell, facilitation


@pytest.fixture
def provider(running_idp: RunningIdP, sso_cohort: Any) -> Any:
    """Irwell's identity provider, connected as an operator would: it serves irwell.ac.uk."""
    _, irwell, _ = sso_cohort
    if running_idp.kind == "oidc":
        idp = IdentityProvider(
            institution=irwell,
            kind=IdentityProvider.Kind.OIDC,
            slug=OIDC_SLUG,
            name="Irwell Valley single sign-on",
            issuer=running_idp.url,
            client_id=OIDC_CLIENT_ID,
            client_secret=running_idp.client_secret,
        )
    else:
        idp = IdentityProvider(
            institution=irwell,
            kind=IdentityProvider.Kind.SAML,
            slug=SAML_SLUG,
            name="Irwell Valley single sign-on",
            metadata_url=running_idp.url,
            **sso.parse_metadata(sso.fetch_metadata(running_idp.url)),
        )
    return sso.save_provider(None, idp, [DOMAIN])


@pytest.fixture
def invite(sso_cohort: Any) -> Callable[..., Any]:
    """Invite an address to the cohort, as its facilitator would."""
    _, irwell, facilitation = sso_cohort

    def make(email: str, role: str, *, institution: Any = irwell) -> Any:
        invitation, _token = services.invite(facilitation, email=email, role=role, institution=institution)
        return invitation

    return make


@pytest.fixture(autouse=True)
def _providers_on_this_machine(settings: Any) -> None:
    """These identity providers answer on 127.0.0.1 over http, as in development; production refuses
    such addresses (tests/cohort/sso/test_settings.py)."""
    settings.SSO_ALLOW_LOCAL_PROVIDERS = True
