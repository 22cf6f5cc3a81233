"""Browser tests: Playwright drives Debian's Chromium against the site served by Daphne.

The server runs in a child process on the test database (a file for SQLite, the test database on
PostgreSQL), so tests here use `transactional_db`: what a test writes is committed and the server
sees it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial

import pytest

from tests.browser.support import (
    DESKTOP,
)
from tests.services import require_chromium

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _prepare_server_process(db_blocker: object) -> None:
    """Runs in Daphne's child process: use the test database, which pytest-django blocks by default."""
    from django.db import connections

    # A database handle must not cross a fork: abandon the parent's and open our own. The connection
    # settings already name the test database (pytest-django set them before the fork).
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    # Nor may asgiref's thread for database work outside a request (the consumers'): if a test in the
    # parent used it (the websocket tests), the child inherits an executor whose thread does not
    # exist there, and every socket's first database call would wait for it for ever.
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    # The tests' identity providers (tests/browser/sso) answer on 127.0.0.1 over http, as in development;
    # production refuses such addresses (tests/cohort/sso/test_settings.py, test_fetch.py).
    from django.conf import settings

    settings.SSO_ALLOW_LOCAL_PROVIDERS = True
    db_blocker.unblock()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def live_server_asgi(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    """The real ASGI application (HTTP and websockets) served by Daphne in a child process."""
    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.test.utils import modify_settings

    settings_change = modify_settings(ALLOWED_HOSTS={"append": "localhost"})
    settings_change.enable()
    server = DaphneProcess(
        "localhost",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=partial(_prepare_server_process, django_db_blocker),
    )
    from django.db import connections

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        connections.close_all()
    server.start()
    while not server.ready.wait(timeout=1):
        if not server.is_alive():
            raise RuntimeError("Daphne did not start for the browser tests")
    try:
        yield f"http://localhost:{server.port.value}"
    finally:
        server.terminate()
        server.join()
        settings_change.disable()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: object, live_server_asgi: str, transactional_db: None) -> Iterator[object]:
    """A factory of pages, each in its own browser context (its own cookies): one per person."""
    contexts = []

    def make(viewport: dict[str, int] | None = None) -> object:
        context = browser.new_context(base_url=live_server_asgi, viewport=viewport or DESKTOP)  # type: ignore[attr-defined]
        context.set_default_timeout(20_000)  # a page waits while a clip is transcribed on the other core
        contexts.append(context)
        page = context.new_page()
        # Intercept file dialogs from the start: a listener added just before a key press can lose the
        # race with the dialog, which then never reaches `expect_file_chooser`.
        page.on("filechooser", lambda chooser: None)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: object) -> object:
    return new_page()  # type: ignore[operator]
