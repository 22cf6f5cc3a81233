"""The development secret key: `make` writes it once with a command; settings only read it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def test_settings_write_no_key_when_there_is_none(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PYTEST_VERSION"}}
    env.update(DEBUG="1", VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_the_command_writes_a_private_key_once(tmp_path: Path) -> None:
    key_file = tmp_path / "var" / "secret_key"
    with override_settings(SECRET_KEY_FILE=key_file):
        call_command("make_secret_key", stdout=StringIO())
        first = key_file.read_text()
        call_command("make_secret_key", stdout=StringIO())
    assert len(first) >= 50
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
