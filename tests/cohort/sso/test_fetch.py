"""What the server fetches from an identity provider, and when: only when its settings are saved (SAML
sign-in uses what was read then), through one guard (address and connected peer checked, no redirects,
at most 1 MB, a deadline), with every address a discovery document or metadata gives checked."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError

from cohort.sso import services
from cohort.sso.models import IdentityProvider
from tests.cohort.sso.support import metadata
from tests.cohort.sso.test_settings import nothing_saved, oidc, post, saml

Handler = Callable[[BaseHTTPRequestHandler], None]


class Server:
    """A real HTTP server on this machine whose answer a test sets; it counts the requests it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.answer: Handler = lambda h: h.send_response(404)
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                try:
                    server.answer(self)
                    self.end_headers()
                except OSError:
                    pass

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


def body(payload: bytes, content_type: str = "application/xml") -> Handler:
    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    return answer


def test_metadata_over_a_megabyte_is_refused_without_reading_it_all(server) -> None:
    def huge(h: BaseHTTPRequestHandler) -> None:  # no Content-Length: only reading tells the size
        h.send_response(200)
        h.send_header("Content-Type", "application/xml")
        h.end_headers()
        for _ in range(64):  # 4 MB, in 64 kB pieces
            h.wfile.write(b"<" + b"x" * 65535)

    server.answer = huge
    with pytest.raises(ValidationError, match="could not be read from that address"):
        services.fetch_metadata(server.url + "/metadata")
    with pytest.raises(services.FetchRefused, match="too big"):
        services.fetch(server.url + "/metadata")


def test_a_declared_size_over_a_megabyte_is_refused(server) -> None:
    def declared(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(800_000_000))
        h.end_headers()

    server.answer = declared
    with pytest.raises(services.FetchRefused, match="too big"):
        services.fetch(server.url + "/metadata")


def test_a_server_answering_a_byte_at_a_time_is_cut_at_the_deadline(server, monkeypatch) -> None:
    monkeypatch.setattr(services, "FETCH_DEADLINE", 2.0)

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(1000):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.5)  # each read well within the per-read timeout

    server.answer = drip
    started = time.monotonic()
    with pytest.raises(requests.RequestException):
        services.fetch(server.url + "/metadata")
    assert time.monotonic() - started < 4


def test_a_redirect_is_not_followed(server) -> None:
    target = Server()
    try:
        target.answer = body(metadata().encode())

        def redirect(h: BaseHTTPRequestHandler) -> None:
            h.send_response(302)
            h.send_header("Location", target.url + "/internal")

        server.answer = redirect
        with pytest.raises(ValidationError, match="could not be read from that address"):
            services.fetch_metadata(server.url + "/metadata")
        assert target.hits == []
    finally:
        target.stop()


def test_in_production_a_connection_that_lands_on_an_internal_address_sends_nothing(
    server, settings, monkeypatch
) -> None:
    """A name that resolved to a public address when checked and to this machine when connecting (DNS
    rebinding): the connected peer is checked before anything is sent."""
    settings.SSO_ALLOW_LOCAL_PROVIDERS = False
    monkeypatch.setattr(services, "check_url", lambda url, **kw: None)  # the name "passed" its check
    with services.guarded_session() as session, pytest.raises(requests.RequestException, match="private address"):
        session.post(server.url + "/token", data={"client_secret": "s3cret"})
    assert server.hits == []


def test_in_production_allauths_requests_at_sign_in_go_through_the_guard(server, settings) -> None:
    """allauth asks the adapter for its requests session (discovery, token, userinfo, keys)."""
    from allauth.socialaccount.adapter import get_adapter

    settings.SSO_ALLOW_LOCAL_PROVIDERS = False
    with get_adapter().get_requests_session() as session, pytest.raises(services.FetchRefused):
        session.post(server.url + "/token", data={"client_secret": "s3cret"})
    assert server.hits == []


