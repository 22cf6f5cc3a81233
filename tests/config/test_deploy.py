"""The production configuration passes Django's deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "qm-cohort.example.ac.uk",
    "BEHIND_TLS_PROXY": "1",
    "EMAIL_HOST": "smtp.example.ac.uk",
    "SITE_URL": "https://qm-cohort.example.ac.uk",
}


def manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DEBUG", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_production_settings_pass_check_deploy_at_warning_level() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "VAR_DIR": str(ROOT / "var" / "no-such-dir")}
    result = manage("check", extra_env=env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
