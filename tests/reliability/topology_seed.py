"""The people and places of the topology test, written into the topology's own database.

Run by tests/reliability/test_topology.py as a subprocess with the servers' environment (the test
process itself never opens that database); prints what the test needs to know as JSON.

    python -m tests.reliability.topology_seed
"""

from __future__ import annotations

import json
from datetime import timedelta


def seed() -> dict[str, object]:
    from django.utils import timezone

    from cohort.access import get_membership
    from cohort.models import Role
    from media_feedback import services
    from media_feedback.models import MB
    from tests import factories
    from tests.discussions.factories import start

    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    medlock = factories.make_institution("Medlock Metropolitan University", "Medlock")
    factories.join(cohort, irwell)
    factories.join(cohort, medlock)
    fran = factories.make_user("Fran")
    factories.member(fran, cohort, Role.FACILITATOR)
    secret = factories.give_totp(fran)
    alice = factories.make_user("Alice")
    factories.member(alice, cohort, Role.MEMBER, irwell)
    bob = factories.make_user("Bob")
    factories.member(bob, cohort, Role.MEMBER, medlock)
    thread = start(alice, cohort)
    now = timezone.now()
    call = services.open_call(
        get_membership(fran, cohort.slug),
        title="How was your first year?",
        questions="What helped you most?",
        areas=[],
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=14),
        max_seconds=60,
        max_bytes=5 * MB,
    )
    return {
        "cohort": cohort.slug,
        "thread": thread.pk,
        "seq": thread.last_seq,
        "link": call.links.get(institution=irwell).token,
        "password": factories.PASSWORD,
        "fran": fran.email,
        "fran_totp_secret": secret,
        "alice": alice.email,
        "bob": bob.email,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(seed()))
