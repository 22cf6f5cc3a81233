"""Small builders for test data. Fixtures in conftest.py chain them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from cohort import authn
from cohort.framework_data import load_framework
from cohort.models import Cohort, FrameworkVersion, Institution, Membership, Participation, User

PASSWORD = "correct-horse-battery-staple"
_seq = count(1)


def framework() -> FrameworkVersion:
    fw = load_framework()
    assert isinstance(fw, FrameworkVersion)
    return fw


def make_user(name: str, *, email: str | None = None, time_zone: str = "Europe/London", totp: bool = False) -> User:
    email = email or f"{name.lower().replace(' ', '.')}@example.org"
    user = User.objects.create_user(email=email, password=PASSWORD, display_name=name, time_zone=time_zone)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if totp:
        give_totp(user)
    return user


def give_totp(user: User) -> str:
    secret = generate_totp_secret()
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return secret


def make_cohort(name: str = "North West cohort", *, slug: str | None = None) -> Cohort:
    return Cohort.objects.create(
        name=name,
        slug=slug or f"cohort-{next(_seq)}",
        funder="A regional authority",
        # Wide enough for every date the tests schedule (a cohort's dates bound its meetings).
        starts_on=date(2025, 9, 1),
        ends_on=date(2031, 7, 31),
        framework=framework(),
    )


def make_institution(name: str, short: str, kind: str = Institution.Kind.UNIVERSITY) -> Institution:
    return Institution.objects.create(name=name, short_name=short, slug=short.lower().replace(" ", "-"), kind=kind)


def join(cohort: Cohort, institution: Institution, *, assessor: User | None = None, quota: int = 3) -> Participation:
    return Participation.objects.create(
        cohort=cohort, institution=institution, assessor=assessor, consultation_quota=quota
    )


def member(user: User, cohort: Cohort, role: str, institution: Institution | None = None) -> Membership:
    return Membership.objects.create(user=user, cohort=cohort, role=role, institution=institution)


def totp_code(user: User, margin: float = 8.0) -> str:
    """The current two-factor code of a user, as their authenticator app would show it."""
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return totp_code_of_secret(decrypt(authenticator.data["secret"]), margin)


def totp_code_of_secret(secret: str, margin: float = 8.0) -> str:
    """A code that stays good for `margin` seconds more: the site accepts a code in its own 30 s window
    only, so one read just before the window turns would be refused by the time it is typed and sent."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    early_in_window(30, margin)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def early_in_window(period: float, margin: float) -> None:
    """Wait, if need be, until at least `margin` seconds are left of the current fixed window of
    `period` seconds (a TOTP step, a rate limit's minute), so what follows happens within one window."""
    import time

    if (left := period - time.time() % period) < margin:
        time.sleep(left + 0.05)


@dataclass
class World:
    """The fixed cast of the `world` fixture (tests/conftest.py)."""

    cohort: Cohort
    other_cohort: Cohort
    irwell: Institution
    medlock: Institution
    fran: User
    alex: User
    lena: User
    alice: User
    bob: User
    oscar: User
    olga: User


# What the confirmation page's button sends (cohort.web.is_confirmed): a POST without it only shows the page.
CONFIRMED = {"confirmed": "yes"}


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        sign_in(client, user)
    return client


def sign_in(client: Client, user: User) -> None:
    """Log the client in as the log-in page would: with the second factor done if the user has one."""
    client.force_login(user)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        session = client.session
        authn.record_second_factor(session, user, by="mfa:totp")
        session.save()
