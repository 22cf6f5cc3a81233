"""SQLite named by DATABASE_URL gets the same settings as the built-in default: the web process and the
task worker write to it at once, and without them a post could fail with "database is locked"."""

from __future__ import annotations

from pathlib import Path

from tests.config.test_deploy import manage

SHOW = (
    "from django.db import connection; c = connection.cursor(); "
    "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0], "
    "connection.transaction_mode)"
)


def test_a_sqlite_database_url_waits_for_the_lock_and_takes_it_at_the_start(tmp_path: Path) -> None:
    result = manage(
        "shell", "-c", SHOW, extra_env={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["wal", "20000", "IMMEDIATE"]
