from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.management.utils import get_random_secret_key


class Command(BaseCommand):
    help = "Write a development secret key to var/secret_key, unless one is there (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        path = settings.SECRET_KEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Created readable by the owner only, and never over an existing key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "w") as file:
            file.write(get_random_secret_key())
        self.stdout.write(f"wrote a development secret key to {path}")
