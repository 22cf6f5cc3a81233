"""Calendar output, parsed back with icalendar: downloads, invitations, updates and cancellations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.calendar import build_calendar
from meetings.models import Meeting
from tests.factories import client_for

VIDEO = "https://meet.example.org/gm-cohort"


def parse(ics: bytes | str) -> tuple[Calendar, Any]:
    cal = Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def make_series(fran_m, **kwargs):
    values: dict[str, Any] = {
        "title": "Group meeting",
        "starts_on": date(2030, 6, 3),
        "time_of_day": time(10),
        "count": 2,
        "video_url": VIDEO,
    }
    values.update(kwargs)
    return services.create_series(fran_m, **values)


def attachment(message) -> bytes:
    (name, content, mimetype) = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    return content if isinstance(content, bytes) else content.encode()


def test_the_ics_download_carries_uid_sequence_time_zone_and_the_video_link(fran_m, world) -> None:
    meeting = make_series(fran_m).meetings.order_by("starts_at").first()
    services.add_agenda_item(fran_m, meeting, title="Culture and leadership at Irwell", institution=world.irwell)
    url = reverse("meetings:meeting_ics", kwargs={"cohort": world.cohort.slug, "meeting_id": meeting.pk})
    response = client_for(world.alice).get(url)
    assert response["Content-Type"].startswith("text/calendar")
    cal, event = parse(response.content)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(event["UID"]) == f"meeting-{meeting.uid}@qm-cohort"
    assert int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 0, "Europe/London")
    assert str(event["URL"]) == VIDEO and str(event["LOCATION"]) == VIDEO
    assert "Culture and leadership at Irwell (10 min)" in str(event["DESCRIPTION"])


def members(world) -> set[str]:
    return {u.email for u in (world.fran, world.alex, world.lena, world.alice, world.bob, world.oscar)}


def series_parts(message) -> tuple[Calendar, Any, list[Any]]:
    """The calendar, its recurring (master) event and its overrides."""
    cal = Calendar.from_ical(attachment(message))
    assert [c.errors for c in cal.walk()] == [[] for _ in cal.walk()]  # every property parsed as its type
    events = cal.walk("VEVENT")
    masters = [e for e in events if "RRULE" in e]
    assert len(masters) == 1 and all("RECURRENCE-ID" in e for e in events if e is not masters[0])
    return cal, masters[0], [e for e in events if e is not masters[0]]


def occurrences(master) -> list[datetime]:
    """The starts the rule gives, in the series' zone, less the EXDATEs (as a calendar expands them)."""
    start = master.decoded("DTSTART")
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
    excluded = set()
    exdates = master.get("EXDATE", [])
    for prop in exdates if isinstance(exdates, list) else [exdates]:
        excluded |= {d.dt for d in prop.dts}
    return [d for d in rule if d not in excluded]


