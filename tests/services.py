"""Real services for the tests: PostgreSQL, Redis, Chromium.

With a service missing a test skips with the reason, unless REQUIRE_SERVICES=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def require_postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        missing("this test needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing("this test needs Redis: set REDIS_URL=redis://…")
    return url


def require_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing(f"this test needs Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium") or CHROMIUM
