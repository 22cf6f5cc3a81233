"""The private calendar feed: exactly the user's meetings (and consultations), behind a secret that
can be replaced."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

import meetings.consultations.feed
from cohort.access import get_membership
from meetings import services
from meetings.calendar import CalendarEvent
from meetings.models import CalendarFeed
from tests.factories import client_for


def feed_uids(token: str, client=None) -> set[str]:
    response = (client or client_for(None)).get(reverse("meetings:feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def uid(meeting) -> str:
    return f"meeting-{meeting.uid}@qm-cohort"


def test_the_feed_holds_exactly_the_users_meetings(world, make_meeting) -> None:
    ours = [make_meeting(days=3, title="Ours 1"), make_meeting(days=24, title="Ours 2")]
    make_meeting(days=45, title="Cancelled", status="cancelled")
    make_meeting(days=-800, title="Long ago")
    theirs = make_meeting(cohort=world.other_cohort, days=3, title="Theirs")
    assert feed_uids(services.feed_for(world.alice).token()) == {uid(m) for m in ours}
    assert feed_uids(services.feed_for(world.olga).token()) == {uid(theirs)}


def test_the_feed_includes_the_users_consultation_bookings(world, make_meeting, monkeypatch) -> None:
    meeting = make_meeting()
    starts = timezone.now() + timedelta(days=5)
    booking = CalendarEvent(
        uid="booking-1@qm-cohort",
        sequence=0,
        summary="Consultation",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    monkeypatch.setattr(
        meetings.consultations.feed, "calendar_events_for", lambda user: [booking] if user == world.lena else []
    )
    assert feed_uids(services.feed_for(world.lena).token()) == {uid(meeting), "booking-1@qm-cohort"}
    assert feed_uids(services.feed_for(world.alice).token()) == {uid(meeting)}


def test_a_new_address_stops_the_old_one_working(world, make_meeting) -> None:
    make_meeting()
    old = services.feed_for(world.alice).token()
    client = client_for(world.alice)
    client.post(reverse("meetings:regenerate_feed"))
    new = CalendarFeed.objects.get(user=world.alice).token()
    assert new != old
    assert client_for(None).get(reverse("meetings:feed", kwargs={"token": old})).status_code == 404
    assert len(feed_uids(new)) == 1


def test_a_made_up_or_altered_token_finds_nothing(world) -> None:
    token = services.feed_for(world.alice).token()
    user_id, digest = token.split("-")
    for bad in (f"{user_id}-{'0' * 40}", f"{world.bob.pk}-{digest}", "nonsense", f"{user_id}-"):
        assert client_for(None).get(reverse("meetings:feed", kwargs={"token": bad})).status_code == 404


def test_a_deactivated_users_feed_stops(world) -> None:
    token = services.feed_for(world.alice).token()
    world.alice.is_active = False
    world.alice.save()
    assert client_for(None).get(reverse("meetings:feed", kwargs={"token": token})).status_code == 404


def test_the_database_holds_a_key_not_the_token(world) -> None:
    token = services.feed_for(world.alice).token()
    feed = CalendarFeed.objects.get(user=world.alice)
    assert token.split("-")[1] not in feed.key and feed.key not in token


def test_the_feed_page_shows_the_address_to_subscribe_to(world) -> None:
    page = client_for(world.alice).get(reverse("meetings:calendar_feed")).content.decode()
    token = CalendarFeed.objects.get(user=world.alice).token()
    assert f"/calendar/feed/{token}.ics" in page
    assert f"webcal://testserver/calendar/feed/{token}.ics" in page


def test_a_series_is_one_recurring_event_in_the_feed_as_in_its_invitation(world, make_meeting) -> None:
    fran_m = get_membership(world.fran, world.cohort.slug)
    series = services.create_series(
        fran_m, title="Group meeting", starts_on=date(2030, 6, 3), time_of_day=time(10), count=4, send_invitations=False
    )
    second, third = series.meetings.get(position=2), series.meetings.get(position=3)
    services.cancel_meeting(fran_m, second)
    slot = third.starts_at
    services.update_meeting(
        fran_m,
        third,
        title=third.title,
        area=third.area,
        day=date(2030, 7, 16),
        time_of_day=time(14),
        duration_minutes=90,
        video_url="",
    )
    alone = make_meeting(days=3, title="Drop-in")
    response = client_for(None).get(reverse("meetings:feed", kwargs={"token": services.feed_for(world.alice).token()}))
    events: list[Any] = Calendar.from_ical(response.content).walk("VEVENT")
    series_uid = f"series-{series.uid}@qm-cohort"
    assert sorted(str(e["UID"]) for e in events) == sorted([series_uid, series_uid, uid(alone)])
    master = next(e for e in events if "RRULE" in e)
    assert master["RRULE"]["COUNT"] == [4] and int(master["SEQUENCE"]) == 2
    assert [d.dt for d in master["EXDATE"].dts] == [second.starts_at]
    override = next(e for e in events if "RECURRENCE-ID" in e)
    assert override.decoded("RECURRENCE-ID") == slot
    assert (override.decoded("DTSTART").day, override.decoded("DTSTART").hour) == (16, 14)
