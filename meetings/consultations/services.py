"""Writes with side effects for consultations: availability, booking, rescheduling, cancelling, notes.

Never two bookings for one slot. Every write that places a consultation on a host's calendar runs in
one transaction that first locks the institution's participation (quota) and then the host's
settings row (calendar), in that order, and re-checks the slot inside the lock. On PostgreSQL the
exclusion constraint `consultation_no_overlap_per_host` is the last word even across cohorts; on
SQLite the transaction starts IMMEDIATE (settings), which serialises every writer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from cohort import editing
from cohort.errors import NotAllowed
from cohort.i18n import in_language_of, localised
from cohort.models import ActionItem, Area, Membership, NotificationKind, Participation, Role, User
from cohort.notifications import notify
from cohort.services import add_action_item
from meetings.calendar import CalendarEvent, send_invitation
from meetings.consultations.models import AvailabilityWindow, BlockedPeriod, Consultation, ConsultationSettings
from meetings.consultations.slots import busy_for_host, candidate_slots, compute_free_slots, rules_for
from meetings.services import by_language

log = logging.getLogger(__name__)

SLOT_TAKEN = gettext_lazy("That time was just taken. Please choose another of the free times below.")


class SlotTaken(ValidationError):
    """The slot was free when the page was drawn but another booking got there first."""

    def __init__(self) -> None:
        super().__init__(str(SLOT_TAKEN))


@dataclass(frozen=True)
class Quota:
    total: int
    used: int

    @property
    def left(self) -> int:
        return max(self.total - self.used, 0)


@dataclass(frozen=True)
class ActionInput:
    title: str
    area: Area | None = None
    due_on: date | None = None
    owner_name: str = ""


# What pages and calendars say where a host whose data was erased was named.
FORMER_HOST = gettext_lazy("a former member")


# Availability -------------------------------------------------------------------------------------


def settings_for(cohort_id: int, host: User | None) -> ConsultationSettings | None:
    if host is None:  # the host's data was erased
        return None
    return ConsultationSettings.objects.filter(cohort_id=cohort_id, host=host).first()


def save_availability(
    host: Membership,
    *,
    values: dict[str, object],
    windows: list[tuple[int, time, time]],
    blocked: list[tuple[date, date]],
) -> ConsultationSettings:
    """Replace the host's settings, weekly windows and blocked periods in this cohort at once.

    The form has already checked the windows (each ends after it starts, none overlap on a day).
    """
    if not host.is_staff_role:
        raise NotAllowed(_("Only facilitators and assessors offer consultations."))
    with transaction.atomic():
        cs, _created = ConsultationSettings.objects.select_for_update().get_or_create(
            cohort=host.cohort, host=host.user, defaults={"time_zone": host.user.time_zone}
        )
        for name, value in values.items():
            setattr(cs, name, value)
        cs.full_clean()
        cs.save()
        cs.windows.all().delete()
        AvailabilityWindow.objects.bulk_create(
            [AvailabilityWindow(settings=cs, weekday=d, starts_at=s, ends_at=e) for d, s, e in windows]
        )
        cs.blocked.all().delete()
        BlockedPeriod.objects.bulk_create([BlockedPeriod(settings=cs, starts_on=s, ends_on=e) for s, e in blocked])
    return cs


# Quota and rules ----------------------------------------------------------------------------------


def quota_for(participation: Participation) -> Quota:
    used = (
        Consultation.objects.for_institution(participation.cohort_id, participation.institution_id)
        .counting_toward_quota()
        .count()
    )
    return Quota(total=participation.consultation_quota, used=used)


def check_slot(cs: ConsultationSettings, starts_at: datetime, *, now: datetime, exclude: int | None = None) -> None:
    """Raise a ValidationError saying why `starts_at` cannot be booked with this host, if it cannot.

    Caller holds the host lock when the answer must stay true until commit.
    """
    if starts_at <= now:
        raise ValidationError(_("That time has already passed. Please choose one of the free times below."))
    if starts_at < now + cs.notice:
        raise ValidationError(
            _("Consultations need at least %(hours)s hours' notice. Please choose a later time.")
            % {"hours": cs.min_notice_hours}
        )
    if starts_at > now + cs.horizon:
        raise ValidationError(
            _("Consultations can be booked up to %(weeks)s weeks ahead.") % {"weeks": cs.horizon_weeks}
        )
    rules = rules_for(cs)
    local_day = starts_at.astimezone(cs.tzinfo).date()
    cs.cohort.check_within(local_day, field="starts_at", what=_("The consultation"))
    offered = candidate_slots(rules, local_day - timedelta(days=1), local_day + timedelta(days=1))
    if not any(slot.starts_at == starts_at for slot in offered):
        raise ValidationError(_("That time is not one of the free times offered. Please choose one of those below."))
    bookings, meetings = busy_for_host(
        cs.host_id, starts_at - timedelta(days=1), starts_at + timedelta(days=1), exclude_consultation=exclude
    )
    free = compute_free_slots(rules, now=now, bookings=bookings, meetings=meetings)
    if not any(slot.starts_at == starts_at for slot in free):
        raise SlotTaken()


def _lock(participation: Participation, cs: ConsultationSettings) -> tuple[Participation, ConsultationSettings]:
    """Lock order: participation, then host settings (everywhere, so two writers cannot deadlock)."""
    locked_participation = Participation.objects.select_for_update().get(pk=participation.pk)
    locked_cs = ConsultationSettings.objects.select_for_update().get(pk=cs.pk)
    return locked_participation, locked_cs


def _save_refusing_overlap(consultation: Consultation, **save_kwargs: object) -> None:
    """Save inside a savepoint: the PostgreSQL exclusion constraint turns a lost race into SlotTaken."""
    try:
        with transaction.atomic():
            consultation.save(**save_kwargs)  # type: ignore[arg-type]
    except IntegrityError as error:
        if "consultation_no_overlap_per_host" in str(error):
            raise SlotTaken() from None
        raise


# Booking, rescheduling, cancelling ----------------------------------------------------------------


def book_consultation(
    lead: Membership,
    participation: Participation,
    cs: ConsultationSettings,
    *,
    starts_at: datetime,
    topic: str,
    areas: list[Area],
    now: datetime | None = None,
) -> Consultation:
    """Book a consultation with the institution's assessor. Raises NotAllowed for anyone but the
    institution's lead, ValidationError (SlotTaken when a concurrent booking won) for a time that
    cannot be had."""
    now = now or timezone.now()
    if not (
        lead.is_lead
        and lead.cohort_id == participation.cohort_id
        and lead.institution_id == participation.institution_id
    ):
        raise NotAllowed(_("Only the institution's lead can book consultations."))
    if participation.assessor_id != cs.host_id:
        raise ValidationError(_("Consultations are booked with your institution's assessor."))
    with transaction.atomic():
        participation, cs = _lock(participation, cs)
        quota = quota_for(participation)
        if quota.left <= 0:
            raise ValidationError(
                _(
                    "%(institution)s has used all %(total)s consultations in this cohort. "
                    "Cancelling a booking with enough notice gives one back."
                )
                % {"institution": participation.institution.short_name, "total": quota.total}
            )
        check_slot(cs, starts_at, now=now)
        consultation = Consultation(
            cohort_id=participation.cohort_id,
            host_id=cs.host_id,
            institution_id=participation.institution_id,
            booked_by=lead.user,
            starts_at=starts_at,
            ends_at=starts_at + cs.duration,
            blocked_from=starts_at - cs.buffer_before,
            blocked_until=starts_at + cs.duration + cs.buffer_after,
            time_zone=cs.time_zone,
            topic=topic.strip(),
        )
        consultation.video_url = cs.video_url_for(consultation.uid)
        _save_refusing_overlap(consultation)
        consultation.areas.set(areas)
        transaction.on_commit(lambda: send_consultation_emails(consultation.pk, "booked"))
    log.info("consultation %s booked in cohort %s", consultation.pk, consultation.cohort_id)
    return consultation


def can_act_as_host(membership: Membership, consultation: Consultation) -> bool:
    """The host or a facilitator; nobody once the host's data was erased (the consultation is a record)."""
    if consultation.host_id is None:
        return False
    return membership.cohort_id == consultation.cohort_id and (
        membership.user_id == consultation.host_id or membership.is_facilitator
    )


