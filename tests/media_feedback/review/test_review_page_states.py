"""The review page says what is true of the clip's redacted version and blurring, names lengths in
good English, and brings the facilitator back to the section they acted in; the clip list gives every
clip a link text of its own."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cohort.models import Membership
from media_feedback.models import Clip
from media_feedback.review import services as review
from media_feedback.review.tasks import render_redacted_rendition
from tests.factories import World, client_for
from tests.media_feedback.review.factories import (  # noqa: F401
    give_rendition,
    make_call,
    make_clip,
    media_storage_fixture,
    membership_of,
    tone_media,
)

NOT_YET = "The redacted version, the only one anyone else can play, is made when you mark the clip as reviewed."
PREPARING = "The redacted version is being prepared; nobody else can play this clip until it is ready."


def url(name: str, clip: Clip) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": clip.call.cohort.slug, "clip_id": clip.public_id})


@pytest.fixture
def fran_membership(world: World) -> Membership:
    return membership_of(world.fran, world.cohort)


@pytest.fixture
def audio_clip(world: World, media_storage) -> Clip:  # type: ignore[no-untyped-def]
    return give_rendition(make_clip(make_call(world.cohort), world.irwell), tone_media(6.0))


def page(world: World, clip: Clip) -> str:
    return client_for(world.fran).get(url("review_clip", clip)).content.decode()


def test_an_unreviewed_clip_says_its_redacted_version_is_made_on_review_not_that_it_is_being_prepared(
    world: World, audio_clip: Clip
) -> None:
    html = page(world, audio_clip)
    assert NOT_YET in html
    assert PREPARING not in html


def test_the_redacted_version_is_being_prepared_from_the_moment_it_is_queued_until_it_is_made(
    world: World, audio_clip: Clip, fran_membership: Membership
) -> None:
    review.redact_words(fran_membership, audio_clip, 3, 3)  # the task would run after commit
    assert PREPARING in page(world, audio_clip)

    audio_clip.refresh_from_db()
    assert render_redacted_rendition(audio_clip)
    html = page(world, audio_clip)
    assert PREPARING not in html and NOT_YET not in html
    assert audio_clip.review.rendition_queued_at is None


def test_while_the_faces_are_being_blurred_the_page_says_so_and_offers_no_second_blur(
    world: World, media_storage, fran_membership: Membership
) -> None:  # type: ignore[no-untyped-def]
    clip = make_clip(make_call(world.cohort), world.irwell, kind=Clip.Kind.VIDEO, may_quote=True)
    give_rendition(clip, tone_media(2.0, video=True))
    html = page(world, clip)
    assert "Blur the faces now" in html  # its blurred copy is missing (made before blurring existed)
    assert "The blurred video has not been made yet" in html

    review.blur_faces(fran_membership, clip)  # the task would run after commit
    html = page(world, clip)
    assert "The faces are being blurred: until that is done, nobody else can play this clip." in html
    assert "Blur the faces now" not in html
    assert PREPARING in html


@pytest.mark.parametrize(("seconds", "shown"), [(1.2, "Audio, 1 second<"), (6.4, "Audio, 6 seconds<")])
def test_the_length_is_one_second_or_several_seconds(world: World, seconds: float, shown: str) -> None:
    clip = make_clip(make_call(world.cohort), world.irwell)
    Clip.objects.filter(pk=clip.pk).update(duration_seconds=seconds)
    assert shown in page(world, clip)


@pytest.mark.parametrize(
    ("action", "data", "section"),
    [
        ("redact_words", {"first_word": "4", "last_word": "4"}, "transcript-title"),
        ("mark_reviewed", {}, "done-title"),
        ("release_clip", {}, "release-title"),
    ],
)
def test_after_an_action_the_page_comes_back_at_its_section(
    world: World, action: str, data: dict[str, str], section: str
) -> None:
    clip = make_clip(make_call(world.cohort), world.irwell)
    if action == "release_clip":
        review.mark_reviewed(membership_of(world.fran, world.cohort), clip)
    response = client_for(world.fran).post(url(action, clip), data)
    assert response.status_code == 302
    assert response["Location"] == f"{url('review_clip', clip)}#{section}"


def test_clips_sent_in_the_same_minute_have_link_texts_of_their_own(world: World) -> None:
    call = make_call(world.cohort)
    first, second, other = (make_clip(call, world.irwell) for _ in range(3))
    minute = timezone.now().replace(second=0, microsecond=0)
    Clip.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=minute)
    Clip.objects.filter(pk=other.pk).update(created_at=minute.replace(year=minute.year - 1))
    html = client_for(world.fran).get(reverse("media_feedback:clips", kwargs={"cohort": world.cohort.slug})).text
    links = [part.split("</a>")[0].split(">")[-1] for part in html.split('<th scope="row"><a ')[1:]]
    assert len(links) == 3 and len(set(links)) == 3
    assert sorted(text[-4:] for text in links if text.endswith(")"))[:2] == [" (1)", " (2)"]
