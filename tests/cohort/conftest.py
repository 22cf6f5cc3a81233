from __future__ import annotations

import pytest


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
