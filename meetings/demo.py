"""This app's part of the demo cohort (`manage.py seed_demo`). Must be idempotent.

A series of group meetings every three weeks that started seven weeks ago: three meetings already
held (minutes, outcomes, attendance; two with a published summary) and five to come, the next with
an agenda and some answers to its invitation.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from cohort.demo import DemoWorld
from cohort.models import Criterion, Membership
from meetings import services
from meetings.models import Attendance, Meeting, MeetingSeries, Outcome

SERIES_TITLE = "Group meeting"
VIDEO_URL = "https://meet.example.org/greater-manchester-qm"

MINUTES = """Fran welcomed the group and recapped where each institution is with its self-assessment.

- **{presenter}** presented how their senior leaders champion care-experienced and estranged students.
- The group discussed how to evidence impact, not only activity.
- Everyone agreed to bring one example of effective practice to the next meeting.
"""


@transaction.atomic
def seed(world: DemoWorld) -> None:
    cohort = world.cohort
    if MeetingSeries.objects.filter(cohort=cohort, title=SERIES_TITLE).exists():
        return
    facilitator = Membership.objects.select_related("cohort", "user").get(cohort=cohort, user=world.facilitator)
    today = timezone.localdate()
    starts_on = today - timedelta(weeks=7)
    starts_on -= timedelta(days=(starts_on.weekday() - 1) % 7)  # a Tuesday
    series = services.create_series(
        facilitator,
        title=SERIES_TITLE,
        starts_on=starts_on,
        time_of_day=time(10),
        count=8,
        video_url=VIDEO_URL,
        send_invitations=False,
    )
    meetings = list(series.meetings.select_related("area", "cohort").order_by("starts_at"))
    past = [m for m in meetings if m.is_past]
    upcoming = [m for m in meetings if not m.is_past]
    institutions = world.institutions
    for n, meeting in enumerate(past):
        presenter = institutions[n % len(institutions)]
        criteria = list(Criterion.objects.filter(area=meeting.area).select_related("area")[:2])
        services.add_agenda_item(facilitator, meeting, title="Welcome and actions from last time", minutes_allotted=10)
        for criterion in criteria:
            services.add_agenda_item(
                facilitator,
                meeting,
                title=f"Evidence for {criterion.code}",
                criterion=criterion,
                institution=presenter,
                minutes_allotted=25,
            )
        services.add_agenda_item(
            facilitator, meeting, title="Student voice: what the clips tell us", minutes_allotted=15
        )
        for item in meeting.agenda_items.all()[: 3 if n < len(past) - 1 else 2]:
            services.set_agenda_item_done(facilitator, item, done=True)
        services.save_minutes(facilitator, meeting, MINUTES.format(presenter=presenter.name))
        services.record_outcome(
            facilitator,
            meeting,
            kind=Outcome.Kind.INFORMATION,
            text=f"{presenter.short_name} shared its draft narrative.",
        )
        services.record_outcome(
            facilitator,
            meeting,
            kind=Outcome.Kind.DECISION,
            text="Institutions will share evidence templates through the discussion board.",
        )
        services.record_outcome(
            facilitator,
            meeting,
            kind=Outcome.Kind.ACTION,
            text=f"Map current {meeting.area.title.lower() if meeting.area else 'practice'} against the criteria",
            institution=presenter,
            owner=world.leads[presenter.slug],
            due_on=meeting.starts_at.date() + timedelta(weeks=6),
        )
        there = [world.facilitator, world.assessor] + [world.leads[i.slug] for i in institutions[: 6 + n % 2]]
        services.record_attendance(facilitator, meeting, [u.pk for u in there])
        if n < len(past) - 1:
            Meeting.objects.filter(pk=meeting.pk).update(summary_published_at=meeting.ends_at + timedelta(days=1))
    if upcoming:  # a drop-in that was cancelled: the facilitator can restore it (fresh invitations)
        drop_in_day = upcoming[0].local_starts_at.date() + timedelta(days=2)
        starts_at = services.local_to_utc(drop_in_day, time(14), "Europe/London")
        Meeting.objects.create(
            cohort=cohort,
            title="Drop-in: questions about evidence",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            video_url=VIDEO_URL,
            status=Meeting.Status.CANCELLED,
            sequence=1,
        )
    if past and upcoming:
        services.carry_forward(facilitator, past[-1])
    if upcoming:
        nxt = upcoming[0]
        services.add_agenda_item(
            facilitator,
            nxt,
            title="Presentations of effective practice",
            institution=institutions[1],
            minutes_allotted=30,
        )
        for i, institution in enumerate(institutions[:5]):
            Attendance.objects.get_or_create(
                meeting=nxt,
                user=world.leads[institution.slug],
                defaults={"response": Attendance.Response.NOT_GOING if i == 4 else Attendance.Response.GOING},
            )
