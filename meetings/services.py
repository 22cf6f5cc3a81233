"""Writes with side effects for group meetings: series, one meeting's changes, agenda, minutes,
outcomes, attendance, summaries, invitations (sent by meetings.tasks) and the private calendar feed.

Every write takes the acting Membership first. A member who may not do the thing at all gets
NotAllowed; bad input gets ValidationError (a dict keyed by form field where one applies). Both are
raised before anything is written; writes happen in one transaction, and e-mail goes out after commit.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cohort import editing
from cohort.errors import NotAllowed
from cohort.i18n import in_language_of, language_of, localised
from cohort.models import ActionItem, Area, Cohort, Criterion, Institution, Membership, NotificationKind, Role, User
from cohort.notifications import notify
from cohort.services import add_action_item
from meetings.calendar import CalendarEvent, build_calendar
from meetings.models import AgendaItem, Attendance, CalendarFeed, Meeting, MeetingSeries, Outcome
from meetings.tasks import send_meeting_invitations, send_series_invitations

log = logging.getLogger(__name__)

MAX_MEETINGS = 52
MIN_DURATION, MAX_DURATION = 15, 8 * 60
MAX_CADENCE_WEEKS = 26


# Scheduling: local wall time first, then UTC.


def local_to_utc(day: date, time_of_day: time, time_zone: str) -> datetime:
    """The UTC instant of a wall-clock time in a zone (10:00 London is 09:00 UTC in summer, 10:00 in winter)."""
    local = datetime.combine(day, time_of_day, tzinfo=zoneinfo.ZoneInfo(time_zone))
    return local.astimezone(UTC)


def series_dates(starts_on: date, cadence_weeks: int, *, count: int | None, ends_on: date | None) -> list[date]:
    """The dates of a series' meetings, checked: a positive cadence, an end after the start, at most 52."""
    errors: dict[str, str] = {}
    if cadence_weeks < 1:
        errors["cadence_weeks"] = _("Meetings must be at least one week apart.")
    elif cadence_weeks > MAX_CADENCE_WEEKS:
        errors["cadence_weeks"] = _("Meetings can be at most %(weeks)s weeks apart.") % {"weeks": MAX_CADENCE_WEEKS}
    if count is None and ends_on is None:
        errors["count"] = _("Give the number of meetings or the date of the last one.")
    elif count is not None and ends_on is not None:
        errors["count"] = _("Give either the number of meetings or an end date, not both.")
    elif count is not None and count < 1:
        errors["count"] = _("A series needs at least one meeting.")
    elif count is not None and count > MAX_MEETINGS:
        errors["count"] = _("A series can have at most %(count)s meetings.") % {"count": MAX_MEETINGS}
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The series must end on or after the day it starts.")
    if errors:
        raise ValidationError(errors)
    step = timedelta(weeks=cadence_weeks)
    if count is None:
        assert ends_on is not None
        count = (ends_on - starts_on) // step + 1
        if count > MAX_MEETINGS:
            raise ValidationError(
                {
                    "ends_on": _("That end date gives %(count)s meetings; a series can have at most %(most)s.")
                    % {"count": count, "most": MAX_MEETINGS}
                }
            )
    return [starts_on + i * step for i in range(count)]


def areas_in_order(cohort: Cohort) -> list[Area]:
    return list(Area.objects.filter(framework_id=cohort.framework_id).order_by("position"))


def area_after(areas: list[Area], area_id: int | None, steps: int = 1) -> Area | None:
    """The area `steps` places after the given one, wrapping round from the last to the first."""
    if not areas:
        return None
    ids = [a.pk for a in areas]
    start = ids.index(area_id) if area_id in ids else -1
    return areas[(start + steps) % len(areas)]


