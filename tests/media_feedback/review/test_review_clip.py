"""Reviewing a clip: the page, transcript corrections, redaction, areas and quotes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohort.errors import NotAllowed
from cohort.models import Area, Membership
from media_feedback.models import Clip
from media_feedback.review import services as review
from media_feedback.review.models import ClipTag, Quote, Redaction
from tests.factories import World, client_for
from tests.media_feedback.review.factories import make_call, make_clip, media_storage_fixture, membership_of  # noqa: F401

TEXT = "My name is Jordan and the rent in halls was hard at Christmas."


@pytest.fixture
def clip(world: World) -> Clip:
    return make_clip(make_call(world.cohort), world.irwell, TEXT)


def url(name: str, clip: Clip, **extra: object) -> str:
    return reverse(
        f"media_feedback:{name}", kwargs={"cohort": clip.call.cohort.slug, "clip_id": clip.public_id, **extra}
    )


def area(world: World, slug: str) -> Area:
    return world.cohort.framework.areas.get(slug=slug)


@pytest.fixture
def fran_membership(world: World) -> Membership:
    """Fran, the facilitator, as the review services take her."""
    return membership_of(world.fran, world.cohort)


def test_the_review_page_shows_each_word_as_a_button_that_seeks_the_player(world: World, clip: Clip) -> None:
    response = client_for(world.fran).get(url("review_clip", clip))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-index="4" data-start="1.500"' in html
    assert ">Jordan</button>" in html
    assert "js/review.js" in html
    assert "<script>" not in html  # no inline scripts


def test_the_transcript_is_one_named_tab_stop_with_its_keys_explained(world: World, clip: Clip) -> None:
    html = client_for(world.fran).get(url("review_clip", clip)).content.decode()
    assert 'role="group" aria-label="Transcript, use arrow keys to move between words"' in html
    assert 'aria-describedby="transcript-help"' in html
    assert "With the keyboard: move word by word with the arrow keys" in html
    transcript = html.split('id="transcript"')[1].split("</div>")[0]
    assert transcript.count('class="word') == 13
    assert transcript.count('tabindex="0"') == 1 and transcript.count('tabindex="-1"') == 12
    assert 'aria-pressed="false" tabindex="0">My</button>' in html


def test_redacting_words_marks_them_for_the_facilitator_and_hides_them_from_everyone_else(
    world: World, clip: Clip, media_storage
) -> None:
    response = client_for(world.fran).post(url("redact_words", clip), {"first_word": 4, "last_word": 4})
    assert response.status_code == 302
    assert list(Redaction.objects.filter(clip=clip).values_list("first_word", "last_word")) == [(3, 3)]
    html = client_for(world.fran).get(url("review_clip", clip)).content.decode()
    assert 'class="word redacted"' in html
    assert "My name is [redacted] and the rent" in html  # what everyone else reads


def test_a_redaction_outside_the_clip_is_refused_with_a_message(world: World, clip: Clip) -> None:
    client = client_for(world.fran)
    response = client.post(url("redact_words", clip), {"first_word": 5, "last_word": 99}, follow=True)
    assert "That range is outside the clip: choose words between 1 and 13." in response.content.decode()
    assert not Redaction.objects.exists()


def test_correcting_the_transcript_keeps_timings_and_moves_redactions_with_their_words(
    world: World, clip: Clip, media_storage, fran_membership: Membership
) -> None:
    review.redact_words(fran_membership, clip, 3, 3)  # "Jordan"
    clip.refresh_from_db()
    response = client_for(world.fran).post(
        url("correct_transcript", clip), {"text": "Hi, my name is Jordan and the rent in halls was hard at Christmas."}
    )
    assert response.status_code == 302
    clip.transcript.refresh_from_db()
    words = clip.transcript.words
    assert words[0]["word"] == "Hi," and words[4]["word"] == "Jordan"
    assert words[4]["start"] == 1.5  # "Jordan" kept its timing
    assert list(Redaction.objects.filter(clip=clip).values_list("first_word", "last_word")) == [(4, 4)]
    vtt = review.captions(Clip.objects.get(pk=clip.pk), reveal=False)
    assert "Jordan" not in vtt and "[redacted]" in vtt and vtt.startswith("WEBVTT")


def test_a_replaced_word_takes_the_timing_of_the_word_it_replaces() -> None:
    old = [{"word": "the", "start": 0.0, "end": 0.4}, {"word": "rant", "start": 0.5, "end": 0.9}]
    words, mapping = review.align_words(old, ["the", "rent"])
    assert words[1] == {"word": "rent", "start": 0.5, "end": 0.9}
    assert mapping == [[0], [1]]


def test_the_captions_follow_the_corrected_text(
    world: World, clip: Clip, media_storage, fran_membership: Membership
) -> None:
    review.correct_transcript(fran_membership, clip, TEXT.replace("halls", "hall"))
    vtt = client_for(world.fran).get(url("clip_captions", clip)).content.decode()
    assert "hall was hard" in vtt and "halls" not in vtt
    assert "00:00:00.000 --> " in vtt


def test_suggested_areas_show_the_matched_words_and_can_be_accepted_or_rejected(world: World, clip: Clip) -> None:
    client = client_for(world.fran)
    html = client.get(url("review_clip", clip)).content.decode()
    assert "Student wellbeing" in html and "Mentions “rent”, “halls”, “christmas”" in html
    client.post(url("decide_suggestion", clip, area="student-wellbeing"), {"decision": "accept"})
    tag = ClipTag.objects.get(clip=clip)
    assert (tag.area.slug, tag.status, tag.suggested) == ("student-wellbeing", "accepted", True)
    assert "rent" in tag.reason
    html = client.get(url("review_clip", clip)).content.decode()
    assert 'Accept<span class="visually-hidden"> Student wellbeing' not in html


def test_a_segment_of_a_clip_can_be_tagged(world: World, clip: Clip) -> None:
    client_for(world.fran).post(
        url("tag_clip", clip),
        {"area": area(world, "student-wellbeing").pk, "segment": "on", "first_word": 6, "last_word": 9},
    )
    tag = ClipTag.objects.get(clip=clip)
    assert (tag.first_word, tag.last_word) == (5, 8)


def test_a_quote_keeps_its_time_range_and_area(world: World, clip: Clip) -> None:
    client_for(world.fran).post(
        url("add_quote", clip), {"first_word": 6, "last_word": 13, "area": area(world, "student-wellbeing").pk}
    )
    quote = Quote.objects.get(clip=clip)
    assert (quote.first_word, quote.last_word) == (5, 12)
    assert (quote.start_seconds, quote.end_seconds) == (2.5, 6.45)
    assert review.quote_text(quote) == "the rent in halls was hard at Christmas."


def test_a_clip_without_quoting_consent_cannot_be_quoted_and_the_page_says_so(world: World) -> None:
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT, may_quote=False)
    client = client_for(world.fran)
    html = client.get(url("review_clip", clip)).content.decode()
    assert "The student did not agree to be quoted, so this clip cannot be quoted." in html
    assert "Save the quote" not in html
    response = client.post(
        url("add_quote", clip), {"first_word": 1, "last_word": 3, "area": area(world, "admissions").pk}, follow=True
    )
    assert "The student did not agree to be quoted" in response.content.decode()
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (10, 40, "That range is outside the clip: choose words between 1 and 13."),
        (5, 2, "The last word comes before the first: choose the words again."),
        (0, 2, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_quote_range_outside_the_clip_is_refused(
    world: World, clip: Clip, first: int, last: int, message: str
) -> None:
    response = client_for(world.fran).post(
        url("add_quote", clip),
        {"first_word": first, "last_word": last, "area": area(world, "admissions").pk},
        follow=True,
    )
    assert message in response.content.decode()
    assert not Quote.objects.exists()


def test_a_clip_of_another_cohort_is_not_found(world: World) -> None:
    clip = make_clip(make_call(world.other_cohort), world.irwell, TEXT)
    response = client_for(world.fran).get(url("review_clip", clip).replace("/c/yorks/", "/c/gm/"))
    assert response.status_code == 404


def test_the_review_queue_lists_ready_clips_in_few_queries(world: World, django_assert_max_num_queries) -> None:
    call = make_call(world.cohort)
    for _ in range(5):
        make_clip(call, world.irwell, TEXT)
    client = client_for(world.fran)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("media_feedback:review_queue", kwargs={"cohort": "gm", "call_id": call.pk}))
    assert response.content.decode().count("Audio clip") == 5


def test_the_review_services_refuse_anyone_but_a_facilitator_of_the_cohort(world: World, clip: Clip) -> None:
    with pytest.raises(NotAllowed, match=r"Only the cohort's facilitators review clips and write summaries\."):
        review.redact_words(membership_of(world.alice, world.cohort), clip, 3, 3)
    assert not Redaction.objects.filter(clip=clip).exists()