def can_act_for_institution(membership: Membership, consultation: Consultation) -> bool:
    return (
        membership.cohort_id == consultation.cohort_id
        and membership.role == Role.LEAD
        and membership.institution_id == consultation.institution_id
    )


def can_change(membership: Membership, consultation: Consultation) -> bool:
    if consultation.host_id is None:  # no host to meet any more: the consultation stays as a record only
        return False
    return can_act_as_host(membership, consultation) or can_act_for_institution(membership, consultation)


def reschedule_consultation(
    actor: Membership, consultation: Consultation, *, starts_at: datetime, now: datetime | None = None
) -> Consultation:
    """Move a consultation to another free slot of the same host: same UID, SEQUENCE + 1."""
    now = now or timezone.now()
    if not can_change(actor, consultation):
        raise NotAllowed(_("You cannot move this consultation."))
    participation = Participation.objects.get(
        cohort_id=consultation.cohort_id, institution_id=consultation.institution_id
    )
    cs = ConsultationSettings.objects.get(cohort_id=consultation.cohort_id, host_id=consultation.host_id)
    with transaction.atomic():
        participation, cs = _lock(participation, cs)
        current = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if not current.is_active:
            raise ValidationError(_("This consultation was cancelled."))
        if current.starts_at < now + cs.notice:
            raise ValidationError(
                _(
                    "A consultation can be moved up to %(hours)s hours before it starts. "
                    "It is too late to move this one."
                )
                % {"hours": cs.min_notice_hours}
            )
        if starts_at == current.starts_at:
            raise ValidationError(
                {"starts_at": _("That is the consultation's current time. Choose another time to move it.")}
            )
        check_slot(cs, starts_at, now=now, exclude=current.pk)
        previous = current.starts_at
        current.starts_at = starts_at
        current.ends_at = starts_at + cs.duration
        current.blocked_from = starts_at - cs.buffer_before
        current.blocked_until = current.ends_at + cs.buffer_after
        current.sequence += 1
        _save_refusing_overlap(
            current, update_fields=["starts_at", "ends_at", "blocked_from", "blocked_until", "sequence", "updated_at"]
        )
        transaction.on_commit(
            lambda: send_consultation_emails(current.pk, "moved", previous_starts_at=previous, actor=actor.user)
        )
    log.info("consultation %s rescheduled", current.pk)
    return current