def _check_duration(duration_minutes: int) -> None:
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise ValidationError(
            {
                "duration_minutes": _("A meeting lasts between %(least)s minutes and %(most)s hours.")
                % {"least": MIN_DURATION, "most": MAX_DURATION // 60}
            }
        )


def _check_no_overlap(cohort: Cohort, slots: list[tuple[datetime, datetime]], exclude_id: int | None = None) -> None:
    """Refuse slots that share any instant with an active meeting of the cohort (one query)."""
    if not slots:
        return
    nearby = Meeting.objects.overlapping(cohort.pk, min(s for s, _ in slots), max(e for _, e in slots))
    if exclude_id is not None:
        nearby = nearby.exclude(pk=exclude_id)
    existing = list(nearby.order_by("starts_at"))
    for starts_at, ends_at in slots:
        other = next((m for m in existing if m.starts_at < ends_at and m.ends_at > starts_at), None)
        if other is not None:
            local = other.local_starts_at
            raise ValidationError(
                {
                    "starts_on": _(
                        "That would overlap “%(title)s” on %(date)s at %(time)s. Choose another day or time."
                    )
                    % {"title": other.title, "date": date_format(local, "j F Y"), "time": date_format(local, "H:i")}
                }
            )


def _last_position(rows: QuerySet[Meeting] | QuerySet[AgendaItem]) -> int:
    """The highest position among a series' meetings or a meeting's agenda items (0 for none)."""
    return rows.aggregate(n=Max("position"))["n"] or 0


def _lock_cohort(cohort: Cohort) -> None:
    """Serialise meeting writes in one cohort, so two overlap checks cannot both pass (caller is atomic)."""
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()


@transaction.atomic
def create_series(
    actor: Membership,
    *,
    title: str,
    starts_on: date,
    time_of_day: time,
    time_zone: str = "Europe/London",
    duration_minutes: int = 90,
    cadence_weeks: int = 3,
    count: int | None = None,
    ends_on: date | None = None,
    video_url: str = "",
    first_area: Area | None = None,
    send_invitations: bool = True,
) -> MeetingSeries:
    """A series of meetings every `cadence_weeks`, each on the next area of the framework."""
    cohort = actor.cohort
    _check_facilitator(actor, cohort.pk)
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("Choose a time zone from the list.")}) from None
    _check_duration(duration_minutes)
    dates = series_dates(starts_on, cadence_weeks, count=count, ends_on=ends_on)
    cohort.check_within(dates[0], field="starts_on", what=_("The first meeting"))
    cohort.check_within(dates[-1], field="count" if ends_on is None else "ends_on", what=_("The last meeting"))
    if first_area is not None and first_area.framework_id != cohort.framework_id:
        raise ValidationError({"first_area": _("That area belongs to another framework.")})
    _lock_cohort(cohort)
    length = timedelta(minutes=duration_minutes)
    slots = [(s, s + length) for s in (local_to_utc(d, time_of_day, time_zone) for d in dates)]
    _check_no_overlap(cohort, slots)
    series = MeetingSeries.objects.create(
        cohort=cohort,
        title=title,
        starts_on=starts_on,
        time_of_day=time_of_day,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        cadence_weeks=cadence_weeks,
        count=count,
        ends_on=ends_on,
        video_url=video_url,
        created_by=actor.user,
    )
    areas = areas_in_order(cohort)
    meetings = []
    for i, (starts_at, ends_at) in enumerate(slots):
        # Meeting 1 takes the first area (or the one chosen), each next meeting the next area, wrapping.
        area = area_after(areas, first_area.pk, i) if first_area else area_after(areas, None, i + 1)
        meetings.append(_new_meeting(series, i + 1, starts_at, ends_at, area))
    Meeting.objects.bulk_create(meetings)
    ids = list(Meeting.objects.filter(series=series).values_list("pk", flat=True))
    if send_invitations:
        _send_series_on_commit(series, {})
    log.info("series %s created in cohort %s with %d meetings", series.pk, cohort.pk, len(ids))
    return series


def _new_meeting(series: MeetingSeries, position: int, starts_at: datetime, ends_at: datetime, area: Area | None):
    return Meeting(
        cohort_id=series.cohort_id,
        series=series,
        position=position,
        title=f"{series.title}: {area.title}" if area else series.title,
        area=area,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=series.time_zone,
        video_url=series.video_url,
    )


