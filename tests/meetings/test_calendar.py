"""Calendar output, parsed back with icalendar: downloads, invitations, updates and cancellations."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from meetings import services
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


def test_every_member_is_invited_with_an_ics_per_meeting(fran_m, world, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        s = make_series(fran_m)
    people = {u.email for u in (world.fran, world.alex, world.lena, world.alice, world.bob, world.oscar)}
    assert len(mail.outbox) == 2 * len(people)
    assert {m.to[0] for m in mail.outbox} == people
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    uids = {f"meeting-{u}@qm-cohort" for u in s.meetings.values_list("uid", flat=True)}
    for message in mail.outbox:
        cal, event = parse(attachment(message))
        assert str(cal["METHOD"]) == "REQUEST"
        assert str(event["UID"]) in uids and int(event["SEQUENCE"]) == 0
        assert cal.walk("VTIMEZONE")
        assert str(event["LOCATION"]) == VIDEO
        assert message.subject.startswith("Invitation: ")


def test_a_change_sends_an_update_with_the_same_uid_and_a_higher_sequence(
    fran_m, world, django_capture_on_commit_callbacks
) -> None:
    meeting = make_series(fran_m, count=1).meetings.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(
            fran_m,
            meeting,
            title="Moved to the afternoon",
            area=meeting.area,
            day=date(2030, 6, 3),
            time_of_day=time(14),
            duration_minutes=60,
            video_url=VIDEO,
        )
    alice_mail = [m for m in mail.outbox if m.to == [world.alice.email]]
    assert len(alice_mail) == 1 and alice_mail[0].subject == "Updated: Moved to the afternoon"
    cal, event = parse(attachment(alice_mail[0]))
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"meeting-{meeting.uid}@qm-cohort"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").hour == 14


def test_a_cancellation_sends_method_cancel(fran_m, world, django_capture_on_commit_callbacks) -> None:
    meeting = make_series(fran_m, count=1).meetings.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(fran_m, meeting)
    message = next(m for m in mail.outbox if m.to == [world.bob.email])
    assert message.subject.startswith("Cancelled: ")
    cal, event = parse(attachment(message))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"meeting-{meeting.uid}@qm-cohort" and int(event["SEQUENCE"]) == 1


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
