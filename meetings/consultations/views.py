"""Consultation pages: the host's availability and bookings, the lead's booking page, one booking;
and the private calendar feed, which holds group meetings and consultations (so it is served from
the sub-domain, which may import both)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cohort import access
from cohort.editing import EditConflict
from cohort.errors import NotAllowed
from cohort.http import AuthedRequest
from cohort.i18n import in_language_of
from cohort.models import ActionItem, Role
from cohort.web import add_service_errors, attachment, error_text
from meetings.calendar import build_calendar
from meetings.consultations import services as booking
from meetings.consultations.access import (
    CONSULTATION_ROLES,
    HOST_ROLES,
    get_changeable_consultation,
    get_consultation,
    get_hosted_consultation,
    get_own_participation,
)
from meetings.consultations.feed import feed_calendar
from meetings.consultations.forms import (
    DAY_FIELDS,
    ActionFormSet,
    AvailabilityForm,
    BookingForm,
    NotesForm,
    RescheduleForm,
)
from meetings.consultations.models import Consultation, ConsultationSettings
from meetings.consultations.slots import Slot, free_slots
from meetings.models import CalendarFeed

# Slots as the viewer sees them --------------------------------------------------------------------


@dataclass
class SlotChoice:
    value: str
    local: datetime
    host_local: datetime

    # Formatted here: the template's date filter would turn host_local into the viewer's zone.
    @property
    def host_time(self) -> str:
        return self.host_local.strftime("%H:%M")

    @property
    def host_day(self) -> str:
        """The host's date when it differs from the viewer's."""
        if self.host_local.date() == self.local.date():
            return ""
        return date_format(self.host_local, "D j M")


@dataclass
class Day:
    day: date
    slots: list[SlotChoice] = field(default_factory=list)


def group_slots(slots: list[Slot], viewer_tz: ZoneInfo, host_tz: ZoneInfo) -> list[Day]:
    days: list[Day] = []
    for slot in slots:
        local = slot.starts_at.astimezone(viewer_tz)
        if not days or days[-1].day != local.date():
            days.append(Day(local.date()))
        days[-1].slots.append(SlotChoice(slot.starts_at.isoformat(), local, slot.starts_at.astimezone(host_tz)))
    return days


@dataclass
class Week:
    monday: date
    days: list[Day] = field(default_factory=list)
    open: bool = False

    @property
    def count(self) -> int:
        return sum(len(day.slots) for day in self.days)

    def has(self, value: str) -> bool:
        return any(slot.value == value for day in self.days for slot in day.slots)


def group_weeks(days: list[Day], chosen: str = "") -> list[Week]:
    weeks: list[Week] = []
    for day in days:
        monday = day.day - timedelta(days=day.day.weekday())
        if not weeks or weeks[-1].monday != monday:
            weeks.append(Week(monday))
        weeks[-1].days.append(day)
    for week in weeks:
        week.open = week is weeks[0] or (bool(chosen) and week.has(chosen))
    return weeks


def _slot_context(
    request: AuthedRequest, cs: ConsultationSettings, moving: Consultation | None = None
) -> dict[str, object]:
    """Free slots to choose from; when moving a consultation, its own time frees the slots next to it
    but is not offered itself (a move to the same time is no move)."""
    slots = free_slots(cs, now=timezone.now(), exclude_consultation=moving.pk if moving else None)
    if moving is not None:
        slots = [slot for slot in slots if slot.starts_at != moving.starts_at]
    viewer_tz = request.user.tzinfo
    return {
        "weeks": group_weeks(group_slots(slots, viewer_tz, cs.tzinfo), request.POST.get("starts_at", "")),
        "settings": cs,
        "viewer_zone": str(viewer_tz),
        "zones_differ": str(viewer_tz) != cs.time_zone,
    }


# Pages --------------------------------------------------------------------------------------------


@login_required
def consultations(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, *CONSULTATION_ROLES)
    context: dict[str, object] = {"membership": membership, "cohort": membership.cohort}
    qs = Consultation.objects.filter(cohort=membership.cohort).select_related("host", "institution", "booked_by")
    if membership.is_staff_role:
        if not membership.is_facilitator:  # the facilitator sees every booking in the cohort
            qs = qs.filter(host=request.user)
        context["has_settings"] = booking.settings_for(membership.cohort_id, request.user) is not None
    else:
        participation = get_own_participation(membership)
        qs = qs.filter(institution=participation.institution)
        context["participation"] = participation
        context["quota"] = booking.quota_for(participation)
    now = timezone.now()
    context["upcoming"] = [c for c in qs.active().filter(ends_at__gt=now).order_by("starts_at")]
    context["past"] = list(
        qs.filter(Q(ends_at__lte=now) | Q(status=Consultation.Status.CANCELLED)).order_by("-starts_at")[:50]
    )
    return render(request, "meetings/consultations/index.html", context)


@login_required
def availability(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, *HOST_ROLES)
    cs = booking.settings_for(membership.cohort_id, request.user)
    form = AvailabilityForm(request.POST or None, initial=AvailabilityForm.initial_for(cs, request.user.time_zone))
    if request.method == "POST" and form.is_valid():
        booking.save_availability(
            membership,
            values=form.settings_values(),
            windows=form.cleaned_data["windows"],
            blocked=form.cleaned_data["blocked"],
        )
        messages.success(request, _("Your availability is saved."))
        return redirect("meetings:consultation_availability", cohort=cohort)
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "form": form,
        "day_fields": [form[name] for name in DAY_FIELDS],
        "settings": cs,
    }
    return render(request, "meetings/consultations/availability.html", context, status=400 if form.errors else 200)


@login_required
def book(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    access.require_role(membership, Role.LEAD)
    participation = get_own_participation(membership)
    cs = booking.settings_for(membership.cohort_id, participation.assessor) if participation.assessor else None
    areas = membership.cohort.framework.areas.all()
    form = BookingForm(request.POST or None, areas=areas)
    status = 200
    if request.method == "POST" and cs is not None and form.is_valid():
        try:
            consultation = booking.book_consultation(
                membership,
                participation,
                cs,
                starts_at=form.cleaned_data["starts_at"],
                topic=form.cleaned_data["topic"],
                areas=list(form.cleaned_data["areas"]),
            )
        except booking.SlotTaken as error:
            form.add_error(None, error)
            status = 409
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your consultation is booked. A calendar invitation is on its way."))
            return redirect("meetings:consultation_detail", cohort=cohort, consultation_id=consultation.pk)
    if form.errors and status == 200:
        status = 400
    context: dict[str, object] = {
        "membership": membership,
        "cohort": membership.cohort,
        "participation": participation,
        "quota": booking.quota_for(participation),
        "form": form,
        "chosen": request.POST.get("starts_at", ""),
    }
    if cs is not None:
        context.update(_slot_context(request, cs))
    return render(request, "meetings/consultations/book.html", context, status=status)


@login_required
def detail(request: AuthedRequest, cohort: str, consultation_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    consultation = get_consultation(membership, consultation_id)
    actions = ActionItem.objects.filter(
        cohort=consultation.cohort, source=ActionItem.Source.CONSULTATION, source_url=request.path
    ).select_related("area")
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "consultation": consultation,
        "areas": consultation.areas.all(),
        "actions": actions,
        "can_change": booking.can_change(membership, consultation)
        and consultation.is_active
        and not consultation.is_past,
        "can_record_notes": booking.can_act_as_host(membership, consultation)
        and consultation.is_active
        and consultation.starts_at <= timezone.now(),
    }
    return render(request, "meetings/consultations/detail.html", context)


@login_required
def calendar_file(request: AuthedRequest, cohort: str, consultation_id: int) -> HttpResponseBase:
    membership = access.get_membership(request.user, cohort)
    consultation = get_consultation(membership, consultation_id)
    ics = build_calendar([booking.calendar_event(consultation)], method="PUBLISH")
    return attachment(ics, filename=f"consultation-{consultation.pk}.ics", content_type="text/calendar; charset=utf-8")


@login_required
def cancel(request: AuthedRequest, cohort: str, consultation_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    consultation = get_changeable_consultation(membership, consultation_id)
    error = ""
    if request.method == "POST":
        try:
            booking.cancel_consultation(membership, consultation)
        except (NotAllowed, ValidationError) as problem:
            error = error_text(problem)
        else:
            messages.success(request, _("The consultation is cancelled. Both of you are sent a cancellation."))
            return redirect("meetings:consultations", cohort=cohort)
    cs = booking.settings_for(consultation.cohort_id, consultation.host)
    late = cs is not None and consultation.starts_at - timezone.now() < cs.notice
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "consultation": consultation,
        "error": error,
        "late": late and not booking.can_act_as_host(membership, consultation),
        "settings": cs,
    }
    return render(request, "meetings/consultations/cancel.html", context, status=400 if error else 200)


@login_required
def reschedule(request: AuthedRequest, cohort: str, consultation_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    consultation = get_changeable_consultation(membership, consultation_id)
    form = RescheduleForm(request.POST or None)
    status = 200
    cs = booking.settings_for(consultation.cohort_id, consultation.host)
    if request.method == "POST" and form.is_valid():
        try:
            booking.reschedule_consultation(membership, consultation, starts_at=form.cleaned_data["starts_at"])
        except booking.SlotTaken as error:
            form.add_error(None, error)
            status = 409
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consultation is moved. Both of you are sent the updated invitation."))
            return redirect("meetings:consultation_detail", cohort=cohort, consultation_id=consultation_id)
    if form.errors and status == 200:
        status = 400
    context: dict[str, object] = {
        "membership": membership,
        "cohort": membership.cohort,
        "consultation": consultation,
        "form": form,
        "chosen": request.POST.get("starts_at", ""),
        "settings": cs,
    }
    context["too_late"] = cs is not None and consultation.starts_at < timezone.now() + cs.notice
    if cs is not None and consultation.is_active and not context["too_late"]:
        context.update(_slot_context(request, cs, moving=consultation))
    return render(request, "meetings/consultations/reschedule.html", context, status=status)


@login_required
def notes(request: AuthedRequest, cohort: str, consultation_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    consultation = get_hosted_consultation(membership, consultation_id)
    areas = membership.cohort.framework.areas.all()
    form = NotesForm(request.POST or None, row=consultation)
    actions = ActionFormSet(request.POST or None, form_kwargs={"areas": areas}, prefix="actions")
    error = ""
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        rows = [
            booking.ActionInput(
                title=row["title"], area=row.get("area"), due_on=row.get("due_on"), owner_name=row.get("owner_name", "")
            )
            for row in actions.cleaned_data
            if row.get("title")
        ]
        try:
            booking.record_notes(
                membership,
                consultation,
                notes=form.cleaned_data["notes"],
                actions=rows,
                based_on=form.based_on_version(),
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)  # the notes as saved meanwhile beside the typed ones
        except (NotAllowed, ValidationError) as problem:
            error = error_text(problem)
        else:
            messages.success(request, _("Notes saved. Actions are on the institution's action plan."))
            return redirect("meetings:consultation_detail", cohort=cohort, consultation_id=consultation_id)
    status = 400 if (error or form.errors or any(actions.errors)) else 200
    if form.conflict:
        status = 409
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "consultation": consultation,
        "form": form,
        "actions": actions,
        "error": error,
    }
    return render(request, "meetings/consultations/notes.html", context, status=status)


# The private calendar feed -----------------------------------------------------------------------


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponseBase:
    """The feed a calendar app subscribes to: no session, the token in the URL is the key."""
    item = CalendarFeed.for_token(token)
    if item is None:
        raise Http404("No such calendar feed.")
    with in_language_of(item.user):  # no session here: the feed is in its owner's language
        document = feed_calendar(item.user)
    response = attachment(
        document.ics, filename="qm-cohort.ics", content_type="text/calendar; charset=utf-8", inline=True
    )
    # Calendar apps poll the feed; a quarter of an hour's caching spares the server.
    response["Cache-Control"] = "private, max-age=900"
    return response