@transaction.atomic
def change_series_length(actor: Membership, series: MeetingSeries, *, count: int) -> tuple[int, int]:
    """Extend the series (new meetings continue the schedule and the areas) or shorten it (its last
    upcoming meetings are cancelled). Returns (added, cancelled)."""
    _check_facilitator(actor, series.cohort_id)
    if count < 1:
        raise ValidationError({"count": _("A series needs at least one meeting.")})
    if count > MAX_MEETINGS:
        raise ValidationError({"count": _("A series can have at most %(count)s meetings.") % {"count": MAX_MEETINGS}})
    _lock_cohort(series.cohort)
    active = list(series.meetings.active().order_by("starts_at"))
    current = len(active)
    if count == current:
        return 0, 0
    if count < current:
        to_cancel = active[count:]
        if any(m.is_past for m in to_cancel):
            raise ValidationError({"count": _("Meetings already held cannot be removed; choose a larger number.")})
        for meeting in to_cancel:
            _cancel(meeting)
        _set_series_end(series, count=count)

        def shortened() -> list[str]:
            listed = "; ".join(f"{m.title}, {when(m.starts_at, m.time_zone)}" for m in to_cancel)
            return [
                _("%(person)s shortened the series to %(count)s meetings. Cancelled: %(meetings)s.")
                % {"person": actor.user, "count": count, "meetings": listed}
            ]

        _series_changed(series, in_every_language(shortened))
        return 0, len(to_cancel)
    last_position = _last_position(series.meetings.all())
    last_area_id = active[-1].area_id if active else None
    areas = areas_in_order(series.cohort)
    length = timedelta(minutes=series.duration_minutes)
    step = timedelta(weeks=series.cadence_weeks)
    new = []
    for i in range(count - current):
        position = last_position + i + 1
        starts_at = local_to_utc(series.starts_on + (position - 1) * step, series.time_of_day, series.time_zone)
        new.append((position, starts_at, starts_at + length))
    last_day = series.starts_on + (new[-1][0] - 1) * step
    series.cohort.check_within(last_day, field="count", what=_("The last meeting"))
    _check_no_overlap(series.cohort, [(s, e) for _, s, e in new])
    meetings = [
        _new_meeting(series, position, s, e, area_after(areas, last_area_id, i + 1))
        for i, (position, s, e) in enumerate(new)
    ]
    Meeting.objects.bulk_create(meetings)
    _set_series_end(series, count=count)

    def extended() -> list[str]:
        listed = "; ".join(f"{m.title}, {when(m.starts_at, m.time_zone)}" for m in meetings)
        return [
            _("%(person)s extended the series to %(count)s meetings. Added: %(meetings)s.")
            % {"person": actor.user, "count": count, "meetings": listed}
        ]

    _series_changed(series, in_every_language(extended))
    return len(meetings), 0


def _set_series_end(series: MeetingSeries, *, count: int) -> None:
    series.count = count
    series.ends_on = None
    series.save(update_fields=["count", "ends_on"])


def _check_facilitator(actor: Membership, cohort_id: int) -> None:
    # Views already refuse others with 404; this guards every other caller.
    if not actor.is_facilitator or actor.cohort_id != cohort_id:
        raise NotAllowed(_("Only facilitators change meetings."))


# One meeting.


@transaction.atomic
def update_meeting(
    actor: Membership,
    meeting: Meeting,
    *,
    title: str,
    area: Area | None,
    day: date,
    time_of_day: time,
    duration_minutes: int,
    video_url: str,
    based_on: str | None = None,
) -> Meeting:
    """Move, retitle, re-focus one meeting without touching the others. Sends an update if the
    invitation's content changed. Refused (editing.EditConflict) when another facilitator changed
    the meeting since the version `based_on` that the form showed."""
    _check_facilitator(actor, meeting.cohort_id)
    stored = editing.lock(Meeting, meeting.pk)
    editing.refuse_stale(stored, based_on, stored.edited_values(), by=False, at=stored.updated_at)
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled; it cannot be changed."))
    if area is not None and area.framework_id != meeting.cohort.framework_id:
        raise ValidationError({"area": _("That area belongs to another framework.")})
    _check_duration(duration_minutes)
    starts_at = local_to_utc(day, time_of_day, meeting.time_zone)
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    if day != meeting.local_starts_at.date():
        meeting.cohort.check_within(day, field="day", what=_("The meeting"))
    _lock_cohort(meeting.cohort)
    try:
        _check_no_overlap(meeting.cohort, [(starts_at, ends_at)], exclude_id=meeting.pk)
    except ValidationError as error:
        raise ValidationError({"day": error.message_dict["starts_on"]}) from None
    changes = in_every_language(
        lambda: _describe_changes(
            meeting, title=title, area=area, starts_at=starts_at, ends_at=ends_at, video_url=video_url
        )
    )
    meeting.title, meeting.area, meeting.video_url = title, area, video_url
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    fields = ["title", "area", "video_url", "starts_at", "ends_at", "updated_at"]
    if any(changes.values()):
        meeting.sequence += 1
        fields.append("sequence")
    meeting.save(update_fields=fields)
    if any(changes.values()):
        _meeting_changed(meeting, changes)
    return meeting


