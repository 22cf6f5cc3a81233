"""Facilitators see what will be deleted when: each call's clips with their deletion dates, soonest
first, and the uploads that were never finished."""

from __future__ import annotations

from datetime import UTC, datetime

from cohort.access import get_membership
from media_feedback import services
from media_feedback.models import CallLink, Clip, FeedbackCall
from tests.factories import World, client_for
from tests.media_feedback.factories import consent


def test_it_lists_a_clip_with_the_date_it_will_be_deleted(
    world: World, feedback_call: FeedbackCall, irwell_link: CallLink
) -> None:
    clip, _ = consent(irwell_link)
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.READY)
    services.schedule_retention(feedback_call, datetime(2027, 1, 1, 12, tzinfo=UTC))
    page = client_for(world.fran).get("/c/gm/clips/retention/").content.decode()
    assert str(clip.public_id)[:8] in page
    assert "1 April 2027" in page  # 90 days after 1 January 2027


def test_upcoming_deletions_come_first_and_unpublished_calls_have_no_date(
    world: World, feedback_call: FeedbackCall, irwell_link: CallLink
) -> None:
    soon = services.open_call(
        get_membership(world.fran, world.cohort.slug),
        title="Leaving care week",
        questions="Anything?",
        areas=[],
        opens_at=feedback_call.opens_at,
        closes_at=feedback_call.closes_at,
        retention_days=10,
    )
    services.schedule_retention(soon, datetime(2027, 1, 1, tzinfo=UTC))
    page = client_for(world.fran).get("/c/gm/clips/retention/").content.decode()
    assert page.index("Leaving care week") < page.index("How was your first year?")
    assert "No date yet: deleted 90 days after the summary is published." in page


def test_it_lists_unfinished_uploads(world: World, irwell_link: CallLink) -> None:
    consent(irwell_link)  # consented, nothing uploaded yet
    page = client_for(world.fran).get("/c/gm/clips/retention/").content.decode()
    unfinished = page[page.index("Unfinished uploads") :]
    assert "How was your first year?" in unfinished and "Irwell" in unfinished


def test_it_is_hidden_from_everyone_but_facilitators(world: World, feedback_call: FeedbackCall) -> None:
    for user in (world.lena, world.alice, world.alex, world.oscar, world.olga):
        assert client_for(user).get("/c/gm/clips/retention/").status_code == 404


def test_the_clips_page_links_to_it_for_facilitators(world: World) -> None:
    assert "/c/gm/clips/retention/" in client_for(world.fran).get("/c/gm/clips/").content.decode()
    assert "/c/gm/clips/retention/" not in client_for(world.lena).get("/c/gm/clips/").content.decode()