def cancel_consultation(actor: Membership, consultation: Consultation, *, now: datetime | None = None) -> Consultation:
    """Cancel a consultation. With enough notice (or when the host cancels) the institution gets the
    consultation back; a late cancellation by the institution still counts toward its quota."""
    now = now or timezone.now()
    if not can_change(actor, consultation):
        raise NotAllowed(_("You cannot cancel this consultation."))
    with transaction.atomic():
        current = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if not current.is_active:
            raise ValidationError(_("This consultation was already cancelled."))
        if current.starts_at <= now:
            raise ValidationError(_("This consultation has already started, so it can no longer be cancelled."))
        notice = current.starts_at - now
        cs = settings_for(current.cohort_id, current.host)
        enough_notice = cs is None or notice >= cs.notice
        current.status = Consultation.Status.CANCELLED
        current.cancelled_at = now
        current.cancelled_by = actor.user
        current.counts_toward_quota = not (enough_notice or can_act_as_host(actor, current))
        current.sequence += 1
        current.save(
            update_fields=["status", "cancelled_at", "cancelled_by", "counts_toward_quota", "sequence", "updated_at"]
        )
        transaction.on_commit(lambda: send_consultation_emails(current.pk, "cancelled"))
    log.info("consultation %s cancelled", current.pk)
    return current


# Notes and actions --------------------------------------------------------------------------------


def record_notes(
    host: Membership,
    consultation: Consultation,
    *,
    notes: str,
    actions: list[ActionInput],
    now: datetime | None = None,
    based_on: str | None = None,
) -> list[ActionItem]:
    """The host's notes after a consultation; each action goes on the institution's action plan.
    Refused (editing.EditConflict) when the notes were saved by someone else since the version
    `based_on` that the form showed: then no action is added either."""
    now = now or timezone.now()
    if not can_act_as_host(host, consultation):
        raise NotAllowed(_("Only the host records notes."))
    if not consultation.is_active:
        raise ValidationError(_("This consultation was cancelled."))
    if consultation.starts_at > now:
        raise ValidationError(_("Notes can be recorded once the consultation has started."))
    held_on = consultation.local_start().date()
    if early := [a.title for a in actions if a.due_on is not None and a.due_on < held_on]:
        raise ValidationError(
            _("An action cannot be due before its consultation (%(date)s): %(actions)s.")
            % {"date": date_format(held_on, "j F Y"), "actions": ", ".join(early)}
        )
    url = consultation.get_absolute_url()
    label = _("Consultation on %(date)s") % {"date": date_format(consultation.local_start(), "j F Y")}
    with transaction.atomic():
        stored = editing.lock(Consultation.objects.select_related("notes_by"), consultation.pk)
        editing.refuse_stale(stored, based_on, ["notes"], by=stored.notes_by, at=stored.notes_recorded_at)
        consultation.notes = notes.strip()
        consultation.notes_recorded_at = now
        consultation.notes_by = host.user
        consultation.save(update_fields=["notes", "notes_recorded_at", "notes_by", "updated_at"])
        items = [
            add_action_item(
                cohort=consultation.cohort,
                institution=consultation.institution,
                title=action.title,
                source=ActionItem.Source.CONSULTATION,
                area=action.area,
                due_on=action.due_on,
                owner_name=action.owner_name,
                source_label=label,
                source_url=url,
            )
            for action in actions
        ]
        group = User.objects.working_group(consultation.cohort_id, consultation.institution_id)
        for language, people in by_language(group).items():
            with in_language_of(language):
                title = _("Notes from your consultation with %(host)s") % {"host": consultation.host}
                if items:
                    title += ngettext(" (%(count)s new action)", " (%(count)s new actions)", len(items)) % {
                        "count": len(items)
                    }
                notify(
                    people,
                    kind=NotificationKind.CONSULTATION,
                    title=title,
                    url=url,
                    cohort=consultation.cohort,
                    exclude=host.user,
                )
    return items