def when(instant: datetime, time_zone: str) -> str:
    """A time as members read it in e-mails: “Tuesday 3 June 2030, 10:00” in the meeting's zone, in
    the active language (“Dydd Mawrth 3 Mehefin 2030, 10:00”)."""
    return date_format(instant.astimezone(zoneinfo.ZoneInfo(time_zone)), "l j F Y, H:i")


# What changed, as the e-mails say it: written at the time of the change in every language, so that
# each recipient's e-mail (sent later, by a task) says it in theirs. Keyed by language code.
Changes = dict[str, list[str]]


def in_every_language(describe: Callable[[], list[str]]) -> Changes:
    """`describe()` run once in each of the site's languages."""
    changes: Changes = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            changes[code] = describe()
    return changes


def _describe_changes(
    meeting: Meeting, *, title: str, area: Area | None, starts_at: datetime, ends_at: datetime, video_url: str
) -> list[str]:
    """Plain sentences for the update e-mail, one per change that calendars or members care about."""
    changes = []
    name = meeting.title
    zone = meeting.time_zone
    if meeting.starts_at != starts_at or meeting.ends_at != ends_at:
        old_end = meeting.ends_at.astimezone(zoneinfo.ZoneInfo(zone))
        new_end = ends_at.astimezone(zoneinfo.ZoneInfo(zone))
        changes.append(
            _("%(meeting)s has moved from %(old)s to %(new)s (%(zone)s).")
            % {
                "meeting": name,
                "old": f"{when(meeting.starts_at, zone)}–{old_end:%H:%M}",
                "new": f"{when(starts_at, zone)}–{new_end:%H:%M}",
                "zone": zone,
            }
        )
    if meeting.title != title:
        changes.append(_("“%(old)s” is now called “%(new)s”.") % {"old": meeting.title, "new": title})
    if meeting.area_id != (area.pk if area else None):
        changes.append(
            _("%(meeting)s now focuses on %(area)s.") % {"meeting": title, "area": localised(area, "title")[0]}
            if area
            else _("%(meeting)s no longer focuses on one area.") % {"meeting": title}
        )
    if meeting.video_url != video_url:
        changes.append(
            _("New link to join %(meeting)s: %(url)s.") % {"meeting": title, "url": video_url}
            if video_url
            else _("%(meeting)s has no video link now.") % {"meeting": title}
        )
    return changes


@transaction.atomic
def cancel_meeting(actor: Membership, meeting: Meeting) -> Meeting:
    _check_facilitator(actor, meeting.cohort_id)
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is already cancelled."))
    if meeting.is_past:
        raise ValidationError(_("This meeting has already taken place."))
    _cancel(meeting)
    _meeting_changed(
        meeting,
        in_every_language(
            lambda: [
                _("%(person)s cancelled %(meeting)s on %(when)s (%(zone)s).")
                % {
                    "person": actor.user,
                    "meeting": meeting.title,
                    "when": when(meeting.starts_at, meeting.time_zone),
                    "zone": meeting.time_zone,
                }
            ]
        ),
    )
    return meeting


