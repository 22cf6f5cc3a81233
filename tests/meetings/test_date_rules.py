"""The domain's date rules (README, "Dates that make sense") at their boundaries: the first and last
allowed day, and one day outside. The test cohort runs from 1 September 2025 to 31 July 2031."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohort.access import get_membership
from cohort.models import ActionItem
from media_feedback import services as calls
from meetings import services
from meetings.consultations import services as booking
from meetings.consultations.slots import free_slots
from meetings.models import Meeting, MeetingSeries, Outcome
from tests.factories import client_for
from tests.meetings.consultations.factories import make_settings

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2025, 9, 1), date(2031, 7, 31)
DATES = "1 September 2025 to 31 July 2031"


def series(fran_m, starts_on: date, count: int = 1, **extra) -> MeetingSeries:
    return services.create_series(
        fran_m, title="Group meeting", starts_on=starts_on, time_of_day=time(10), count=count, **extra
    )


@pytest.fixture
def fran_m(world):
    return get_membership(world.fran, world.cohort.slug)


def test_a_series_may_start_on_the_cohorts_first_day_and_meet_on_its_last(fran_m) -> None:
    assert series(fran_m, FIRST).meetings.count() == 1
    three = series(fran_m, LAST - timedelta(weeks=6), count=3)
    assert three.meetings.order_by("-starts_at")[0].local_starts_at.date() == LAST


@pytest.mark.parametrize(
    ("starts_on", "count", "field"),
    [(FIRST - timedelta(days=1), 1, "starts_on"), (LAST + timedelta(days=1), 1, "starts_on"), (LAST, 2, "count")],
    ids=["a day before the cohort", "a day after it", "its second meeting after it"],
)
def test_a_series_reaching_outside_the_cohort_is_refused(fran_m, starts_on, count, field) -> None:
    with pytest.raises(ValidationError) as refused:
        series(fran_m, starts_on, count=count)
    assert DATES in refused.value.message_dict[field][0]
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_the_series_form_refuses_1_january_2020_naming_the_cohorts_dates_and_sends_nothing(
    world, django_capture_on_commit_callbacks
) -> None:
    url = reverse("meetings:create_series", kwargs={"cohort": world.cohort.slug})
    data = {
        "title": "Group meeting",
        "starts_on": "2020-01-01",
        "time_of_day": "10:00",
        "time_zone": "Europe/London",
        "duration_minutes": "90",
        "cadence_weeks": "3",
        "count": "7",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.fran).post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"The first meeting would be on 1 January 2020, outside the cohort&#x27;s dates ({DATES})." in page
    assert 'value="2020-01-01"' in page  # what was typed stays
    assert not Meeting.objects.exists()
    assert mail.outbox == []


def test_extending_a_series_past_the_cohorts_end_is_refused(fran_m) -> None:
    s = series(fran_m, LAST - timedelta(weeks=3), count=2)
    with pytest.raises(ValidationError) as refused:
        services.change_series_length(fran_m, s, count=3)
    assert DATES in refused.value.messages[0]
    assert s.meetings.count() == 2


def test_a_meeting_moves_to_the_cohorts_last_day_but_not_the_day_after(fran_m) -> None:
    meeting = series(fran_m, date(2027, 3, 2)).meetings.get()

    def move(day: date) -> None:
        services.update_meeting(
            fran_m,
            meeting,
            title=meeting.title,
            area=meeting.area,
            day=day,
            time_of_day=time(10),
            duration_minutes=90,
            video_url="",
        )

    move(LAST)
    with pytest.raises(ValidationError) as refused:
        move(LAST + timedelta(days=1))
    assert DATES in refused.value.message_dict["day"][0]
    meeting.refresh_from_db()
    assert meeting.local_starts_at.date() == LAST


def test_the_meeting_form_shows_its_date_as_the_date_input_reads_it_and_saves_unchanged(fran_m, world) -> None:
    meeting = series(fran_m, date(2027, 4, 27)).meetings.get()
    url = reverse("meetings:edit_meeting", kwargs={"cohort": world.cohort.slug, "meeting_id": meeting.pk})
    client = client_for(world.fran)
    page = client.get(url).content.decode()
    assert 'type="date" name="day" value="2027-04-27"' in page
    assert 'type="time" name="time_of_day" value="10:00"' in page
    data = {"title": meeting.title, "area": meeting.area_id, "day": "2027-04-27", "time_of_day": "10:00"}
    response = client.post(url, {**data, "duration_minutes": "90", "video_url": ""}, follow=True)
    assert "The meeting is saved. Nothing in its invitation changed, so none was sent." in response.content.decode()


def test_an_action_is_due_on_or_after_its_meeting(fran_m) -> None:
    meeting = series(fran_m, date(2027, 3, 2)).meetings.get()
    action = Outcome.Kind.ACTION
    services.record_outcome(fran_m, meeting, kind=action, text="On the day", owner_name="Sam", due_on=date(2027, 3, 2))
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(fran_m, meeting, kind=action, text="Before", owner_name="Sam", due_on=date(2027, 3, 1))
    assert refused.value.message_dict["due_on"] == ["An action cannot be due before its meeting (2 March 2027)."]
    assert list(ActionItem.objects.values_list("title", flat=True)) == ["On the day"]


def test_a_feedback_call_opens_and_closes_within_the_cohorts_dates(fran_m) -> None:
    def call(opens: date, closes: date):
        return calls.open_call(
            fran_m,
            title="Your year",
            questions="What helped?",
            areas=[],
            opens_at=datetime.combine(opens, time(12), tzinfo=UTC),
            closes_at=datetime.combine(closes, time(12), tzinfo=UTC),
        )

    call(FIRST, LAST)
    with pytest.raises(ValidationError) as early:
        call(FIRST - timedelta(days=1), LAST)
    assert DATES in early.value.message_dict["opens_at"][0]
    with pytest.raises(ValidationError) as late:
        call(FIRST, LAST + timedelta(days=1))
    assert DATES in late.value.message_dict["closes_at"][0]


def test_consultations_are_offered_and_booked_only_within_the_cohorts_dates(world) -> None:
    cohort = world.cohort
    cohort.ends_on = date(2026, 10, 21)  # a Wednesday
    cohort.save()
    cs = make_settings(cohort, world.alex)
    now = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        days = {slot.starts_at.date() for slot in free_slots(cs, now=now)}
        assert days and max(days) == cohort.ends_on
        lena = get_membership(world.lena, cohort.slug)
        after = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)
        with pytest.raises(ValidationError) as refused:
            booking.book_consultation(
                lena,
                cohort.participations.get(institution=world.irwell),
                cs,
                starts_at=after,
                topic="Data",
                areas=[],
                now=now,
            )
        assert "outside the cohort's dates (1 September 2025 to 21 October 2026)" in refused.value.messages[0]
