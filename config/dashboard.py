"""What needs a facilitator now: the cohort's to-dos (each a link to where it is done) and, per
institution, its stage, its next meeting or consultation and its flags.

Built from a fixed number of queries, however many institutions the cohort has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from cohort.models import ActionItem, CriterionResponse, Membership, Participation, SelfAssessment
from media_feedback.models import Clip
from meetings.consultations.models import Consultation
from meetings.models import Meeting

# Mid-point reviews and expiries this close are flagged.
SOON = timedelta(days=90)


class Stage:
    """The stages' names: the keys (a stage's CSS class is made from them); STAGE_LABELS are what people read."""

    NOT_STARTED = "Not started"
    DRAFTING = "Drafting"
    SUBMITTED = "Submitted"
    MORE_EVIDENCE = "More evidence"
    REVIEWED = "Reviewed"
    AWARDED = "Awarded"


STAGE_LABELS = {
    Stage.NOT_STARTED: gettext_lazy("Not started"),
    Stage.DRAFTING: gettext_lazy("Drafting"),
    Stage.SUBMITTED: gettext_lazy("Submitted"),
    Stage.MORE_EVIDENCE: gettext_lazy("More evidence"),
    Stage.REVIEWED: gettext_lazy("Reviewed"),
    Stage.AWARDED: gettext_lazy("Awarded"),
}

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

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS.get(self.stage, self.stage))


@dataclass
class Overview:
    todos: list[Todo]
    rows: list[Row]
    consultations_booked: int


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
            row.stage_note = _("award recommended")
            todos.append(
                Todo(_("Record the award for %(name)s") % {"name": p.institution.name}, inst_url("workspace", p))
            )
        consultation = next_consultation.get(p.institution_id)
        if consultation and (next_meeting is None or consultation.starts_at < next_meeting.starts_at):
            row.next_label = _("Consultation: %(topic)s") % {"topic": consultation.topic}
            row.next_when = consultation.starts_at
            row.next_url = reverse(
                "meetings:consultation_detail", kwargs={"cohort": slug, "consultation_id": consultation.pk}
            )
        elif next_meeting is not None:
            row.next_label, row.next_when = next_meeting.title, next_meeting.starts_at
            row.next_url = reverse("meetings:meeting", kwargs={"cohort": slug, "meeting_id": next_meeting.pk})
        if n := overdue.get(p.institution_id, 0):
            overdue_text = ngettext("%(n)s overdue action", "%(n)s overdue actions", n) % {"n": n}
            row.flags.append(Flag(overdue_text, inst_url("action_plan", p)))
        if n := clips.get(p.institution_id, 0):
            url = reverse("media_feedback:clips", kwargs={"cohort": slug})
            row.flags.append(
                Flag(
                    ngettext("%(n)s clip waiting for review", "%(n)s clips waiting for review", n) % {"n": n},
                    f"{url}?institution={p.institution.slug}&status=ready",
                )
            )
        if n := past_consultations_without_notes.get(p.institution_id, 0):
            url = reverse("meetings:consultations", kwargs={"cohort": slug})
            row.flags.append(
                Flag(
                    ngettext("%(n)s past consultation without notes", "%(n)s past consultations without notes", n)
                    % {"n": n},
                    url,
                )
            )
        if sa is not None and sa.status == SelfAssessment.Status.AWARDED:
            midpoint, expiry = sa.midpoint_review_on, sa.expires_on
            if midpoint is not None and today <= midpoint <= today + SOON:
                text = _("Mid-point review %(date)s") % {"date": _day(midpoint)}
                row.flags.append(Flag(text, inst_url("workspace", p)))
            if expiry is not None and today <= expiry <= today + SOON:
                row.flags.append(Flag(_("Award expires %(date)s") % {"date": _day(expiry)}, inst_url("workspace", p)))
            elif expiry is not None and expiry < today:
                row.flags.append(Flag(_("Award expired %(date)s") % {"date": _day(expiry)}, inst_url("workspace", p)))
        rows.append(row)

    for meeting in meetings_without_minutes:
        url = reverse("meetings:meeting", kwargs={"cohort": slug, "meeting_id": meeting.pk}) + "#minutes"
        text = _("Write the minutes of %(title)s (%(date)s)") % {
            "title": meeting.title,
            "date": _day(meeting.starts_at.date()),
        }
        todos.append(Todo(text, url))
    n_clips = sum(clips.values())
    if n_clips:
        url = reverse("media_feedback:clips", kwargs={"cohort": slug}) + "?status=ready"
        text = ngettext("%(n)s clip ready for review", "%(n)s clips ready for review", n_clips) % {"n": n_clips}
        todos.append(Todo(text, url))
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
                ngettext("%(n)s overdue action:", "%(n)s overdue actions:", total) % {"n": total},
                "",
                [(f"{p.institution.short_name} ({n})", inst_url("action_plan", p)) for p, n in late],
            )
        )
    return Overview(todos=todos, rows=rows, consultations_booked=booked)


def _day(day: date) -> str:
    return date_format(day, "j F Y")