@transaction.atomic
def restore_meeting(actor: Membership, meeting: Meeting) -> Meeting:
    """Undo a cancellation: the meeting is on again and every member gets a fresh invitation."""
    _check_facilitator(actor, meeting.cohort_id)
    if not meeting.is_cancelled:
        raise ValidationError(_("This meeting is not cancelled."))
    if meeting.is_past:
        raise ValidationError(_("This meeting's time has passed; schedule a new one instead."))
    _lock_cohort(meeting.cohort)
    try:
        _check_no_overlap(meeting.cohort, [(meeting.starts_at, meeting.ends_at)], exclude_id=meeting.pk)
    except ValidationError as error:
        raise ValidationError(
            _("It cannot be restored: %(reason)s") % {"reason": error.message_dict["starts_on"][0]}
        ) from None
    meeting.status = Meeting.Status.SCHEDULED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    _meeting_changed(
        meeting,
        in_every_language(
            lambda: [
                _("%(meeting)s on %(when)s is on again (%(person)s restored it).")
                % {"meeting": meeting.title, "when": when(meeting.starts_at, meeting.time_zone), "person": actor.user}
            ]
        ),
    )
    return meeting


def _cancel(meeting: Meeting) -> None:
    """Cancel without sending: the caller sends one e-mail describing everything it cancelled."""
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])


# Agenda.


@transaction.atomic
def add_agenda_item(
    actor: Membership,
    meeting: Meeting,
    *,
    title: str,
    criterion: Criterion | None = None,
    institution: Institution | None = None,
    minutes_allotted: int = 10,
) -> AgendaItem:
    _check_facilitator(actor, meeting.cohort_id)
    cohort = meeting.cohort
    if criterion is not None and criterion.area.framework_id != cohort.framework_id:
        raise ValidationError({"criterion": _("That criterion belongs to another framework than this cohort's.")})
    if institution is not None and not cohort.participations.filter(institution=institution).exists():
        raise ValidationError({"institution": _("That institution is not taking part in this cohort.")})
    if not 1 <= minutes_allotted <= MAX_DURATION:
        raise ValidationError({"minutes_allotted": _("Give between 1 and 480 minutes.")})
    position = _last_position(meeting.agenda_items.all()) + 1
    return AgendaItem.objects.create(
        meeting=meeting,
        position=position,
        title=title,
        criterion=criterion,
        institution=institution,
        minutes_allotted=minutes_allotted,
    )


def set_agenda_item_done(actor: Membership, item: AgendaItem, *, done: bool) -> AgendaItem:
    _check_facilitator(actor, item.meeting.cohort_id)
    item.done = done
    item.save(update_fields=["done"])
    return item


def remove_agenda_item(actor: Membership, item: AgendaItem) -> None:
    _check_facilitator(actor, item.meeting.cohort_id)
    item.delete()


