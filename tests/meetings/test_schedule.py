"""The cohort's meeting schedule, the dashboard panel and the navigation."""

from __future__ import annotations

from django.urls import reverse

from meetings import services
from tests.factories import client_for


def test_the_schedule_lists_upcoming_and_past_meetings_with_their_area(world, make_meeting) -> None:
    areas = world.cohort.framework.areas.order_by("position")
    make_meeting(days=-20, title="Culture and leadership", area=areas[0])
    make_meeting(days=5, title="Continuous improvement", area=areas[1])
    make_meeting(days=5, title="Yorkshire only", cohort=world.other_cohort)
    page = client_for(world.bob).get(reverse("meetings:schedule", kwargs={"cohort": world.cohort.slug}))
    html = page.content.decode()
    upcoming, past = html.split('id="past-title"')
    assert "Continuous improvement" in upcoming and f"2. {areas[1].title}" in upcoming
    assert "Culture and leadership" in past and f"1. {areas[0].title}" in past
    assert "Yorkshire only" not in html


def test_the_schedule_costs_the_same_queries_for_many_meetings(
    world, make_meeting, django_assert_max_num_queries
) -> None:
    areas = list(world.cohort.framework.areas.all())
    for i in range(30):
        make_meeting(days=i * 7 - 100, title=f"Meeting {i}", area=areas[i % 7])
    client = client_for(world.alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:schedule", kwargs={"cohort": world.cohort.slug}))
    assert response.content.decode().count('<th scope="row"><a href') == 30


def test_the_meeting_page_costs_a_bounded_number_of_queries(
    world, make_meeting, fran_m, django_assert_max_num_queries
) -> None:
    meeting = make_meeting()
    for i in range(10):
        services.add_agenda_item(fran_m, meeting, title=f"Item {i}", institution=world.irwell)
        services.record_outcome(fran_m, meeting, kind="information", text=f"Note {i}")
    client = client_for(world.fran)
    url = reverse("meetings:meeting", kwargs={"cohort": world.cohort.slug, "meeting_id": meeting.pk})
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_the_dashboard_shows_the_next_meeting_and_the_nav_has_meetings(world, make_meeting) -> None:
    make_meeting(days=-2, title="Already held")
    make_meeting(days=4, title="Cancelled one", status="cancelled")
    make_meeting(days=9, title="Admissions workshop", video_url="https://meet.example.org/x")
    html = client_for(world.alice).get(reverse("dashboard", kwargs={"cohort": world.cohort.slug})).content.decode()
    panel = html.split('id="next-meeting-title"')[1].split("</section>")[0]
    assert "Admissions workshop" in panel and "Join online" in panel
    assert "Cancelled one" not in panel and "Already held" not in panel
    assert f'href="{reverse("meetings:schedule", kwargs={"cohort": world.cohort.slug})}"' in html
    assert ">Meetings</a>" in html


def test_the_panel_says_when_nothing_is_scheduled(world) -> None:
    html = client_for(world.alice).get(reverse("dashboard", kwargs={"cohort": world.cohort.slug})).content.decode()
    assert "No meeting is scheduled." in html
