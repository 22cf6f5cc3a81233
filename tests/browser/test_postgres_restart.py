"""PostgreSQL restarted under a running site: pages work again without restarting the site."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connections

from tests.services import missing, require_postgres

pytestmark = [pytest.mark.browser, pytest.mark.disruptive]


def restart_postgres() -> None:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").exists() else []
    if not versions or not shutil.which("pg_ctlcluster"):
        missing("restarting PostgreSQL needs pg_ctlcluster on this machine")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"], check=True, timeout=120
    )
    for _ in range(60):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0:
            return
        time.sleep(0.5)
    pytest.fail("PostgreSQL did not come back")


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_site_recovers_from_a_postgres_restart_by_itself(live_server_asgi, transactional_db) -> None:
    require_postgres()
    from tests import factories

    factories.make_cohort("Greater Manchester cohort", slug="gm")
    # An invitation link looks itself up in the database: 404 means the database answered.
    page = f"{live_server_asgi}/invitations/no-such-token/"
    assert fetch(page) == 404
    restart_postgres()
    connections.close_all()  # the test's own connection died with the server, like the site's
    # The first request after the restart may meet a dead pooled connection; the site must not need
    # restarting: within a few requests every page works again.
    statuses = []
    for _ in range(5):
        statuses.append(fetch(page))
        if statuses[-1] == 404:
            break
        time.sleep(0.5)
    assert statuses[-1] == 404, statuses
    assert statuses.count(500) <= 1