def next_meeting_after(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.active()
        .filter(cohort_id=meeting.cohort_id, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def carry_forward(actor: Membership, meeting: Meeting) -> tuple[Meeting, int]:
    """Copy every unfinished agenda item to the end of the cohort's next meeting's agenda."""
    _check_facilitator(actor, meeting.cohort_id)
    target = next_meeting_after(meeting)
    if target is None:
        raise ValidationError(_("There is no later meeting to carry items forward to; extend the series first."))
    items = [i for i in meeting.agenda_items.select_for_update().order_by("position") if i.is_open]
    if not items:
        raise ValidationError(_("Every agenda item is finished or already carried forward."))
    position = _last_position(target.agenda_items.all())
    for offset, item in enumerate(items, start=1):
        copy = AgendaItem.objects.create(
            meeting=target,
            position=position + offset,
            title=item.title,
            criterion_id=item.criterion_id,
            institution_id=item.institution_id,
            minutes_allotted=item.minutes_allotted,
        )
        item.carried_to = copy
        item.save(update_fields=["carried_to"])
    return target, len(items)


# Minutes, outcomes, attendance, summary.


def save_minutes(actor: Membership, meeting: Meeting, minutes: str, based_on: str | None = None) -> Meeting:
    """Save the minutes; refused (editing.EditConflict) when another facilitator saved them since the
    version `based_on` that the form showed."""
    _check_facilitator(actor, meeting.cohort_id)
    with transaction.atomic():
        stored = editing.lock(Meeting.objects.select_related("minutes_by"), meeting.pk)
        editing.refuse_stale(stored, based_on, ["minutes"], by=stored.minutes_by, at=stored.minutes_at)
        meeting.minutes = minutes
        meeting.minutes_by = actor.user
        meeting.minutes_at = timezone.now()
        meeting.save(update_fields=["minutes", "minutes_by", "minutes_at", "updated_at"])
    return meeting


@transaction.atomic
def record_outcome(
    actor: Membership,
    meeting: Meeting,
    *,
    kind: str,
    text: str,
    institution: Institution | None = None,
    owner: User | None = None,
    owner_name: str = "",
    due_on: date | None = None,
) -> Outcome:
    """Information, a decision, or an action; an action goes onto the named institution's action
    plan (or the cohort's, with no institution) at once."""
    _check_facilitator(actor, meeting.cohort_id)
    cohort = meeting.cohort
    if kind not in Outcome.Kind.values:
        raise ValidationError({"kind": _("Choose information, decision or action.")})
    action_item: ActionItem | None = None
    if kind == Outcome.Kind.ACTION:
        errors = {}
        if owner is None and not owner_name.strip():
            errors["owner"] = _("An action needs an owner: choose a person or type a name.")
        held_on = meeting.local_starts_at.date()
        if due_on is None:
            errors["due_on"] = _("An action needs a due date.")
        elif due_on < held_on:
            errors["due_on"] = _("An action cannot be due before its meeting (%(date)s).") % {
                "date": date_format(held_on, "j F Y")
            }
        if owner is not None:
            owner_is = Membership.objects.filter(cohort=cohort, user=owner).first()
            if owner_is is None:
                errors["owner"] = _("The owner must be a member of this cohort.")
            elif institution is not None and (
                owner_is.institution_id != institution.pk or owner_is.role not in (Role.LEAD, Role.MEMBER)
            ):
                errors["owner"] = _("The owner of %(institution)s's action must be in its working group.") % {
                    "institution": institution.short_name
                }
            elif institution is None and not owner_is.is_facilitator:
                errors["owner"] = _(
                    "A cohort action is owned by a facilitator; for an institution's, choose it under “For”."
                )
        if institution is not None and not cohort.participations.filter(institution=institution).exists():
            errors["institution"] = _("That institution is not taking part in this cohort.")
        if errors:
            raise ValidationError(errors)
        action_item = add_action_item(
            cohort=cohort,
            institution=institution,
            title=text,
            source=ActionItem.Source.MEETING,
            owner=owner,
            owner_name="" if owner else owner_name.strip(),
            due_on=due_on,
            area=meeting.area,
            source_label=meeting.title,
            source_url=meeting.get_absolute_url(),
        )
    else:
        institution, owner, owner_name, due_on = None, None, "", None
    return Outcome.objects.create(
        meeting=meeting,
        kind=kind,
        text=text,
        institution=institution,
        owner=owner,
        owner_name="" if owner else owner_name.strip(),
        due_on=due_on,
        action_item=action_item,
    )


def respond(membership: Membership, meeting: Meeting, response: str) -> Attendance:
    """A member's answer to the invitation: going or not going."""
    if membership.cohort_id != meeting.cohort_id:
        raise NotAllowed(_("Only members of this meeting's cohort answer its invitation."))
    if response not in (Attendance.Response.GOING, Attendance.Response.NOT_GOING):
        raise ValidationError(_("Answer going or not going."))
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled."))
    if meeting.is_past:
        raise ValidationError(_("This meeting has already taken place."))
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, user=membership.user, defaults={"response": response}
    )
    return attendance


@transaction.atomic
def record_attendance(actor: Membership, meeting: Meeting, user_ids: list[int]) -> int:
    """Who was there: exactly the given cohort members. Returns how many attended."""
    _check_facilitator(actor, meeting.cohort_id)
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting was cancelled."))
    members = set(Membership.objects.filter(cohort_id=meeting.cohort_id).values_list("user_id", flat=True))
    if not set(user_ids) <= members:
        raise ValidationError(_("Only members of this cohort can be recorded as attending."))
    Attendance.objects.filter(meeting=meeting).exclude(user_id__in=user_ids).update(attended=False)
    existing = set(Attendance.objects.filter(meeting=meeting, user_id__in=user_ids).values_list("user_id", flat=True))
    Attendance.objects.filter(meeting=meeting, user_id__in=existing).update(attended=True)
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, user_id=uid, attended=True) for uid in set(user_ids) - existing]
    )
    return len(set(user_ids))