# Calendar and e-mail ------------------------------------------------------------------------------


def detail_url(consultation: Consultation) -> str:
    return settings.SITE_URL + consultation.get_absolute_url()


def calendar_event(consultation: Consultation) -> CalendarEvent:
    """The consultation as an event, in the active language (render inside in_language_of)."""
    areas = ", ".join(localised(a, "title")[0] for a in consultation.areas.all())
    description = _("Topic: %(topic)s") % {"topic": consultation.topic}
    if areas:
        description += "\n" + _("Areas: %(areas)s") % {"areas": areas}
    attendees = [(consultation.booked_by.email, str(consultation.booked_by))] if consultation.booked_by else []
    return CalendarEvent(
        uid=f"consultation-{consultation.uid}@qm-cohort",
        sequence=consultation.sequence,
        summary=_("QM consultation: %(institution)s with %(host)s")
        % {"institution": consultation.institution.short_name, "host": consultation.host or FORMER_HOST},
        starts_at=consultation.starts_at,
        ends_at=consultation.ends_at,
        time_zone=consultation.time_zone,
        description=description,
        video_url=consultation.video_url,
        url=detail_url(consultation),
        cancelled=not consultation.is_active,
        organizer_email=consultation.host.email if consultation.host else "",
        organizer_name=str(consultation.host) if consultation.host else "",
        attendees=attendees,
    )


def send_consultation_emails(
    consultation_id: int, what: str, *, previous_starts_at: datetime | None = None, actor: User | None = None
) -> None:
    """Both sides get the invitation (or its update or cancellation) with the .ics attached. A move
    says the old and the new time and who moved it; a cancellation says who cancelled and whether the
    institution's allowance of consultations got this one back. Each person's e-mail, subject and
    calendar file are in their own language."""
    consultation = Consultation.objects.with_people().get(pk=consultation_id)
    quota = None
    notice_hours = None
    if what == "cancelled":
        participation = Participation.objects.filter(
            cohort_id=consultation.cohort_id, institution_id=consultation.institution_id
        ).first()
        quota = quota_for(participation) if participation else None
        cs = settings_for(consultation.cohort_id, consultation.host)
        notice_hours = cs.min_notice_hours if cs else None
    people = [consultation.host] if consultation.host is not None else []
    if consultation.booked_by is not None and consultation.booked_by.pk != consultation.host_id:
        people.append(consultation.booked_by)
    for person in people:
        with in_language_of(person):
            _send_consultation_email(
                consultation,
                what,
                person,
                previous_starts_at=previous_starts_at,
                actor=actor,
                quota=quota,
                notice_hours=notice_hours,
            )


def _subject(what: str, consultation: Consultation, local: datetime) -> str:
    values = {"institution": consultation.institution.short_name, "when": date_format(local, "j M Y, H:i")}
    if what == "booked":
        return _("Consultation booked: %(institution)s, %(when)s") % values
    if what == "moved":
        return _("Consultation moved: %(institution)s, %(when)s") % values
    return _("Consultation cancelled: %(institution)s, %(when)s") % values


def _send_consultation_email(
    consultation: Consultation,
    what: str,
    person: User,
    *,
    previous_starts_at: datetime | None,
    actor: User | None,
    quota: Quota | None,
    notice_hours: int | None,
) -> None:
    """One person's e-mail, in the active language (the caller is inside in_language_of(person))."""
    event = calendar_event(consultation)
    local = consultation.starts_at.astimezone(person.tzinfo)
    body = render_to_string(
        "meetings/consultations/email/invitation.txt",
        {
            "consultation": consultation,
            "what": what,
            "person": person,
            # Formatted here: the template's date filter would use the active zone, not theirs.
            "when": date_format(local, "l j F Y, H:i"),
            "was": (
                date_format(previous_starts_at.astimezone(person.tzinfo), "l j F Y, H:i") if previous_starts_at else ""
            ),
            "actor": actor,
            "quota": quota,
            "notice_hours": notice_hours,
            "url": event.url,
        },
    )
    # The host is the organizer: their copy goes into their calendar with nothing to answer.
    method = "PUBLISH" if person.pk == consultation.host_id and consultation.is_active else ""
    send_invitation(event, [person.email], subject=_subject(what, consultation, local), body=body, method=method)
