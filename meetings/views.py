from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cohort import access
from cohort.http import AuthedRequest
from cohort.models import Membership
from meetings import services
from meetings.forms import (
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    MinutesForm,
    OutcomeForm,
    RespondForm,
    SeriesForm,
    SeriesLengthForm,
    apply_errors,
)
from meetings.models import AgendaItem, Attendance, CalendarFeed, Meeting, MeetingSeries

# Getters: everything through the member's cohort, so another cohort's meeting is a 404.


def _meeting(membership: Membership, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("area", "series__cohort", "cohort"),
        pk=meeting_id,
        cohort_id=membership.cohort_id,
    )


def _agenda_item(membership: Membership, meeting_id: int, item_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting", "meeting__cohort"),
        pk=item_id,
        meeting_id=meeting_id,
        meeting__cohort_id=membership.cohort_id,
    )


# The schedule and the series.


@login_required
def schedule(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    meetings = Meeting.objects.filter(cohort=membership.cohort).select_related("area", "cohort")
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "upcoming": meetings.upcoming().order_by("starts_at"),
        "past": meetings.past().order_by("-starts_at"),
        "series_list": MeetingSeries.objects.filter(cohort=membership.cohort) if membership.is_facilitator else [],
    }
    return render(request, "meetings/schedule.html", context)


