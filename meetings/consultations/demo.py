"""Consultations in the demo cohort (`manage.py seed_demo`). Must be idempotent.

The demo assessor opens weekday hours; Irwell had one consultation ten days ago (with notes and an
action on its action plan) and has one coming up; Medlock has one coming up too.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cohort.demo import DemoWorld
from cohort.models import ActionItem, Institution, User
from cohort.services import add_action_item
from meetings.consultations.models import AvailabilityWindow, BlockedPeriod, Consultation, ConsultationSettings
from meetings.consultations.slots import free_slots

PAST_TOPIC = "First look at our draft self-assessment"
UPCOMING = {
    "irwell": ("Evidence for student wellbeing", [5]),
    "medlock": ("How far to go on pre-entry outreach", [3, 4]),
}


@transaction.atomic
def seed(world: DemoWorld) -> None:
    cs, created = ConsultationSettings.objects.get_or_create(
        cohort=world.cohort,
        host=world.assessor,
        defaults={
            "time_zone": world.assessor.time_zone,
            "buffer_after_minutes": 15,
            "video_url": "https://video.example.org/qm-alex-assessor",
        },
    )
    if created:
        windows = [(d, time(9, 30), time(12, 30)) for d in range(4)] + [(d, time(14), time(16, 30)) for d in range(4)]
        AvailabilityWindow.objects.bulk_create(
            [AvailabilityWindow(settings=cs, weekday=d, starts_at=s, ends_at=e) for d, s, e in windows]
        )
        year = timezone.localdate().year
        BlockedPeriod.objects.create(settings=cs, starts_on=date(year, 12, 24), ends_on=date(year + 1, 1, 1))
    by_slug = {i.slug: i for i in world.institutions}
    _past(world, cs, by_slug["irwell"])
    for slug, (topic, positions) in UPCOMING.items():
        _upcoming(world, cs, by_slug[slug], topic, positions)


def _create(
    world: DemoWorld, cs: ConsultationSettings, institution: Institution, starts_at: datetime, topic: str
) -> Consultation:
    lead: User = world.leads[institution.slug]
    consultation = Consultation(
        cohort=world.cohort,
        host=world.assessor,
        institution=institution,
        booked_by=lead,
        starts_at=starts_at,
        ends_at=starts_at + cs.duration,
        blocked_from=starts_at - cs.buffer_before,
        blocked_until=starts_at + cs.duration + cs.buffer_after,
        time_zone=cs.time_zone,
        topic=topic,
    )
    consultation.video_url = cs.video_url_for(consultation.uid)
    consultation.save()
    return consultation


def _past(world: DemoWorld, cs: ConsultationSettings, institution: Institution) -> None:
    if Consultation.objects.filter(cohort=world.cohort, institution=institution, topic=PAST_TOPIC).exists():
        return
    day = timezone.localdate() - timedelta(days=10)
    starts_at = datetime.combine(day, time(10), tzinfo=cs.tzinfo)
    consultation = _create(world, cs, institution, starts_at, PAST_TOPIC)
    consultation.areas.set(world.cohort.framework.areas.filter(position__in=[1, 2]))
    consultation.notes = (
        "We walked through the draft narrative for **culture and leadership** and **continuous improvement**.\n\n"
        "- The senior sponsor is clear; say how the steering group reports to the executive.\n"
        "- The data on care-experienced applicants is strong: show three years, not one."
    )
    consultation.notes_recorded_at = starts_at + timedelta(hours=2)
    consultation.save(update_fields=["notes", "notes_recorded_at"])
    url = consultation.get_absolute_url()
    add_action_item(
        cohort=world.cohort,
        institution=institution,
        title="Add three years of applicant data to the continuous improvement section",
        source=ActionItem.Source.CONSULTATION,
        area=world.cohort.framework.areas.filter(position=2).first(),
        due_on=day + timedelta(days=42),
        owner=world.leads[institution.slug],
        source_label=f"Consultation on {day:%-d %B %Y}",
        source_url=url,
    )


def _upcoming(
    world: DemoWorld, cs: ConsultationSettings, institution: Institution, topic: str, positions: list[int]
) -> None:
    if Consultation.objects.filter(cohort=world.cohort, institution=institution, topic=topic).exists():
        return
    slots = free_slots(cs, now=timezone.now() + timedelta(days=5))
    if not slots:
        return
    consultation = _create(world, cs, institution, slots[len(slots) // 8].starts_at, topic)
    consultation.areas.set(world.cohort.framework.areas.filter(position__in=positions))