@transaction.atomic
def publish_summary(actor: Membership, meeting: Meeting) -> Meeting:
    """Publish the minutes, decisions and actions to every member of the cohort, who is notified."""
    _check_facilitator(actor, meeting.cohort_id)
    if meeting.is_cancelled:
        raise ValidationError(_("A cancelled meeting has no summary."))
    if not meeting.minutes.strip() and not meeting.outcomes.exists():
        raise ValidationError(_("Write the minutes or record an outcome before publishing the summary."))
    again = meeting.is_published
    meeting.summary_published_at = timezone.now()
    meeting.save(update_fields=["summary_published_at", "updated_at"])
    for language, people in by_language(meeting.invitees()).items():
        with in_language_of(language):
            title = _("Updated summary of %(meeting)s") if again else _("Summary of %(meeting)s")
            notify(
                people,
                kind=NotificationKind.MEETING_SUMMARY,
                title=title % {"meeting": meeting.title},
                url=meeting.get_absolute_url(),
                cohort=meeting.cohort,
                exclude=actor.user,
            )
    return meeting


# Calendars.


def by_language(people: QuerySet[User] | list[User]) -> dict[str, list[User]]:
    """People grouped by the language they are written to in (see cohort.i18n.language_of)."""
    groups: dict[str, list[User]] = {}
    for person in people:
        groups.setdefault(language_of(person), []).append(person)
    return groups


def meeting_ics(meeting: Meeting) -> bytes:
    return build_calendar([meeting.calendar_event()], method="PUBLISH", name=meeting.title)


def _meeting_changed(meeting: Meeting, changes: Changes) -> None:
    """Send the update after commit: the whole series (one e-mail per person) for a meeting of a series,
    the meeting alone otherwise."""
    if meeting.series is not None:
        _series_changed(meeting.series, changes)
    else:
        transaction.on_commit(lambda: send_meeting_invitations.enqueue([meeting.pk], changes))


def _series_changed(series: MeetingSeries, changes: Changes) -> None:
    """Raise the series' SEQUENCE (calendars take the new version over the old) and send it after commit."""
    MeetingSeries.objects.filter(pk=series.pk).update(sequence=models.F("sequence") + 1)
    series.refresh_from_db(fields=["sequence"])
    _send_series_on_commit(series, changes)


def _send_series_on_commit(series: MeetingSeries, changes: Changes) -> None:
    transaction.on_commit(lambda: send_series_invitations.enqueue(series.pk, changes))


# The calendar feed is a person's, across their cohorts, not a membership's: these two take the user.


def feed_for(user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user, defaults={"key": CalendarFeed.new_key()})
    return feed


def regenerate_feed(user: User) -> CalendarFeed:
    """A new secret: the old feed address stops working at once."""
    feed, created = CalendarFeed.objects.get_or_create(user=user, defaults={"key": CalendarFeed.new_key()})
    if not created:
        feed.key = CalendarFeed.new_key()
        feed.save(update_fields=["key", "created_at"])
    return feed


FEED_PAST = timedelta(days=365)


def feed_events(user: User) -> list[CalendarEvent]:
    """The user's group meetings as calendar events: each series once, as the same recurring event
    (UID, rule, exceptions, overrides) its invitation carries, and each meeting outside a series on
    its own."""
    events: list[CalendarEvent] = []
    seen: set[int] = set()
    for meeting in feed_meetings(user):
        if meeting.series is None:
            events.append(meeting.calendar_event())
        elif meeting.series.pk not in seen:
            seen.add(meeting.series.pk)
            events += meeting.series.calendar_events()
    return events


def feed_meetings(user: User) -> list[Meeting]:
    """Every scheduled meeting of every cohort the user belongs to, from a year back."""
    return list(
        Meeting.objects.active()
        .filter(cohort__memberships__user=user, ends_at__gte=timezone.now() - FEED_PAST)
        .select_related("cohort", "area", "series__cohort")
        .prefetch_related("agenda_items")
        .order_by("starts_at")
    )
