"""Browser tests: Playwright drives Debian's Chromium against the site served by Daphne.

The server runs in a child process on the test database (a file for SQLite, the test database on
PostgreSQL), so tests here use `transactional_db`: what a test writes is committed and the server
sees it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.services import require_chromium

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 320, "height": 720}
DESKTOP = {"width": 1280, "height": 900}


def _prepare_server_process(db_blocker: object) -> None:
    """Runs in Daphne's child process: use the test database, which pytest-django blocks by default."""
    from django.db import connections

    # A database handle must not cross a fork: abandon the parent's and open our own. The connection
    # settings already name the test database (pytest-django set them before the fork).
    for conn in connections.all(initialized_only=True):
        conn.connection = None
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
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: object) -> object:
    return new_page()  # type: ignore[operator]


def log_in(page: object, email: str, password: str, totp_user: object = None) -> None:
    """Log in through the real log-in form (and the two-factor step for staff)."""
    page.goto("/accounts/login/")  # type: ignore[attr-defined]
    page.get_by_label("Email").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign In").click()  # type: ignore[attr-defined]
    if totp_user is not None:
        from tests.factories import totp_code

        page.get_by_label("Code").fill(totp_code(totp_user))  # type: ignore[attr-defined, arg-type]
        page.get_by_role("button", name="Sign In").click()  # type: ignore[attr-defined]


def screenshot(page: object, name: str, *, widths: tuple[int, ...] = (320, 1280)) -> list[Path]:
    """Save full-page screenshots at phone and desktop widths under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    paths = []
    original = page.viewport_size  # type: ignore[attr-defined]
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        paths.append(path)
    if original:
        page.set_viewport_size(original)  # type: ignore[attr-defined]
    return paths


def tab_to(page: object, name: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element's text or label contains `name` (fails if it never does),
    as a keyboard-only user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        label = page.evaluate(  # type: ignore[attr-defined]
            """() => { const el = document.activeElement; if (!el) return "";
                 const byId = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
                 return [el.innerText, el.value, el.getAttribute("aria-label"), byId && byId.innerText].join(" "); }"""
        )
        if name.lower() in (label or "").lower():
            return
    raise AssertionError(f"Tab never reached {name!r}")
