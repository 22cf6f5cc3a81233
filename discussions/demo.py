"""This app's part of the demo cohort (`manage.py seed_demo`). Must be idempotent.

Posts are written through the services with fixed idempotency keys, so a second run finds every post
already there and changes nothing.
"""

from __future__ import annotations

import uuid

from cohort.access import get_membership
from cohort.demo import DemoWorld
from cohort.models import User
from discussions import services
from discussions.models import Post, Theme, Thread

NAMESPACE = uuid.UUID("6f1c9a4e-1d2b-4c1e-9a57-3f1f0d5b2a10")


def _key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, label)


def _theme(world: DemoWorld, title: str, description: str, position: int) -> Theme:
    theme, _ = Theme.objects.get_or_create(
        cohort=world.cohort,
        title=title,
        defaults={"description": description, "position": position, "created_by": world.facilitator},
    )
    return theme


def _thread(world: DemoWorld, user: User, theme: Theme, label: str, title: str, body: str, private: bool = False):
    membership = get_membership(user, world.cohort.slug)
    result = services.start_thread(membership, theme, title=title, body=body, key=_key(label), private=private)
    return result.post.thread, result.post


def _reply(world: DemoWorld, user: User, thread: Thread, label: str, body: str, parent: Post | None = None) -> Post:
    membership = get_membership(user, world.cohort.slug)
    return services.add_post(
        membership, thread, body=body, key=_key(label), parent_id=parent.pk if parent else None
    ).post


def seed(world: DemoWorld) -> None:
    services.ensure_area_themes(world.cohort)
    data = _theme(
        world, "Data and definitions", "How we count, flag and track care-experienced and estranged students.", 100
    )
    targets = _theme(world, "Target setting", "Access and participation targets, and how we judge progress.", 101)
    wellbeing = Theme.objects.get(cohort=world.cohort, area__position=5)
    lead = world.leads
    m = world.members
    fran = world.facilitator
    facilitator = get_membership(fran, world.cohort.slug)

    thread, first = _thread(
        world, lead["irwell"], data, "defs",
        "How are we each defining “care-experienced”?",
        "At Irwell we count anyone who has been **looked after for at least 13 weeks** since age 14. "
        "Medlock and the colleges seem broader. Can we agree a shared definition for the cohort's data?",
    )  # fmt: skip
    medlock = _reply(world, lead["medlock"], thread, "defs-1",
                     "We use *any time in care*, self-declared at enrolment, with no minimum period.")  # fmt: skip
    croal = _reply(world, m["croal"][0], thread, "defs-2",
                   "Self-declaration worked for us too, but we lose students who never tick the box.", parent=medlock)  # fmt: skip
    _reply(world, lead["rochvalley"], thread, "defs-3",
           "At Roch Valley most of our 16–17 year-olds come through the virtual school, so we get the flag "
           "from the local authority instead.", parent=croal)  # fmt: skip
    _reply(world, fran, thread, "defs-4",
           "Thank you all. I'll bring a draft shared definition to the next group meeting: "
           "*any time in care*, self-declared **or** shared by the local authority.", parent=first)  # fmt: skip
    if not thread.pinned:
        services.set_thread_flags(facilitator, thread, pinned=True)

    thread, first = _thread(
        world, lead["tamebridge"], targets, "targets",
        "Continuation targets for small numbers",
        "With only 30 care-experienced entrants a year, one student changes our continuation rate by 3 points. "
        "How are others setting targets that mean something?",
    )  # fmt: skip
    reply = _reply(world, m["bealmoor"][1], thread, "targets-1",
                   "We set a three-year rolling target rather than a yearly one.")  # fmt: skip
    _reply(world, lead["tamebridge"], thread, "targets-2", "Rolling averages: good idea. Did your board accept it?",
           parent=reply)  # fmt: skip
    _reply(world, m["bealmoor"][1], thread, "targets-3", "They did, with the yearly figure reported alongside.",
           parent=reply)  # fmt: skip

    thread, first = _thread(
        world, m["merseybank"][0], wellbeing, "contacts",
        "A named contact for every estranged student",
        "Every estranged student at Mersey Bank gets a **named contact** who checks in before each holiday period, "
        "when halls close and money is tightest.",
    )  # fmt: skip
    _reply(world, m["irwell"][1], thread, "contacts-1", "Do the contacts get any training? We'd like to copy this.")
    if first.practice_id is None and wellbeing.area is not None:
        services.mark_effective_practice(
            facilitator, first, area=wellbeing.area, title="Named contacts before holiday periods"
        )  # fmt: skip

    private, first = _thread(
        world, m["irwell"][0], data, "irwell-private",
        "Our own numbers before we share them",
        "Before the cohort meeting: our 2025 entrants are 41 care-experienced, 12 estranged. "
        "Can someone check these against the registry extract?",
        private=True,
    )  # fmt: skip
    _reply(world, lead["irwell"], private, "irwell-private-1", "Checked: 41 and 12 match. Fine to share.", parent=first)
