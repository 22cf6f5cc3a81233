from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from cohort.demo import DEMO_COHORT_SLUG


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (development only)."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("email")  # type: ignore[attr-defined]

    def handle(self, *args: object, email: str, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DEBUG=1.")
        demo_people = Q(user__memberships__cohort__slug=DEMO_COHORT_SLUG) | Q(user__is_superuser=True)  # the operator
        authenticator = (
            Authenticator.objects.filter(demo_people, user__email__iexact=email, type=Authenticator.Type.TOTP)
            .distinct()
            .first()
        )
        if authenticator is None:
            raise CommandError(f"No demo account with two-factor set up for {email}.")
        secret = decrypt(TOTP(authenticator).instance.data["secret"])
        counter = int(time.time()) // 30
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