def test_saml_sign_in_never_fetches_the_metadata_url(client, world, server) -> None:
    server.answer = body(metadata().encode())
    response = post(world, saml(metadata_xml="", metadata_url=server.url + "/metadata"))
    assert response.status_code == 302
    assert len(server.hits) == 1  # read once, when saved
    app = SocialApp.objects.get()
    assert "metadata_url" not in app.settings["idp"]
    assert app.settings["idp"]["sso_url"] == "https://idp.irwell.example/saml/sso"
    server.answer = lambda h: h.send_response(500)
    for _ in range(5):
        sent = client.post("/accounts/login/", {"login": "ivy@irwell.example"})
        assert sent.status_code == 302 and sent["Location"].startswith("https://idp.irwell.example/saml/sso?")
    assert len(server.hits) == 1


@pytest.mark.parametrize(
    ("endpoint", "value", "message"),
    [
        ("token_endpoint", "javascript:alert(1)", "token_endpoint (javascript:alert(1)) cannot be used: Use an https"),
        ("userinfo_endpoint", "ftp://idp.example/userinfo", "userinfo_endpoint (ftp://idp.example/userinfo) cannot be"),
        ("jwks_uri", None, "gives no jwks_uri"),
        ("authorization_endpoint", "https:///authorize", "authorization_endpoint (https:///authorize) cannot be used"),
    ],
)
def test_every_endpoint_of_the_discovery_document_is_checked(world, oidc_discovery, endpoint, value, message) -> None:
    oidc_discovery.body = {**oidc_discovery.body, endpoint: value}
    response = post(world, oidc(oidc_discovery.issuer))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_saved()


def test_in_production_an_internal_endpoint_is_refused(settings) -> None:
    settings.SSO_ALLOW_LOCAL_PROVIDERS = False
    for url in [
        "https://127.0.0.1/token",
        "https://10.1.2.3/token",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/token",
        "https://[::ffff:127.0.0.1]/token",
        "https://[64:ff9b::7f00:1]/token",
        "https://[::127.0.0.1]/token",
        "http://idp.example/x",
        "javascript:alert(1)",
    ]:
        with pytest.raises(ValidationError):
            services.check_url(url)


@pytest.mark.parametrize(
    ("where", "url", "message"),
    [
        ("sso", "javascript:alert(1)", "single sign-on address (javascript:alert(1)) cannot be used"),
        ("slo", "javascript:alert(1)", "single log-out address (javascript:alert(1)) cannot be used"),
        ("sso", "data:text/html,hi", "single sign-on address (data:text/html,hi) cannot be used"),
    ],
)
def test_pasted_metadata_with_an_address_that_is_not_https_is_refused(world, where, url, message) -> None:
    xml = metadata().replace(f"https://idp.irwell.example/saml/{where}", url)
    response = post(world, saml(metadata_xml=xml))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_saved()


def test_in_production_metadata_addresses_on_this_machine_are_refused(world, settings) -> None:
    settings.SSO_ALLOW_LOCAL_PROVIDERS = False
    xml = metadata().replace("https://idp.irwell.example/saml/slo", "https://127.0.0.1/slo")
    response = post(world, saml(metadata_xml=xml))
    assert response.status_code == 400
    assert "is on a private network" in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize(
    ("old", "message"),
    [
        ('entityID="https://idp.irwell.example/saml"', "entity ID is longer than 500 characters"),
        ('Location="https://idp.irwell.example/saml/sso"', "single sign-on address is longer than 500 characters"),
        ('Location="https://idp.irwell.example/saml/slo"', "single log-out address is longer than 500 characters"),
    ],
)
def test_metadata_fields_longer_than_the_database_holds_are_refused(world, old, message) -> None:
    new = old[:-1] + "/" + "a" * 600 + '"'
    response = post(world, saml(metadata_xml=metadata().replace(old, new)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_saved()
    assert not IdentityProvider.objects.exists()


def test_a_trickle_without_a_length_cut_at_the_deadline_is_refused_not_returned(server, monkeypatch) -> None:
    """The watchdog closing the socket reads as the end of the answer: what came before is not an answer."""
    monkeypatch.setattr(services, "FETCH_DEADLINE", 2.0)

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.3)

    server.answer = drip
    with pytest.raises(services.FetchRefused, match="took too long"):
        services.fetch(server.url + "/metadata")
