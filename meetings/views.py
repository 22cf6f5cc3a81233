from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohort import access
from cohort.editing import EditConflict
from cohort.errors import NotAllowed
from cohort.http import AuthedRequest
from cohort.models import Membership
from cohort.web import Confirmation, add_service_errors, attachment, confirm_page, is_confirmed, post_action
from meetings import services
from meetings.access import get_agenda_item, get_meeting, get_series
from meetings.forms import (
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    MinutesForm,
    OutcomeForm,
    RespondForm,
    SeriesForm,
    SeriesLengthForm,
)
from meetings.models import Attendance, Meeting, MeetingSeries

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
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            count = series.meetings.count()
            messages.success(
                request,
                ngettext(
                    "%(count)s meeting scheduled. Each member is e-mailed one invitation for the series.",
                    "%(count)s meetings scheduled. Each member is e-mailed one invitation for the series.",
                    count,
                )
                % {"count": count},
            )
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
    item = get_series(membership, series_id)
    return render(request, "meetings/series.html", _series_context(membership, item))


@login_required
@require_POST
def change_series_length(request: AuthedRequest, cohort: str, series_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_series(membership, series_id)
    form = SeriesLengthForm(request.POST)
    if form.is_valid():
        try:
            added, cancelled = services.change_series_length(membership, item, count=form.cleaned_data["count"])
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            if added:
                messages.success(
                    request,
                    ngettext("%(count)s meeting added to the series.", "%(count)s meetings added to the series.", added)
                    % {"count": added},
                )
            elif cancelled:
                messages.success(
                    request,
                    ngettext("%(count)s meeting cancelled.", "%(count)s meetings cancelled.", cancelled)
                    % {"count": cancelled},
                )
            else:
                messages.info(request, _("The series already has that many meetings."))
            return redirect(item)
    return render(request, "meetings/series.html", _series_context(membership, item, form), status=400)


# One meeting.


def _meeting_context(membership: Membership, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    cohort = membership.cohort
    attendances = list(Attendance.objects.filter(meeting=meeting).select_related("user").order_by("user__display_name"))
    mine = next((a for a in attendances if a.user_id == membership.user_id), None)
    going = [a for a in attendances if a.response == Attendance.Response.GOING]
    not_going = [a for a in attendances if a.response == Attendance.Response.NOT_GOING]
    attended = [a for a in attendances if a.attended]
    context: dict[str, Any] = {
        "membership": membership,
        "cohort": cohort,
        "meeting": meeting,
        "agenda": meeting.agenda_items.select_related("criterion__area", "institution", "carried_to__meeting"),
        "outcomes": meeting.outcomes.select_related("institution", "owner"),
        "my_response": mine.response if mine else "",
        "going": going,
        "not_going": not_going,
        "attended": attended,
        # Lists of names, for the sentences that say who is going (translated whole).
        "going_names": ", ".join(str(a.user) for a in going),
        "not_going_names": ", ".join(str(a.user) for a in not_going),
        "attended_names": ", ".join(str(a.user) for a in attended),
        "show_summary": membership.is_facilitator or meeting.is_published,
        "next_meeting": services.next_meeting_after(meeting),
    }
    if membership.is_facilitator:
        context.update(
            agenda_form=forms.get("agenda_form") or AgendaItemForm(cohort=cohort),
            minutes_form=forms.get("minutes_form") or MinutesForm(row=meeting),
            outcome_form=forms.get("outcome_form") or OutcomeForm(cohort=cohort, prefix="outcome"),
            attendance_form=forms.get("attendance_form")
            or AttendanceForm(cohort=cohort, initial={"attended": [a.user_id for a in attendances if a.attended]}),
        )
    return context


def _show_meeting(request: HttpRequest, membership: Membership, meeting: Meeting, **forms: Any) -> HttpResponse:
    status = 400 if any(f.errors for f in forms.values()) else 200
    if any(getattr(f, "conflict", None) for f in forms.values()):
        status = 409  # someone saved meanwhile (cohort.editing)
    return render(request, "meetings/meeting.html", _meeting_context(membership, meeting, **forms), status=status)


@login_required
def meeting(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    return _show_meeting(request, membership, item)


@login_required
@require_GET
def meeting_ics(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponseBase:
    membership = access.get_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    return attachment(
        services.meeting_ics(item), filename=f"meeting-{item.pk}.ics", content_type="text/calendar; charset=utf-8"
    )


@login_required
def edit_meeting(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    form = MeetingForm(request.POST or None, meeting=item)
    if request.method == "POST" and form.is_valid():
        sequence = item.sequence
        try:
            services.update_meeting(membership, item, **form.cleaned_data)
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            if item.sequence != sequence:  # the invitation's content changed
                messages.success(request, _("The meeting is changed; members receive an updated invitation."))
            else:
                messages.success(
                    request, _("The meeting is saved. Nothing in its invitation changed, so none was sent.")
                )
            return redirect(item)
    context = {"membership": membership, "cohort": membership.cohort, "meeting": item, "form": form}
    status = (409 if form.conflict else 400) if form.errors else 200
    return render(request, "meetings/meeting_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cancel_meeting(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    if not is_confirmed(request):
        local = item.local_starts_at
        people = item.invitees().count()
        confirmation = Confirmation(
            title=_("Cancel “%(meeting)s” on %(date)s at %(time)s?")
            % {"meeting": item.title, "date": date_format(local, "l j F Y"), "time": date_format(local, "H:i")},
            consequences=[
                (
                    ngettext(
                        "All %(count)s members of the cohort are e-mailed an update of the series saying that you "
                        "cancelled this meeting; it takes the meeting out of their calendars.",
                        "All %(count)s members of the cohort are e-mailed an update of the series saying that you "
                        "cancelled this meeting; it takes the meeting out of their calendars.",
                        people,
                    )
                    if item.series_id
                    else ngettext(
                        "All %(count)s members of the cohort are e-mailed a cancellation, which takes the meeting "
                        "out of their calendars.",
                        "All %(count)s members of the cohort are e-mailed a cancellation, which takes the meeting "
                        "out of their calendars.",
                        people,
                    )
                )
                % {"count": people},
                _("Its agenda, minutes and outcomes are kept."),
            ],
            undo=_(
                "You can restore it from its page while its time has not passed; everyone then gets a fresh invitation."
            ),
            button=_("Cancel the meeting"),
            back_url=item.get_absolute_url(),
            back_label=_("No, keep the meeting"),
        )
        return confirm_page(request, confirmation, {"membership": membership, "cohort": membership.cohort})

    def cancel() -> str:
        services.cancel_meeting(membership, item)
        return _("The meeting is cancelled; members receive a cancellation. You can restore it from this page.")

    return post_action(request, cancel, to=item.get_absolute_url())


@login_required
@require_POST
def restore_meeting(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)

    def restore() -> str:
        services.restore_meeting(membership, item)
        return _("The meeting is on again; members receive a fresh invitation.")

    return post_action(request, restore, to=item.get_absolute_url())


@login_required
@require_POST
def add_agenda_item(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    form = AgendaItemForm(request.POST, cohort=membership.cohort)
    if form.is_valid():
        try:
            services.add_agenda_item(membership, item, **form.cleaned_data)
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(item)s” added to the agenda.") % {"item": form.cleaned_data["title"]})
            return redirect(f"{item.get_absolute_url()}#agenda")
    return _show_meeting(request, membership, item, agenda_form=form)


@login_required
@require_POST
def agenda_item_done(request: AuthedRequest, cohort: str, meeting_id: int, item_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    agenda_item = get_agenda_item(membership, meeting_id, item_id)
    done = request.POST.get("done") == "1"

    def mark() -> str:
        services.set_agenda_item_done(membership, agenda_item, done=done)
        if done:
            return _("“%(item)s” is marked finished.") % {"item": agenda_item.title}
        return _("“%(item)s” is marked not finished.") % {"item": agenda_item.title}

    return post_action(request, mark, to=agenda_item.meeting.get_absolute_url())


@login_required
@require_POST
def remove_agenda_item(request: AuthedRequest, cohort: str, meeting_id: int, item_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    agenda_item = get_agenda_item(membership, meeting_id, item_id)

    def remove() -> str:
        services.remove_agenda_item(membership, agenda_item)
        return _("“%(item)s” removed from the agenda.") % {"item": agenda_item.title}

    return post_action(request, remove, to=agenda_item.meeting.get_absolute_url())


@login_required
@require_POST
def carry_forward(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)

    def carry() -> str:
        target, count = services.carry_forward(membership, item)
        return ngettext(
            "%(count)s unfinished item carried forward to %(meeting)s.",
            "%(count)s unfinished items carried forward to %(meeting)s.",
            count,
        ) % {"count": count, "meeting": target.title}

    return post_action(request, carry, to=item.get_absolute_url())


@login_required
@require_POST
def save_minutes(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.save_minutes(membership, item, form.cleaned_data["minutes"], based_on=form.based_on_version())
        except EditConflict as conflict:
            form.show_conflict(conflict)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect(f"{item.get_absolute_url()}#minutes")
    return _show_meeting(request, membership, item, minutes_form=form)


@login_required
@require_POST
def add_outcome(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    form = OutcomeForm(request.POST, cohort=membership.cohort, prefix="outcome")
    if form.is_valid():
        try:
            outcome = services.record_outcome(membership, item, **form.cleaned_data)
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            kind = outcome.get_kind_display()
            if outcome.action_item_id:
                messages.success(request, _("%(kind)s recorded and added to the action plan.") % {"kind": kind})
            else:
                messages.success(request, _("%(kind)s recorded.") % {"kind": kind})
            return redirect(f"{item.get_absolute_url()}#outcomes")
    return _show_meeting(request, membership, item, outcome_form=form)


@login_required
@require_POST
def record_attendance(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    form = AttendanceForm(request.POST, cohort=membership.cohort)
    if form.is_valid():
        try:
            count = services.record_attendance(membership, item, [u.pk for u in form.cleaned_data["attended"]])
        except (NotAllowed, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("Attendance recorded: %(count)s person.", "Attendance recorded: %(count)s people.", count)
                % {"count": count},
            )
            return redirect(f"{item.get_absolute_url()}#attendance")
    return _show_meeting(request, membership, item, attendance_form=form)


@login_required
@require_POST
def respond(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)
    form = RespondForm(request.POST)

    def answer() -> str:
        if not form.is_valid():
            raise ValidationError(_("Answer going or not going."))
        attendance = services.respond(membership, item, form.cleaned_data["response"])
        if attendance.response == Attendance.Response.GOING:
            return _("Your answer is saved: going.")
        return _("Your answer is saved: not going.")

    return post_action(request, answer, to=item.get_absolute_url())


@login_required
@require_POST
def publish_summary(request: AuthedRequest, cohort: str, meeting_id: int) -> HttpResponse:
    membership = access.get_facilitator_membership(request.user, cohort)
    item = get_meeting(membership, meeting_id)

    def publish() -> str:
        services.publish_summary(membership, item)
        return _("The summary is published; every member of the cohort is notified.")

    return post_action(request, publish, to=item.get_absolute_url())


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
    def regenerate() -> str:
        services.regenerate_feed(request.user)
        return _("Your calendar feed has a new address; the old one no longer works.")

    return post_action(request, regenerate, to="meetings:calendar_feed")
