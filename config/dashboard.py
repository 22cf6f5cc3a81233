"""What needs a facilitator now: the cohort's to-dos (each a link to where it is done) and, per
institution, its stage, its next meeting or consultation and its flags.

Built from a fixed number of queries, however many institutions the cohort has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from cohort.models import ActionItem, CriterionResponse, Membership, Participation, SelfAssessment
from media_feedback.models import Clip
from meetings.consultations.models import Consultation
from meetings.models import Meeting

# Mid-point reviews and expiries this close are flagged.
SOON = timedelta(days=90)


class Stage:
    NOT_STARTED = "Not started"
    DRAFTING = "Drafting"
    SUBMITTED = "Submitted"
    MORE_EVIDENCE = "More evidence"
    REVIEWED = "Reviewed"
    AWARDED = "Awarded"


_STAGE_OF_STATUS = {
    SelfAssessment.Status.SUBMITTED: Stage.SUBMITTED,
    SelfAssessment.Status.RETURNED: Stage.MORE_EVIDENCE,
    SelfAssessment.Status.REVIEWED: Stage.REVIEWED,
    SelfAssessment.Status.RECOMMENDED: Stage.REVIEWED,
    SelfAssessment.Status.AWARDED: Stage.AWARDED,
}


def stage_of(sa: SelfAssessment | None, started_responses: int) -> str:
    """The stage of an institution's current cycle: a draft with no criterion begun is "not started"."""
    if sa is None:
        return Stage.NOT_STARTED
    if sa.status == SelfAssessment.Status.DRAFT:
        return Stage.DRAFTING if started_responses else Stage.NOT_STARTED
    return _STAGE_OF_STATUS[SelfAssessment.Status(sa.status)]


@dataclass
class Todo:
    text: str
    url: str
    # A to-do that gathers several places: each (label, url) is a link of its own.
    parts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Flag:
    text: str
    url: str


@dataclass
class Row:
    participation: Participation
    stage: str
    stage_note: str = ""
    next_label: str = ""
    next_when: datetime | None = None
    next_url: str = ""
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Overview:
    todos: list[Todo]
    rows: list[Row]
    consultations_booked: int


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def facilitator_overview(membership: Membership, participations: list[Participation]) -> Overview:
    cohort = membership.cohort
    slug = cohort.slug
    today = timezone.localdate()
    now = timezone.now()

    def inst_url(name: str, p: Participation) -> str:
        return reverse(f"cohort:{name}", kwargs={"cohort": slug, "institution": p.institution.slug})

    # The current (latest) cycle of each institution, with how many criteria were begun.
    current: dict[int, SelfAssessment] = {}
    cycles = (
        SelfAssessment.objects.filter(cohort=cohort)
        .annotate(started=Count("responses", filter=~Q(responses__status=CriterionResponse.Status.NOT_STARTED)))
        .order_by("institution_id", "-cycle")
    )
    for cycle in cycles:
        current.setdefault(cycle.institution_id, cycle)
    overdue = dict(
        ActionItem.objects.overdue()
        .filter(cohort=cohort, institution__isnull=False)
        .values_list("institution_id")
        .annotate(n=Count("pk"))
        .values_list("institution_id", "n")
    )
    clips = dict(
        Clip.objects.filter(call__cohort=cohort, status=Clip.Status.READY, released_at__isnull=True)
        .values_list("institution_id")
        .annotate(n=Count("pk"))
        .values_list("institution_id", "n")
    )
    next_consultation: dict[int, Consultation] = {}
    booked = 0
    for c in Consultation.objects.upcoming().filter(cohort=cohort):
        next_consultation.setdefault(c.institution_id, c)
        booked += 1
    past_consultations_without_notes = dict(
        Consultation.objects.active()
        .filter(cohort=cohort, ends_at__lte=now, notes="")
        .values_list("institution_id")
        .annotate(n=Count("pk"))
        .values_list("institution_id", "n")
    )
    next_meeting = Meeting.objects.active().upcoming().filter(cohort=cohort).order_by("starts_at").first()
    meetings_without_minutes = list(
        Meeting.objects.active().past().filter(cohort=cohort, minutes="").order_by("starts_at")
    )

    rows: list[Row] = []
    todos: list[Todo] = []
    for p in participations:
        sa = current.get(p.institution_id)
        row = Row(p, stage_of(sa, getattr(sa, "started", 0)))
        if sa is not None and sa.status == SelfAssessment.Status.RECOMMENDED:
            row.stage_note = "award recommended"
            todos.append(Todo(f"Record the award for {p.institution.name}", inst_url("workspace", p)))
        consultation = next_consultation.get(p.institution_id)
        if consultation and (next_meeting is None or consultation.starts_at < next_meeting.starts_at):
            row.next_label, row.next_when = f"Consultation: {consultation.topic}", consultation.starts_at
            row.next_url = reverse(
                "meetings:consultation_detail", kwargs={"cohort": slug, "consultation_id": consultation.pk}
            )
        elif next_meeting is not None:
            row.next_label, row.next_when = next_meeting.title, next_meeting.starts_at
            row.next_url = reverse("meetings:meeting", kwargs={"cohort": slug, "meeting_id": next_meeting.pk})
        if n := overdue.get(p.institution_id, 0):
            row.flags.append(Flag(_plural(n, "overdue action", "overdue actions"), inst_url("action_plan", p)))
        if n := clips.get(p.institution_id, 0):
            url = reverse("media_feedback:clips", kwargs={"cohort": slug})
            row.flags.append(
                Flag(
                    f"{_plural(n, 'clip', 'clips')} waiting for review",
                    f"{url}?institution={p.institution.slug}&status=ready",
                )
            )
        if n := past_consultations_without_notes.get(p.institution_id, 0):
            url = reverse("meetings:consultations", kwargs={"cohort": slug})
            row.flags.append(
                Flag(_plural(n, "past consultation without notes", "past consultations without notes"), url)
            )
        if sa is not None and sa.status == SelfAssessment.Status.AWARDED:
            for label, day in (("Mid-point review", sa.midpoint_review_on), ("Award expires", sa.expires_on)):
                if day is not None and today <= day <= today + SOON:
                    row.flags.append(Flag(f"{label} {_day(day)}", inst_url("workspace", p)))
                elif label == "Award expires" and day is not None and day < today:
                    row.flags.append(Flag(f"Award expired {_day(day)}", inst_url("workspace", p)))
        rows.append(row)

    for meeting in meetings_without_minutes:
        url = reverse("meetings:meeting", kwargs={"cohort": slug, "meeting_id": meeting.pk}) + "#minutes"
        todos.append(Todo(f"Write the minutes of {meeting.title} ({_day(meeting.starts_at.date())})", url))
    n_clips = sum(clips.values())
    if n_clips:
        url = reverse("media_feedback:clips", kwargs={"cohort": slug}) + "?status=ready"
        todos.append(Todo(f"{_plural(n_clips, 'clip', 'clips')} ready for review", url))
    late = [
        (row.participation, overdue[row.participation.institution_id])
        for row in rows
        if overdue.get(row.participation.institution_id)
    ]
    if late:
        # One to-do for all of them, each institution a link to its action plan.
        total = sum(n for _, n in late)
        todos.append(
            Todo(
                f"{_plural(total, 'overdue action', 'overdue actions')}:",
                "",
                [(f"{p.institution.short_name} ({n})", inst_url("action_plan", p)) for p, n in late],
            )
        )
    return Overview(todos=todos, rows=rows, consultations_booked=booked)


def _day(day: date) -> str:
    return f"{day:%-d %B %Y}"