def mail_to(user) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_twelve_meeting_series_is_one_invitation_per_member(
    fran_m, world, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        series = make_series(fran_m, count=12)
    assert len(mail.outbox) == len(members(world))  # 6 e-mails, not 72
    assert {m.to[0] for m in mail.outbox} == members(world)
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    message = mail_to(world.alice)[0]
    assert message.subject == "Invitation: Group meeting"
    assert "12 meetings, every 3 weeks" in message.body
    assert "Your answer goes to Fran, who facilitates the cohort." in message.body
    assert "12. Monday 20 January 2031, 10:00–11:30: Group meeting: Student wellbeing" in message.body
    cal, master, overrides = series_parts(message)
    assert str(cal["METHOD"]) == "REQUEST" and overrides == []
    assert str(master["UID"]) == f"series-{series.uid}@qm-cohort" and int(master["SEQUENCE"]) == 0
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["INTERVAL"] == [3]
    starts = [m.starts_at for m in series.meetings.order_by("position")]
    assert occurrences(master) == starts
    assert str(master["LOCATION"]) == VIDEO
    # The organizer is the facilitator, who can receive the answers; replies to the e-mail go there too.
    assert str(master["ORGANIZER"]) == f"mailto:{world.fran.email}"
    assert str(master["ORGANIZER"].params["CN"]) == "Fran"
    assert str(master["ATTENDEE"]) == f"mailto:{world.alice.email}"  # only themself
    assert message.reply_to == [f"Fran <{world.fran.email}>"]
    assert message.from_email.startswith("Fran via QM Cohort <")
    # The facilitator's own copy goes into their calendar without asking them to answer themselves.
    assert str(Calendar.from_ical(attachment(mail_to(world.fran)[0]))["METHOD"]) == "PUBLISH"


def test_the_series_keeps_ten_oclock_london_across_both_clock_changes(fran_m, world) -> None:
    # Every 4 weeks from 4 March 2030: over the spring change (31 March) and the autumn one (27 October).
    series = make_series(fran_m, starts_on=date(2030, 3, 4), cadence_weeks=4, count=10, send_invitations=False)
    cal = Calendar.from_ical(build_calendar(series.calendar_events(), method="REQUEST"))
    assert not any(c.errors for c in cal.walk())
    (master,) = cal.walk("VEVENT")
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    assert {c.name for c in zone.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    starts = occurrences(master)
    assert len(starts) == 10
    assert {(s.hour, s.minute) for s in starts} == {(10, 0)}  # the wall clock never moves
    assert [s.astimezone(UTC).hour for s in starts] == [10, 9, 9, 9, 9, 9, 9, 9, 9, 10]  # GMT, BST, GMT
    assert starts == [m.starts_at for m in series.meetings.order_by("position")]


def test_moving_one_meeting_sends_the_series_once_with_an_override_and_says_old_and_new_time(
    fran_m, world, django_capture_on_commit_callbacks
) -> None:
    series = make_series(fran_m, count=12)
    third = series.meetings.get(position=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(
            fran_m,
            third,
            title=third.title,
            area=third.area,
            day=date(2030, 7, 16),
            time_of_day=time(14),
            duration_minutes=60,
            video_url=VIDEO,
        )
    assert len(mail.outbox) == len(members(world))
    message = mail_to(world.bob)[0]
    assert message.subject.startswith(f"Updated: Group meeting — {third.title} has moved from Monday 15 July")
    assert (
        f"{third.title} has moved from Monday 15 July 2030, 10:00–11:30 to Tuesday 16 July 2030, 14:00–15:00"
        " (Europe/London)." in message.body
    )
    cal, master, (override,) = series_parts(message)
    assert str(cal["METHOD"]) == "REQUEST"
    assert int(master["SEQUENCE"]) == 1 and str(override["UID"]) == str(master["UID"])
    slot = override.decoded("RECURRENCE-ID")
    assert (slot.date(), slot.hour, str(slot.tzinfo)) == (date(2030, 7, 15), 10, "Europe/London")
    moved = override.decoded("DTSTART")
    assert (moved.date(), moved.hour, moved.minute) == (date(2030, 7, 16), 14, 0)
    assert override.decoded("DTEND") - moved == timedelta(hours=1)
    assert len(occurrences(master)) == 12  # the slot stays in the rule; the override replaces it
    assert f"3. Tuesday 16 July 2030, 14:00–15:00: {third.title}\n" in message.body


def test_cancelling_one_meeting_excludes_it_from_the_series_and_says_who(
    fran_m, world, django_capture_on_commit_callbacks
) -> None:
    series = make_series(fran_m, count=4)
    second = series.meetings.get(position=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(fran_m, second)
    assert len(mail.outbox) == len(members(world))
    message = mail_to(world.bob)[0]
    assert message.subject.startswith(f"Updated: Group meeting — Fran cancelled {second.title} on Monday 24 June")
    assert f"Fran cancelled {second.title} on Monday 24 June 2030, 10:00 (Europe/London)." in message.body
    assert f"2. Monday 24 June 2030, 10:00: {second.title} (cancelled)" in message.body
    cal, master, overrides = series_parts(message)
    assert str(cal["METHOD"]) == "REQUEST" and overrides == [] and int(master["SEQUENCE"]) == 1
    assert second.starts_at not in occurrences(master)
    assert len(occurrences(master)) == 3
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.restore_meeting(fran_m, Meeting.objects.get(pk=second.pk))
    message = mail_to(world.bob)[0]
    assert "is on again (Fran restored it)" in message.body
    _, master, _ = series_parts(message)
    assert int(master["SEQUENCE"]) == 2 and second.starts_at in occurrences(master)


def test_shortening_the_series_ends_the_rule_at_its_last_meeting(
    fran_m, world, django_capture_on_commit_callbacks
) -> None:
    series = make_series(fran_m, count=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_series_length(fran_m, series, count=3)
    message = mail_to(world.alice)[0]
    assert "Fran shortened the series to 3 meetings. Cancelled: " in message.body
    _, master, _ = series_parts(message)
    assert master["RRULE"]["COUNT"] == [3] and len(occurrences(master)) == 3


def test_a_meeting_outside_a_series_gets_its_own_update_and_cancellation(
    fran_m, world, make_meeting, django_capture_on_commit_callbacks
) -> None:
    meeting = make_meeting(days=30, title="Drop-in", video_url=VIDEO)
    old = services.when(meeting.starts_at, meeting.time_zone)
    local = meeting.local_starts_at
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(
            fran_m,
            meeting,
            title="Drop-in",
            area=None,
            day=local.date() + timedelta(days=1),
            time_of_day=time(14),
            duration_minutes=60,
            video_url=VIDEO,
        )
    message = mail_to(world.alice)[0]
    assert message.subject == "Updated: Drop-in"
    assert f"Drop-in has moved from {old}" in message.body
    cal, event = parse(attachment(message))
    assert str(cal["METHOD"]) == "REQUEST" and "RRULE" not in event
    assert str(event["UID"]) == f"meeting-{meeting.uid}@qm-cohort" and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").hour == 14
    assert str(event["ORGANIZER"]) == f"mailto:{world.fran.email}"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(fran_m, Meeting.objects.get(pk=meeting.pk))
    message = mail_to(world.bob)[0]
    assert message.subject == "Cancelled: Drop-in"
    assert "Fran cancelled Drop-in on " in message.body
    cal, event = parse(attachment(message))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2


def test_the_uid_never_changes_across_edits(fran_m) -> None:
    meeting = make_series(fran_m, count=1).meetings.get()
    first = parse(services.meeting_ics(meeting))[1]["UID"]
    services.update_meeting(
        fran_m,
        meeting,
        title="Renamed",
        area=None,
        day=date(2030, 6, 4),
        time_of_day=time(9),
        duration_minutes=90,
        video_url="",
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    _, event = parse(services.meeting_ics(meeting))
    assert event["UID"] == first and int(event["SEQUENCE"]) == 1
    assert datetime.fromisoformat(event.decoded("DTSTART").isoformat()).day == 4
