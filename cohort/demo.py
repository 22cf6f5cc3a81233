"""The demo cohort: a Greater Manchester style group of eight fictional institutions.

`manage.py seed_demo` calls `seed()` here, then each sub-domain's and app's `demo.seed(world)`. Everything is
idempotent: running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction
from django.utils import timezone

from cohort.framework_data import load_framework
from cohort.models import Cohort, FrameworkVersion, Institution, Membership, Participation, Role, User

DEMO_PASSWORD = "quality-mark-demo"
DEMO_COHORT_SLUG = "greater-manchester"

INSTITUTIONS = [
    ("University of Irwell Valley", "Irwell", "irwell", Institution.Kind.UNIVERSITY),
    ("Medlock Metropolitan University", "Medlock Met", "medlock", Institution.Kind.UNIVERSITY),
    ("Tame Bridge University", "Tame Bridge", "tamebridge", Institution.Kind.UNIVERSITY),
    ("Croal Institute of Technology", "Croal", "croal", Institution.Kind.UNIVERSITY),
    ("Roch Valley College", "Roch Valley", "rochvalley", Institution.Kind.FE_COLLEGE),
    ("Beal Moor College", "Beal Moor", "bealmoor", Institution.Kind.FE_COLLEGE),
    ("Etherow College", "Etherow", "etherow", Institution.Kind.FE_COLLEGE),
    ("Mersey Bank College", "Mersey Bank", "merseybank", Institution.Kind.FE_COLLEGE),
]

LEAD_NAMES = [
    "Amira Haddad",
    "Ben Okafor",
    "Chloe Whitworth",
    "Dev Patel",
    "Erin Lomax",
    "Farah Qureshi",
    "Gareth Tonge",
    "Hannah Ridings",
]
MEMBER_NAMES = [
    ("Isaac Brennan", "Jade Holt"), ("Kiran Shah", "Liam Ashworth"), ("Maya Clegg", "Noah Fielding"),
    ("Olivia Hart", "Priya Nair"), ("Quinn Lees", "Rosa Mendes"), ("Sam Duckworth", "Tara Byrne"),
    ("Umar Farooq", "Violet Crompton"), ("Will Entwistle", "Yasmin Ali"),
]  # fmt: skip


@dataclass
class DemoWorld:
    cohort: Cohort
    facilitator: User
    assessor: User
    observer: User
    operator: User | None = None
    institutions: list[Institution] = field(default_factory=list)
    leads: dict[str, User] = field(default_factory=dict)
    members: dict[str, list[User]] = field(default_factory=dict)
    welsh_reader: User | None = None

    def logins(self) -> list[tuple[str, str]]:
        rows = [
            ("facilitator (two-factor: see README)", self.facilitator.email),
            ("assessor (two-factor: see README)", self.assessor.email),
            ("observer", self.observer.email),
        ]
        if self.operator is not None:
            rows.append(("site operator, /admin/ (two-factor: see README)", self.operator.email))
        if self.welsh_reader is not None:
            rows.append(("reads the site in Welsh (Cymraeg)", self.welsh_reader.email))
        # Every institution's log-ins: its lead, then its members.
        for institution in self.institutions:
            people = [self.leads[institution.slug].email] if institution.slug in self.leads else []
            people += [m.email for m in self.members.get(institution.slug, [])]
            rows.append((f"{institution.short_name} (lead first, then members)", ", ".join(people)))
        return rows


def _user(email: str, name: str, time_zone: str = "Europe/London") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=name, time_zone=time_zone)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _member(user: User, cohort: Cohort, role: str, institution: Institution | None = None) -> None:
    Membership.objects.get_or_create(user=user, cohort=cohort, defaults={"role": role, "institution": institution})


def _ensure_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


def _demo_start() -> date:
    return (timezone.localdate() - timedelta(weeks=26)).replace(day=1)


@transaction.atomic
def seed() -> DemoWorld:
    framework = load_framework()
    assert isinstance(framework, FrameworkVersion)
    cohort, _ = Cohort.objects.get_or_create(
        slug=DEMO_COHORT_SLUG,
        defaults={
            "name": "Greater Manchester Quality Mark cohort",
            "funder": "Greater Manchester Combined Authority",
            # A year around today, so the demo's meetings, calls and bookings (dated from today)
            # fall within the cohort's dates whenever it is loaded.
            "starts_on": _demo_start(),
            "ends_on": _demo_start().replace(year=_demo_start().year + 1) - timedelta(days=1),
            "framework": framework,
        },
    )
    facilitator = _user("facilitator@nnecl.example", "Fran Facilitator")
    assessor = _user("assessor@nnecl.example", "Alex Assessor")
    observer = _user("observer@gmca.example", "Olu Observer")
    # The site operator reaches the admin (/admin/) only through the product's log-in and its second factor.
    operator = _user("operator@nnecl.example", "Oz Operator")
    if not operator.is_staff:
        operator.is_staff = operator.is_superuser = True
        operator.save(update_fields=["is_staff", "is_superuser"])
    for staff in (facilitator, assessor, operator):
        _ensure_totp(staff)
    _member(facilitator, cohort, Role.FACILITATOR)
    _member(assessor, cohort, Role.ASSESSOR)
    _member(observer, cohort, Role.OBSERVER)
    world = DemoWorld(cohort=cohort, facilitator=facilitator, assessor=assessor, observer=observer, operator=operator)
    for (name, short, slug, kind), lead_name, member_names in zip(INSTITUTIONS, LEAD_NAMES, MEMBER_NAMES, strict=True):
        institution, _ = Institution.objects.get_or_create(
            slug=slug, defaults={"name": name, "short_name": short, "kind": kind}
        )
        Participation.objects.get_or_create(cohort=cohort, institution=institution, defaults={"assessor": assessor})
        lead = _user(f"lead@{slug}.example", lead_name)
        _member(lead, cohort, Role.LEAD, institution)
        members = []
        for i, member_name in enumerate(member_names, start=1):
            member = _user(f"member{i}@{slug}.example", member_name)
            _member(member, cohort, Role.MEMBER, institution)
            members.append(member)
        world.institutions.append(institution)
        world.leads[slug] = lead
        world.members[slug] = members
    # One person who reads the site, and gets their e-mails, in Welsh (the toggle on every page changes it).
    welsh_reader = world.members[world.institutions[0].slug][-1]
    if not welsh_reader.language:
        welsh_reader.language = "cy"
        welsh_reader.save(update_fields=["language"])
    world.welsh_reader = welsh_reader
    return world
