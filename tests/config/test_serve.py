"""Daphne as `make run`, run-prod and the Procfile start it (`python -m config.serve`), as a real
process: its access and request logs hold no token, and a body too large is refused as it arrives."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.cohort.assessment.factories import criterion
from tests.factories import World, client_for
from tests.local_servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = {
    "receipt": "rcpt8sT0kenAbCdEfGhIjK",
    "link": "lnkQwErTyUiOp1234567",
    "invitation": "invZxCvBnMaSdFgH98765",
    "tus": "tusKey5f4e3d2c1b0a9z8y",
    "feed": "7-0123456789abcdef0123456789abcdef01234567",
    "search": "carefulsearchterm",
}


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture(scope="module")
def server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """One `python -m config.serve` process on the test database, shared by this module's tests;
    yields its port and its log file."""
    env = dict(os.environ, DATABASE_URL=_database_url(), REDIS_URL="", SECRET_KEY=settings.SECRET_KEY, DEBUG="1",
               STATIC_MANIFEST="0", LOG_LEVEL="INFO", ALLOWED_HOSTS="localhost,127.0.0.1")  # fmt: skip
    env.pop("PYTEST_VERSION", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            env=env, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"the server exited: {log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def _request(port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_the_servers_log_keeps_the_routes_but_no_token_or_search_term(server, world: World) -> None:
    """Finding 7: receipt, link, invitation, tus and feed tokens and search terms were written in every
    request line of the access log; now each is masked and the route's shape stays."""
    port, log = server
    cookie = f"{settings.SESSION_COOKIE_NAME}={client_for(world.alice).cookies[settings.SESSION_COOKIE_NAME].value}"
    paths = [
        f"/my-clip/{SECRETS['receipt']}/",
        f"/s/{SECRETS['link']}/",
        f"/invitations/{SECRETS['invitation']}/",
        f"/clips/tus/{SECRETS['tus']}/",
        f"/calendar/feed/{SECRETS['feed']}.ics",
        f"/c/gm/discussions/search/?q={SECRETS['search']}",
    ]
    for path in paths:
        assert _request(port, "GET", path, {"Cookie": cookie}) < 500
    deadline = time.monotonic() + 5
    while "search/?q=" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    for secret in SECRETS.values():
        assert secret not in text
    for shape in ('"GET /my-clip/***/', '"GET /s/***/', '"GET /invitations/***/', '"GET /clips/tus/***/',
                  '"GET /c/gm/discussions/search/?q=***" 200'):  # fmt: skip
        assert shape in text, f"{shape} not in the log:\n{text}"


def test_a_body_too_large_is_refused_as_it_arrives(server, world: World) -> None:
    """Finding 8: Daphne read a 60 MB evidence upload whole (+800 MB) before answering; now the
    declared length is refused with 413 before any of the body is sent."""
    port, _log = server
    c1 = criterion(world.cohort, "1.1")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("POST", f"/c/gm/institutions/irwell/self-assessment/criteria/{c1.pk}/evidence/", skip_host=True)
    for name, value in {"Host": "localhost", "Content-Type": "multipart/form-data; boundary=x",
                        "Content-Length": str(60 * 1024 * 1024)}.items():  # fmt: skip
        conn.putheader(name, value)
    conn.endheaders()  # and not one byte of the body
    response = conn.getresponse()
    assert response.status == 413
    assert "the most evidence can be, so it was refused and nothing was saved" in response.read().decode()
    conn.close()
    # A small request still goes through.
    assert _request(port, "GET", "/accounts/login/") == 200


def test_a_body_streamed_without_a_length_is_cut_off_as_it_arrives(server, world: World) -> None:
    """Finding 8: with no declared length (chunked), the received bytes are counted and the request
    is refused once they pass the route's limit, without waiting for the rest."""
    port, _log = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("POST", "/c/gm/discussions/search/", skip_host=True)
    for name, value in {"Host": "localhost", "Transfer-Encoding": "chunked",
                        "Content-Type": "application/x-www-form-urlencoded"}.items():  # fmt: skip
        conn.putheader(name, value)
    conn.endheaders()
    piece = b"a" * (256 * 1024)
    try:
        for _ in range(settings.REQUEST_BODY_MAX_BYTES // len(piece) + 2):  # just past the limit, then no end
            conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused and closed while we were still sending
    response = conn.getresponse()
    assert response.status == 413
    assert "the most this page accepts, so it was refused and nothing was saved" in response.read().decode()
    conn.close()
