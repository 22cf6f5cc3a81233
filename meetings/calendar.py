"""Calendar (iCalendar, RFC 5545) output shared by group meetings and consultations.

An event keeps one UID for life; every change sent out raises SEQUENCE. Invitations carry
METHOD:REQUEST, cancellations METHOD:CANCEL, downloads and feeds METHOD:PUBLISH. Times are written in
the event's own time zone with a VTIMEZONE, so a 10:00 London meeting stays 10:00 London in every
calendar across the clock changes.

A meeting series is one recurring event: a master VEVENT with an RRULE, an EXDATE for every cancelled
meeting and an override VEVENT (same UID, RECURRENCE-ID of the slot it replaces) for every meeting
moved off its slot. One invitation per person carries the whole series; a change to one meeting sends
the whole series again with a higher SEQUENCE. The ORGANIZER is a person who can receive replies (the
cohort's facilitator), and the e-mail's Reply-To is that person too.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from cohort.mail import send_later

PRODID = "-//QM Cohort//Quality Mark cohorts//EN"


@dataclass
class CalendarEvent:
    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str = "Europe/London"
    description: str = ""
    video_url: str = ""
    url: str = ""
    cancelled: bool = False
    organizer_email: str = ""
    organizer_name: str = ""
    attendees: list[tuple[str, str]] = field(default_factory=list)  # (email, name)
    # A recurring event: {"freq": "WEEKLY", "interval": 3, "count": 12}, with the slots left out.
    rrule: dict[str, object] | None = None
    exdates: list[datetime] = field(default_factory=list)
    # An override of one occurrence of a recurring event: the slot (original start) it replaces.
    recurrence_id: datetime | None = None


def _event(item: CalendarEvent) -> Event:
    tz = zoneinfo.ZoneInfo(item.time_zone)
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", timezone.now())
    event.add("summary", item.summary)
    event.add("dtstart", item.starts_at.astimezone(tz))
    event.add("dtend", item.ends_at.astimezone(tz))
    if item.rrule:
        event.add("rrule", item.rrule)
    if item.exdates:
        event.add("exdate", [d.astimezone(tz) for d in sorted(item.exdates)])
    if item.recurrence_id is not None:
        event.add("recurrence-id", item.recurrence_id.astimezone(tz))
    description = item.description
    if item.video_url:
        event.add("location", item.video_url)
        joining = _("Join online: %(url)s") % {"url": item.video_url}
        description = f"{joining}\n\n{description}".strip()
    if item.url or item.video_url:
        event.add("url", item.video_url or item.url)
    if item.url:
        details = _("Details: %(url)s") % {"url": item.url}
        description = f"{description}\n\n{details}".strip()
    event.add("description", description)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.organizer_email:
        organizer = vCalAddress(f"mailto:{item.organizer_email}")
        organizer.params["cn"] = vText(item.organizer_name or item.organizer_email)
        event.add("organizer", organizer)
    for email, name in item.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name or email)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    return event


def build_calendar(items: Iterable[CalendarEvent], *, method: str = "PUBLISH", name: str = "") -> bytes:
    """An iCalendar document with the events and a VTIMEZONE for every zone they use."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for item in items:
        cal.add_component(_event(item))
    cal.add_missing_timezones()
    return cal.to_ical()


def send_invitation(
    items: CalendarEvent | list[CalendarEvent],
    recipients: list[str],
    *,
    subject: str,
    body: str,
    method: str = "",
) -> None:
    """E-mail an invitation (or its update, or cancellation) with the .ics attached.

    Call it inside cohort.i18n.in_language_of(recipient): the event's own words ("Join online",
    "Details") and the sender's name are written in the active language.

    `items` is one event, or a recurring event followed by its overrides. The method follows the
    (first) event unless given: PUBLISH is for the organizer's own copy, which they need not answer.
    The e-mail comes from the site's address under the organizer's name, and replies go to the
    organizer, as the calendar's answers do.
    """
    events = [items] if isinstance(items, CalendarEvent) else items
    first = events[0]
    method = method or ("CANCEL" if first.cancelled else "REQUEST")
    ics = build_calendar(events, method=method)
    from_name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    reply_to = []
    if first.organizer_email and first.organizer_email != from_address:
        from_name = _("%(organizer)s via %(site)s") % {
            "organizer": first.organizer_name or first.organizer_email,
            "site": from_name or "QM Cohort",
        }
        reply_to = [formataddr((first.organizer_name, first.organizer_email))]
    message = EmailMessage(
        subject=subject,
        body=body,
        to=recipients,
        from_email=formataddr((from_name, from_address)),
        reply_to=reply_to,
    )
    message.attach("invite.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    send_later(message)
