"""Booking, quota, notice, rescheduling, cancelling, notes, and the .ics both sides receive."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import icalendar
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from cohort.access import get_membership
from cohort.errors import NotAllowed
from cohort.models import ActionItem, Notification, Participation
from meetings.consultations import services as booking
from meetings.consultations.feed import calendar_events_for
from meetings.consultations.models import Consultation, ConsultationSettings
from meetings.consultations.slots import free_slots
from meetings.models import Meeting
from tests.factories import client_for
from tests.meetings.consultations.factories import make_consultation, make_settings

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # Monday 09:00 BST


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc, arg-type]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cs(world) -> ConsultationSettings:
    return make_settings(world.cohort, world.alex, buffer_after_minutes=15)


def book_url(world) -> str:
    return reverse("meetings:consultation_book", kwargs={"cohort": world.cohort.slug})


def book(world, starts_at: datetime, topic: str = "Our admissions data"):
    return client_for(world.lena).post(book_url(world), {"starts_at": starts_at.isoformat(), "topic": topic})


def ics_of(message) -> icalendar.Calendar:
    (_name, content, mimetype) = message.attachments[0]
    assert mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def event_of(cal: icalendar.Calendar) -> icalendar.Event:
    return next(c for c in cal.walk("VEVENT") if isinstance(c, icalendar.Event))


# Booking ------------------------------------------------------------------------------------------


def test_the_booking_page_shows_free_times_in_the_leads_zone_and_the_quota(world, cs, frozen) -> None:
    response = client_for(world.lena).get(book_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "0 of 3</strong> consultations used, <strong>3</strong> left" in html
    assert "Wednesday 21 October 2026" in html  # the first day past the 48 hours' notice
    assert 'value="2026-10-21T08:00:00+00:00"' in html  # 09:00 BST


def test_a_lead_books_a_free_slot_and_both_sides_get_an_invitation(
    world, cs, frozen, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "meetings:consultation_detail", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    assert (consultation.institution, consultation.host, consultation.booked_by) == (
        world.irwell,
        world.alex,
        world.lena,
    )
    assert consultation.ends_at == utc(2026, 10, 21, 9)
    assert consultation.blocked_until == utc(2026, 10, 21, 9, 15)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.alex.email, world.lena.email])
    detail = f"{settings.SITE_URL}/c/gm/consultations/{consultation.pk}/"
    assert f"Cancel it: {detail}cancel/" in mail.outbox[0].body
    assert f"Move it: {detail}reschedule/" in mail.outbox[0].body
    assert all("Wednesday 21 October 2026, 09:00 (Europe/London)" in m.body for m in mail.outbox)
    event = event_of(ics_of(mail.outbox[0]))
    assert str(event["uid"]) == f"consultation-{consultation.uid}@qm-cohort"
    assert event["sequence"] == 0
    assert str(event["location"]) == "https://video.example/alex-room"
    assert str(event["url"]) == "https://video.example/alex-room"
    assert "Join online: https://video.example/alex-room" in str(event["description"])
    assert event.decoded("dtstart") == utc(2026, 10, 21, 8)
    to = {m.to[0]: ics_of(m) for m in mail.outbox}
    assert str(to[world.lena.email]["method"]) == "REQUEST"
    assert str(to[world.alex.email]["method"]) == "PUBLISH"  # the host organizes it: nothing to answer
    assert str(event["organizer"]) == f"mailto:{world.alex.email}"
    cal = to[world.lena.email]
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert event["dtstart"].params["TZID"] == "Europe/London"


def test_each_side_reads_the_time_in_their_own_zone_in_the_email(
    world, cs, frozen, django_capture_on_commit_callbacks
) -> None:
    world.alex.time_zone = "America/New_York"
    world.alex.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(world, utc(2026, 10, 21, 8))
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Wednesday 21 October 2026, 09:00 (Europe/London)" in bodies[world.lena.email]
    assert "Wednesday 21 October 2026, 04:00 (America/New_York)" in bodies[world.alex.email]


def test_a_per_booking_video_room_gets_its_own_link(world, frozen) -> None:
    make_settings(world.cohort, world.alex, video_mode="per_booking")
    ConsultationSettings.objects.update(video_url="https://meet.example/")
    book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    assert consultation.video_url == f"https://meet.example/qm-{consultation.uid.hex[:12]}"


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (utc(2026, 10, 19, 7), "That time has already passed"),
        (utc(2026, 10, 20, 8), "at least 48 hours&#x27; notice"),
        (utc(2026, 12, 16, 9), "up to 8 weeks ahead"),
        (utc(2026, 10, 21, 8, 30), "not one of the free times offered"),
        (utc(2026, 10, 24, 9), "not one of the free times offered"),  # a Saturday
    ],
)
def test_a_slot_that_cannot_be_booked_is_refused_with_a_reason(world, cs, frozen, starts_at, message) -> None:
    response = book(world, starts_at)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-10-21T08:00:00"])
def test_a_missing_or_malformed_time_is_refused(world, cs, frozen, value) -> None:
    response = client_for(world.lena).post(book_url(world), {"starts_at": value, "topic": "x"})
    assert response.status_code == 400
    assert "Choose one of the free times." in response.content.decode()
    assert not Consultation.objects.exists()


def test_a_slot_taken_a_moment_ago_says_so_and_shows_the_remaining_times(world, cs, frozen) -> None:
    make_consultation(world.cohort, world.alex, world.medlock, starts_at=utc(2026, 10, 21, 8))
    response = book(world, utc(2026, 10, 21, 8))
    html = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in html
    assert 'value="2026-10-21T08:00:00+00:00"' not in html
    assert 'value="2026-10-21T10:00:00+00:00"' in html  # 09:00–10:00 plus the 15-minute buffer
    assert Consultation.objects.count() == 1


def test_a_slot_taken_by_a_group_meeting_is_refused(world, cs, frozen) -> None:
    Meeting.objects.create(
        cohort=world.cohort, title="Area 2", starts_at=utc(2026, 10, 21, 8, 30), ends_at=utc(2026, 10, 21, 10)
    )
    response = book(world, utc(2026, 10, 21, 8))
    assert response.status_code == 409
    assert not Consultation.objects.exists()


def test_a_member_sees_bookings_but_cannot_book(world, cs, frozen) -> None:
    make_consultation(world.cohort, world.alex, world.irwell, booked_by=world.lena, topic="Pre-entry outreach")
    index = client_for(world.alice).get(reverse("meetings:consultations", kwargs={"cohort": world.cohort.slug}))
    assert "Pre-entry outreach" in index.content.decode()
    assert "Book a consultation" not in index.content.decode()
    response = client_for(world.alice).post(
        book_url(world), {"starts_at": utc(2026, 10, 21, 8).isoformat(), "topic": "x"}
    )
    assert response.status_code == 404
    assert Consultation.objects.count() == 1


def test_another_institutions_booking_is_not_found(world, cs) -> None:
    medlock = make_consultation(world.cohort, world.alex, world.medlock)
    url = reverse("meetings:consultation_detail", kwargs={"cohort": world.cohort.slug, "consultation_id": medlock.pk})
    assert client_for(world.lena).get(url).status_code == 404
    assert client_for(world.alice).get(url).status_code == 404
    assert client_for(world.alex).get(url).status_code == 200


def test_booking_directly_as_another_institutions_lead_is_refused(world, cs, frozen) -> None:
    lena = get_membership(world.lena, world.cohort.slug)
    medlock = Participation.objects.get(cohort=world.cohort, institution=world.medlock)
    with pytest.raises(NotAllowed, match="Only the institution's lead"):
        booking.book_consultation(lena, medlock, cs, starts_at=utc(2026, 10, 21, 8), topic="x", areas=[])


# Quota --------------------------------------------------------------------------------------------


def test_a_booking_beyond_the_quota_is_refused(world, cs, frozen) -> None:
    Participation.objects.filter(institution=world.irwell).update(consultation_quota=1)
    assert book(world, utc(2026, 10, 21, 8)).status_code == 302
    response = book(world, utc(2026, 10, 22, 8))
    assert response.status_code == 400
    assert "has used all 1 consultations in this cohort" in response.content.decode()
    page = client_for(world.lena).get(book_url(world)).content.decode()
    assert "1 of 1</strong> consultations used, <strong>0</strong> left" in page
    assert "has used all 1 consultations in this cohort" in page
    lena = get_membership(world.lena, world.cohort.slug)
    irwell = Participation.objects.get(institution=world.irwell)
    with pytest.raises(booking.ValidationError, match="has used all 1 consultations"):
        booking.book_consultation(lena, irwell, cs, starts_at=utc(2026, 10, 22, 8), topic="x", areas=[])
    assert Consultation.objects.count() == 1


def test_a_cancellation_with_enough_notice_gives_the_consultation_back(world, cs, frozen) -> None:
    Participation.objects.filter(institution=world.irwell).update(consultation_quota=1)
    book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    cancel = reverse(
        "meetings:consultation_cancel", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    assert client_for(world.lena).post(cancel).status_code == 302
    consultation.refresh_from_db()
    assert (consultation.status, consultation.counts_toward_quota) == ("cancelled", False)
    assert booking.quota_for(Participation.objects.get(institution=world.irwell)).left == 1
    assert book(world, utc(2026, 10, 21, 8)).status_code == 302  # the slot and the consultation are free again


def test_a_late_cancellation_by_the_lead_still_counts_but_by_the_host_does_not(
    world, cs, frozen, django_capture_on_commit_callbacks
) -> None:
    book(world, utc(2026, 10, 21, 8))
    book(world, utc(2026, 10, 22, 8))
    first, second = Consultation.objects.order_by("starts_at")
    frozen.move_to(utc(2026, 10, 20, 12))  # 20 hours before the first, 44 before the second
    page = client_for(world.lena).get(
        reverse("meetings:consultation_cancel", kwargs={"cohort": world.cohort.slug, "consultation_id": first.pk})
    )
    assert "still counts as one of Irwell" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.lena).post(
            reverse("meetings:consultation_cancel", kwargs={"cohort": world.cohort.slug, "consultation_id": first.pk})
        )
    late = next(m for m in mail.outbox if m.to == [world.alex.email])
    assert "Cancelled by Lena." in late.body
    assert (
        "It was cancelled by Irwell with less than 48 hours' notice, so it still counts toward Irwell's allowance"
        " of consultations (1 of 3 left)." in late.body
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.alex).post(
            reverse("meetings:consultation_cancel", kwargs={"cohort": world.cohort.slug, "consultation_id": second.pk})
        )
    by_host = next(m for m in mail.outbox if m.to == [world.lena.email])
    assert "Cancelled by Alex." in by_host.body
    assert "Irwell gets this consultation back: it does not count toward the allowance (2 of 3 left)." in by_host.body
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.counts_toward_quota) == ("cancelled", True)
    assert (second.status, second.counts_toward_quota) == ("cancelled", False)
    assert booking.quota_for(Participation.objects.get(institution=world.irwell)).used == 1


# Reschedule and cancel: the same UID, a higher SEQUENCE ---------------------------------------------


def test_rescheduling_sends_an_update_and_cancelling_a_cancel_with_the_same_uid(
    world, cs, frozen, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    uid = f"consultation-{consultation.uid}@qm-cohort"
    mail.outbox.clear()
    move = reverse(
        "meetings:consultation_reschedule", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.alex).post(move, {"starts_at": utc(2026, 10, 23, 13).isoformat()})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    cal = ics_of(next(m for m in mail.outbox if m.to == [world.lena.email]))
    event = event_of(cal)
    assert (str(cal["method"]), str(event["uid"]), event["sequence"]) == ("REQUEST", uid, 1)
    assert event.decoded("dtstart") == utc(2026, 10, 23, 13)
    assert mail.outbox[0].subject.startswith("Consultation moved")
    moved = next(m for m in mail.outbox if m.to == [world.lena.email])
    assert "Was: Wednesday 21 October 2026, 09:00 (Europe/London)" in moved.body
    assert "Now: Friday 23 October 2026, 14:00 (Europe/London)" in moved.body
    assert "Moved by Alex." in moved.body
    mail.outbox.clear()
    cancel = reverse(
        "meetings:consultation_cancel", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.lena).post(cancel)
    cal = ics_of(mail.outbox[0])
    event = event_of(cal)
    assert (str(cal["method"]), str(event["uid"]), event["sequence"], str(event["status"])) == (
        "CANCEL",
        uid,
        2,
        "CANCELLED",
    )
    assert calendar_events_for(world.lena) == []


def test_a_reschedule_inside_the_notice_or_to_a_taken_slot_is_refused(world, cs, frozen) -> None:
    book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    make_consultation(world.cohort, world.alex, world.medlock, starts_at=utc(2026, 10, 23, 8))
    move = reverse(
        "meetings:consultation_reschedule", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    response = client_for(world.lena).post(move, {"starts_at": utc(2026, 10, 23, 8).isoformat()})
    assert response.status_code == 409
    frozen.move_to(utc(2026, 10, 20, 12))
    assert "too late to move" in client_for(world.lena).get(move).content.decode()
    response = client_for(world.lena).post(move, {"starts_at": utc(2026, 10, 27, 9).isoformat()})
    assert response.status_code == 400
    assert "too late to move" in response.content.decode()
    consultation.refresh_from_db()
    assert (consultation.starts_at, consultation.sequence) == (utc(2026, 10, 21, 8), 0)


def test_the_current_slot_is_offered_again_when_moving_by_a_few_minutes_of_buffer(world, cs, frozen) -> None:
    book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    cs_ = ConsultationSettings.objects.get()
    times = {s.starts_at for s in free_slots(cs_, now=NOW, exclude_consultation=consultation.pk)}
    assert utc(2026, 10, 21, 9) in times  # its own buffer does not block the next hour when moving


def test_moving_does_not_offer_the_current_time_and_a_move_to_it_changes_nothing_and_sends_nothing(
    world, cs, frozen, django_capture_on_commit_callbacks
) -> None:
    book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    move = reverse(
        "meetings:consultation_reschedule", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    page = client_for(world.lena).get(move).content.decode()
    assert 'value="2026-10-21T09:00:00+00:00"' in page  # the next hour is free to choose
    assert 'value="2026-10-21T08:00:00+00:00"' not in page  # its own time is not offered
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.lena).post(move, {"starts_at": utc(2026, 10, 21, 8).isoformat()})
    assert response.status_code == 400
    assert "That is the consultation&#x27;s current time." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.sequence == 0 and mail.outbox == []


def test_a_cancelled_consultation_does_not_offer_to_add_it_to_a_calendar(world, cs, frozen) -> None:
    book(world, utc(2026, 10, 21, 8))
    consultation = Consultation.objects.get()
    detail = reverse(
        "meetings:consultation_detail", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    assert "Add to your calendar" in client_for(world.lena).get(detail).content.decode()
    client_for(world.lena).post(detail + "cancel/")
    page = client_for(world.lena).get(detail).content.decode()
    assert "Cancelled by" in page and "Add to your calendar" not in page


# Notes and actions --------------------------------------------------------------------------------


def test_the_host_records_notes_and_the_actions_go_on_the_action_plan(world, cs) -> None:
    consultation = make_consultation(
        world.cohort, world.alex, world.irwell, booked_by=world.lena, starts_at=datetime.now(UTC) - timedelta(days=1)
    )
    area = world.cohort.framework.areas.get(position=4)
    url = reverse(
        "meetings:consultation_notes", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    response = client_for(world.alex).post(
        url,
        {
            "notes": "Strong **admissions** narrative.",
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
            "actions-0-title": "Add contextual offer data",
            "actions-0-area": area.pk,
            "actions-0-due_on": "2027-01-31",
            "actions-0-owner_name": "Admissions team",
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.institution, item.source, item.area, item.owner_name) == (
        world.irwell,
        ActionItem.Source.CONSULTATION,
        area,
        "Admissions team",
    )
    assert item.source_url == reverse(
        "meetings:consultation_detail", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    assert set(Notification.objects.filter(kind="consultation").values_list("user__display_name", flat=True)) == {
        "Lena",
        "Alice",
    }
    page = client_for(world.alice).get(item.source_url).content.decode()
    assert "<strong>admissions</strong>" in page and "Add contextual offer data" in page


def test_an_action_without_a_title_is_refused_and_nothing_is_saved(world, cs) -> None:
    consultation = make_consultation(
        world.cohort, world.alex, world.irwell, starts_at=datetime.now(UTC) - timedelta(days=1)
    )
    url = reverse(
        "meetings:consultation_notes", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    response = client_for(world.alex).post(
        url, {"notes": "x", "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0", "actions-0-owner_name": "Sam"}
    )
    assert response.status_code == 400
    assert "Say what the action is" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.notes == "" and not ActionItem.objects.exists()


def test_notes_before_the_consultation_are_refused(world, cs) -> None:
    consultation = make_consultation(world.cohort, world.alex, world.irwell)
    url = reverse(
        "meetings:consultation_notes", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk}
    )
    response = client_for(world.alex).post(
        url, {"notes": "x", "actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"}
    )
    assert response.status_code == 400
    assert "once the consultation has started" in response.content.decode()


# Availability editor ------------------------------------------------------------------------------

AVAILABILITY = {
    "time_zone": "Europe/London",
    "duration_minutes": "45",
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "15",
    "min_notice_hours": "48",
    "horizon_weeks": "8",
    "video_mode": "fixed",
    "video_url": "https://video.example/room",
    "monday": "09:00-12:00, 14:00-17:00",
    "wednesday": "10:00-16:00",
    "blocked": "2026-12-24 to 2027-01-02\n2027-02-15",
}


def availability_url(world) -> str:
    return reverse("meetings:consultation_availability", kwargs={"cohort": world.cohort.slug})


def test_the_host_sets_weekly_windows_blocked_dates_and_settings(world) -> None:
    response = client_for(world.alex).post(availability_url(world), AVAILABILITY)
    assert response.status_code == 302
    cs = ConsultationSettings.objects.get(host=world.alex)
    assert (cs.duration_minutes, cs.buffer_after_minutes, cs.video_url) == (45, 15, "https://video.example/room")
    assert [str(w) for w in cs.windows.all()] == ["Monday 09:00–12:00", "Monday 14:00–17:00", "Wednesday 10:00–16:00"]
    assert [str(b) for b in cs.blocked.all()] == ["2026-12-24 to 2027-01-02", "2027-02-15"]
    page = client_for(world.alex).get(availability_url(world)).content.decode()
    assert 'value="09:00-12:00, 14:00-17:00"' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"monday": "12:00-09:00"}, "the window 12:00-09:00 ends before it starts"),
        ({"tuesday": "09:00-12:00, 11:00-13:00"}, "the windows 09:00-12:00 and 11:00-13:00 overlap"),
        ({"friday": "nine to five"}, "is not a time range"),
        ({"time_zone": "Europe/Atlantis"}, "“Europe/Atlantis” is not a time zone we know"),
        ({"blocked": "2027-02-30"}, "is not a date"),
        ({"blocked": "2027-02-10 to 2027-02-01"}, "ends before it starts"),
        ({"duration_minutes": "5"}, "greater than or equal to 15"),
        ({"video_mode": "per_booking", "video_url": ""}, "Give the address"),
    ],
)
def test_bad_availability_is_refused_with_a_message_and_nothing_is_saved(world, changes, message) -> None:
    make_settings(world.cohort, world.alex)
    before = list(ConsultationSettings.objects.values()), list(ConsultationSettings.objects.get().windows.values())
    response = client_for(world.alex).post(availability_url(world), {**AVAILABILITY, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    after = list(ConsultationSettings.objects.values()), list(ConsultationSettings.objects.get().windows.values())
    assert after == before


# Lists, panel, feed -------------------------------------------------------------------------------


def test_the_hosts_list_shows_their_bookings_in_a_fixed_number_of_queries(
    world, cs, django_assert_max_num_queries
) -> None:
    for day in range(1, 16):
        make_consultation(
            world.cohort, world.alex, world.irwell, booked_by=world.lena, starts_at=utc(2026, 11, day, 10)
        )
    client = client_for(world.alex)
    url = reverse("meetings:consultations", kwargs={"cohort": world.cohort.slug})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count("Our draft narrative for area 5") == 15


def test_the_leads_page_shows_the_institutions_bookings_in_a_fixed_number_of_queries(
    world, cs, frozen, django_assert_max_num_queries
) -> None:
    for day in range(1, 16):
        make_consultation(
            world.cohort, world.alex, world.irwell, booked_by=world.lena, starts_at=utc(2026, 11, day, 10)
        )
    make_consultation(world.cohort, world.alex, world.medlock, starts_at=utc(2026, 12, 1, 10), topic="Medlock's own")
    client = client_for(world.lena)
    with django_assert_max_num_queries(14):
        index = client.get(reverse("meetings:consultations", kwargs={"cohort": world.cohort.slug}))
    html = index.content.decode()
    assert html.count("Our draft narrative for area 5") == 15 and "Medlock's own" not in html
    assert "15 of 3</strong> consultations used" in html
    with django_assert_max_num_queries(16):
        assert client.get(book_url(world)).status_code == 200


def test_the_dashboard_panel_shows_the_next_consultation_and_the_quota(world, cs, frozen) -> None:
    make_consultation(
        world.cohort,
        world.alex,
        world.irwell,
        booked_by=world.lena,
        starts_at=utc(2026, 10, 28, 10),
        topic="Wellbeing offer",
    )
    html = client_for(world.lena).get(reverse("dashboard", kwargs={"cohort": world.cohort.slug})).content.decode()
    assert "Wednesday 28 October, 10:00" in html and "Wellbeing offer" in html
    assert "1 of 3</strong> used" in html
    assert ">Consultations</a>" in html  # the nav item
    observer = client_for(world.oscar).get(reverse("dashboard", kwargs={"cohort": world.cohort.slug})).content.decode()
    assert "Wellbeing offer" not in observer


def test_the_calendar_feed_has_the_hosts_and_the_institutions_bookings_only(world, cs) -> None:
    mine = make_consultation(world.cohort, world.alex, world.irwell, booked_by=world.lena)
    make_consultation(world.cohort, world.alex, world.medlock, starts_at=mine.starts_at + timedelta(days=1))
    assert [e.uid for e in calendar_events_for(world.alice)] == [f"consultation-{mine.uid}@qm-cohort"]
    assert len(calendar_events_for(world.alex)) == 2
    assert calendar_events_for(world.oscar) == []


def test_the_ics_download_parses_back(world, cs) -> None:
    consultation = make_consultation(world.cohort, world.alex, world.irwell, booked_by=world.lena)
    url = reverse("meetings:consultation_ics", kwargs={"cohort": world.cohort.slug, "consultation_id": consultation.pk})
    response = client_for(world.lena).get(url)
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["method"]) == "PUBLISH"
    assert str(event_of(cal)["location"]) == "https://video.example/alex-room"


def test_windows_must_not_be_shorter_than_needed_for_times_to_appear(world) -> None:
    cs = make_settings(world.cohort, world.alex, windows=[(0, time(9), time(9, 30))])
    assert free_slots(cs, now=NOW) == []


def test_a_lead_sees_a_new_york_hosts_times_in_london_time_with_the_hosts_time_beside(world, frozen) -> None:
    make_settings(world.cohort, world.alex, time_zone="America/New_York", windows=[(2, time(9), time(10))])
    html = client_for(world.lena).get(book_url(world)).content.decode()
    assert "with Alex's time (America/New_York) beside them" in html
    # Wednesday 21 October: 09:00 in New York (EDT) is 14:00 in London (BST).
    assert 'value="2026-10-21T13:00:00+00:00"' in html
    assert '14:00 <span class="meta">(09:00 Alex\'s time)</span>' in html


def test_a_host_far_away_has_their_own_date_shown_when_it_differs(world, frozen) -> None:
    make_settings(world.cohort, world.alex, time_zone="Pacific/Auckland", windows=[(3, time(8), time(9))])
    html = client_for(world.lena).get(book_url(world)).content.decode()
    # Thursday 08:00 in Auckland (NZDT, UTC+13) is Wednesday 20:00 in London (BST).
    assert '20:00 <span class="meta">(08:00 Alex\'s time, Thu 22 Oct)</span>' in html
