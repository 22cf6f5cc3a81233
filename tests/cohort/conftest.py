from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.local_servers import MailServer


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    """Evidence files go to a temporary directory through the project's default storage backend."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": None},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def mail_server(settings) -> Iterator[MailServer]:
    """A real SMTP server that every e-mail goes to (through the task queue's worker)."""
    server = MailServer().start()
    settings.MAILERS = {"default": server.mailer()}
    yield server
    server.stop()