@login_required
def create_series(request: AuthedRequest, cohort: str) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    form = SeriesForm(request.POST or None, cohort=membership.cohort)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.create_series(membership, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{series.meetings.count()} meetings scheduled. Invitations are on their way.")
            return redirect(series)
    context = {"membership": membership, "cohort": membership.cohort, "form": form}
    return render(request, "meetings/series_form.html", context, status=400 if form.errors else 200)


def _series_context(membership: Membership, series: MeetingSeries, form: SeriesLengthForm | None = None) -> dict:
    return {
        "membership": membership,
        "cohort": membership.cohort,
        "series": series,
        "meetings": series.meetings.select_related("area", "cohort").order_by("starts_at"),
        "form": form or SeriesLengthForm(initial={"count": series.meetings.active().count()}),
    }


@login_required
def series(request: AuthedRequest, cohort: str, series_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_object_or_404(MeetingSeries, pk=series_id, cohort=membership.cohort)
    return render(request, "meetings/series.html", _series_context(membership, item))


@login_required
@require_POST
def change_series_length(request: AuthedRequest, cohort: str, series_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_object_or_404(MeetingSeries, pk=series_id, cohort=membership.cohort)
    form = SeriesLengthForm(request.POST)
    if form.is_valid():
        try:
            added, cancelled = services.change_series_length(membership, item, count=form.cleaned_data["count"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if added:
                messages.success(request, f"{added} meetings added to the series.")
            elif cancelled:
                messages.success(request, f"{cancelled} meetings cancelled.")
            else:
                messages.info(request, "The series already has that many meetings.")
            return redirect(item)
    return render(request, "meetings/series.html", _series_context(membership, item, form), status=400)


# One meeting.


def _meeting_context(membership: Membership, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    cohort = membership.cohort
    attendances = list(Attendance.objects.filter(meeting=meeting).select_related("user").order_by("user__display_name"))
    mine = next((a for a in attendances if a.user_id == membership.user_id), None)
    context: dict[str, Any] = {
        "membership": membership,
        "cohort": cohort,
        "meeting": meeting,
        "agenda": meeting.agenda_items.select_related("criterion__area", "institution", "carried_to__meeting"),
        "outcomes": meeting.outcomes.select_related("institution", "owner"),
        "my_response": mine.response if mine else "",
        "going": [a for a in attendances if a.response == Attendance.Response.GOING],
        "not_going": [a for a in attendances if a.response == Attendance.Response.NOT_GOING],
        "attended": [a for a in attendances if a.attended],
        "show_summary": membership.is_facilitator or meeting.is_published,
        "next_meeting": services.next_meeting_after(meeting),
    }
    if membership.is_facilitator:
        context.update(
            agenda_form=forms.get("agenda_form") or AgendaItemForm(cohort=cohort),
            minutes_form=forms.get("minutes_form") or MinutesForm(initial={"minutes": meeting.minutes}),
            outcome_form=forms.get("outcome_form") or OutcomeForm(cohort=cohort, prefix="outcome"),
            attendance_form=forms.get("attendance_form")
            or AttendanceForm(cohort=cohort, initial={"attended": [a.user_id for a in attendances if a.attended]}),
        )
    return context


def _show_meeting(request: HttpRequest, membership: Membership, meeting: Meeting, **forms: Any) -> HttpResponse:
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "meetings/meeting.html", _meeting_context(membership, meeting, **forms), status=status)


@login_required
def meeting(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    return _show_meeting(request, membership, item)


@login_required
@require_GET
def meeting_ics(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    response = HttpResponse(services.meeting_ics(item), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{item.pk}.ics"'
    return response


@login_required
def edit_meeting(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    form = MeetingForm(request.POST or None, meeting=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(membership, item, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The meeting is changed; members receive an updated invitation.")
            return redirect(item)
    context = {"membership": membership, "cohort": membership.cohort, "meeting": item, "form": form}
    return render(request, "meetings/meeting_form.html", context, status=400 if form.errors else 200)


def _done(request: HttpRequest, meeting: Meeting, error: ValidationError | None, success: str) -> HttpResponse:
    """Redirect back to the meeting with the outcome of a one-button action as a message."""
    if error is not None:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(meeting)


@login_required
@require_POST
def cancel_meeting(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    try:
        services.cancel_meeting(membership, item)
    except ValidationError as error:
        return _done(request, item, error, "")
    return _done(request, item, None, "The meeting is cancelled; members receive a cancellation.")


@login_required
@require_POST
def add_agenda_item(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    form = AgendaItemForm(request.POST, cohort=membership.cohort)
    if form.is_valid():
        try:
            services.add_agenda_item(membership, item, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['title']}” added to the agenda.")
            return redirect(f"{item.get_absolute_url()}#agenda")
    return _show_meeting(request, membership, item, agenda_form=form)


@login_required
@require_POST
def agenda_item_done(request: AuthedRequest, cohort: str, meeting_id: int, item_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    agenda_item = _agenda_item(membership, meeting_id, item_id)
    done = request.POST.get("done") == "1"
    services.set_agenda_item_done(membership, agenda_item, done=done)
    state = "finished" if done else "not finished"
    return _done(request, agenda_item.meeting, None, f"“{agenda_item.title}” is marked {state}.")


@login_required
@require_POST
def remove_agenda_item(request: AuthedRequest, cohort: str, meeting_id: int, item_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    agenda_item = _agenda_item(membership, meeting_id, item_id)
    services.remove_agenda_item(membership, agenda_item)
    return _done(request, agenda_item.meeting, None, f"“{agenda_item.title}” removed from the agenda.")


@login_required
@require_POST
def carry_forward(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    try:
        target, count = services.carry_forward(membership, item)
    except ValidationError as error:
        return _done(request, item, error, "")
    return _done(request, item, None, f"{count} unfinished items carried forward to {target.title}.")


@login_required
@require_POST
def save_minutes(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    form = MinutesForm(request.POST)
    if form.is_valid():
        services.save_minutes(membership, item, form.cleaned_data["minutes"])
        messages.success(request, "The minutes are saved.")
        return redirect(f"{item.get_absolute_url()}#minutes")
    return _show_meeting(request, membership, item, minutes_form=form)


@login_required
@require_POST
def add_outcome(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    form = OutcomeForm(request.POST, cohort=membership.cohort, prefix="outcome")
    if form.is_valid():
        try:
            outcome = services.record_outcome(membership, item, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            where = " and added to the action plan" if outcome.action_item_id else ""
            messages.success(request, f"{outcome.get_kind_display()} recorded{where}.")
            return redirect(f"{item.get_absolute_url()}#outcomes")
    return _show_meeting(request, membership, item, outcome_form=form)


@login_required
@require_POST
def record_attendance(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    form = AttendanceForm(request.POST, cohort=membership.cohort)
    if form.is_valid():
        try:
            count = services.record_attendance(membership, item, [u.pk for u in form.cleaned_data["attended"]])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Attendance recorded: {count} {'person' if count == 1 else 'people'}.")
            return redirect(f"{item.get_absolute_url()}#attendance")
    return _show_meeting(request, membership, item, attendance_form=form)


@login_required
@require_POST
def respond(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    form = RespondForm(request.POST)
    if not form.is_valid():
        return _done(request, item, ValidationError("Answer going or not going."), "")
    try:
        attendance = services.respond(membership, item, form.cleaned_data["response"])
    except ValidationError as error:
        return _done(request, item, error, "")
    return _done(request, item, None, f"Your answer is saved: {attendance.get_response_display().lower()}.")


@login_required
@require_POST
def publish_summary(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = _meeting(membership, meeting_id)
    try:
        services.publish_summary(membership, item)
    except ValidationError as error:
        return _done(request, item, error, "")
    return _done(request, item, None, "The summary is published; every member of the cohort is notified.")


# The private calendar feed.


@login_required
def calendar_feed(request: AuthedRequest) -> HttpResponse:
    feed = services.feed_for(request.user)
    url = request.build_absolute_uri(reverse("meetings:feed", kwargs={"token": feed.token()}))
    webcal = "webcal://" + url.split("://", 1)[1]
    return render(request, "meetings/calendar_feed.html", {"feed_url": url, "webcal_url": webcal})


@login_required
@require_POST
def regenerate_feed(request: AuthedRequest) -> HttpResponse:
    services.regenerate_feed(request.user)
    messages.success(request, "Your calendar feed has a new address; the old one no longer works.")
    return redirect("meetings:calendar_feed")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a calendar app subscribes to: no session, the token in the URL is the key."""
    item = CalendarFeed.for_token(token)
    if item is None:
        raise Http404("No such calendar feed.")
    document = services.feed_calendar(item.user)
    response = HttpResponse(document.ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="qm-cohort.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
