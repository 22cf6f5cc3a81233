"""The release matrix: every role × clip state × every URL that serves something of a clip, asserted.

Before a facilitator releases a reviewed clip, only facilitators see anything of it; after release,
the lead and members of the clip's institution (its consent shares it) see its redacted forms only;
the assessor, observers, other institutions and other cohorts see nothing; a withdrawn clip is gone
(its page tells the facilitators, whose notifications linked to it, that it was withdrawn: 410).
A URL of the app that names a clip and is listed neither here nor among the review actions fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cohort.models import Membership
from media_feedback import access
from media_feedback.models import Clip
from media_feedback.review import services as review
from tests.factories import World, client_for
from tests.matrix import ACTOR_USERS
from tests.media_feedback.review.factories import (  # noqa: F401
    make_call,
    make_clip,
    media_storage_fixture,
    membership_of,
    released,
)

TEXT = "My name is Jordan and the rent in halls was hard at Christmas."
STATES = ["processing", "ready-unreviewed", "reviewed", "released", "withdrawn"]
ROLES = ["facilitator", "assessor", "lead", "member", "other_member", "observer", "other_facilitator"]
STAFF = {"lead", "member"}

# Every URL that serves an artefact of a clip: (route name, extra kwargs) → the artefact it serves.
ARTEFACT_ROUTES: dict[tuple[str, str], access.Artefact] = {
    ("clip", ""): access.Artefact.RECORD,
    ("clip_file", "rendition"): access.Artefact.RENDITION,
    ("clip_file", "poster"): access.Artefact.POSTER,
    ("clip_file", "captions"): access.Artefact.CAPTIONS,
    ("clip_media", ""): access.Artefact.RENDITION,
    ("redacted_media", ""): access.Artefact.REDACTED_RENDITION,
    ("clip_captions", ""): access.Artefact.CAPTIONS,
    ("redacted_captions", ""): access.Artefact.REDACTED_CAPTIONS,
    ("review_clip", ""): access.Artefact.TRANSCRIPT,
}
# The review's one-button POSTs name a clip but serve nothing of it (a redirect back to the review
# page): the access matrix asserts they are the facilitators' alone.
REVIEW_ACTIONS = {
    "clip_retry",
    "redact_words",
    "remove_redaction",
    "correct_transcript",
    "tag_clip",
    "remove_tag",
    "decide_suggestion",
    "add_quote",
    "remove_quote",
    "mark_reviewed",
    "release_clip",
    "blur_faces",
}


def _clip_routes(patterns: list[Any], prefix: str = "") -> set[str]:
    names = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            names |= _clip_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and "clip_id" in prefix + str(p.pattern) and p.name:
            names.add(p.name)
    return names


def test_every_route_that_names_a_clip_is_in_the_release_matrix() -> None:
    named = _clip_routes(get_resolver().url_patterns)
    listed = {name for name, _ in ARTEFACT_ROUTES} | REVIEW_ACTIONS
    assert named - listed == set(), "a clip route is missing from the release matrix"
    assert listed - named == set()


def expected(role: str, state: str, name: str, artefact: access.Artefact) -> int:
    if state == "withdrawn":
        return 410 if role == "facilitator" and name == "clip" else 404
    if state == "processing":  # nothing is made yet but the clip's page
        return 200 if role == "facilitator" and name == "clip" else 404
    if role == "facilitator":
        return 200
    if role in STAFF and state == "released" and artefact in access.RELEASED_FORMS:
        return 200
    return 404


def _store(clip: Clip, name: str, data: bytes) -> str:
    return default_storage.save(f"{clip.storage_prefix}{name}", ContentFile(data))


def clip_in(state: str, world: World) -> Clip:
    """An Irwell clip whose consent shares it with Irwell, with every stored file, in `state`."""
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT)
    if state == "processing":
        clip.status, clip.transcribed = Clip.Status.TRANSCODING, False
        clip.save(update_fields=["status", "transcribed"])
        return clip
    clip.kind = Clip.Kind.VIDEO
    clip.rendition_name = _store(clip, "rendition.mp4", b"original rendition")
    clip.redacted_rendition_name = _store(clip, "redacted.mp4", b"redacted rendition")
    clip.poster_name = _store(clip, "poster.jpg", b"poster")
    clip.blurred_rendition_name = _store(clip, "blurred.mp4", b"blurred rendition")  # consent: may be quoted
    clip.captions_name = _store(clip, "captions.vtt", b"WEBVTT\n")
    clip.waveform = [0.2, 0.5, 0.9]
    clip.save()
    review.redact_words(membership_of(world.fran, world.cohort), clip, 3, 3)
    clip.redacted_rendition_name = _store(clip, "redacted.mp4", b"redacted rendition")  # as the task leaves it
    clip.save(update_fields=["redacted_rendition_name"])
    if state in ("reviewed", "released", "withdrawn"):
        review.mark_reviewed(membership_of(world.fran, world.cohort), clip)
    if state in ("released", "withdrawn"):
        clip = released(clip, world.fran)
    return clip


def url_of(clip: Clip, name: str, what: str) -> str:
    kwargs: dict[str, Any] = {"cohort": "gm", "clip_id": clip.public_id}
    if what:
        kwargs["what"] = what
    return reverse(f"media_feedback:{name}", kwargs=kwargs)


def body(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_release_matrix(world: World, media_storage: Any, role: str, state: str) -> None:
    clip = clip_in(state, world)
    urls = {key: url_of(clip, key[0], key[1]) for key in ARTEFACT_ROUTES}
    if state == "withdrawn":
        review.withdraw_clip(clip)
    client = client_for(getattr(world, ACTOR_USERS[role]))
    got = {key: client.get(u).status_code for key, u in urls.items()}
    want = {key: expected(role, state, key[0], artefact) for key, artefact in ARTEFACT_ROUTES.items()}
    assert got == want

    listed = client.get(reverse("media_feedback:clips", kwargs={"cohort": "gm"}))
    shown = listed.status_code == 200 and str(clip.public_id) in listed.content.decode()
    assert shown == (want[("clip", "")] == 200)


@pytest.mark.parametrize("state", ["processing", "ready-unreviewed", "reviewed", "released"])
@pytest.mark.parametrize("role", ROLES)
def test_the_rule_and_its_queryset_agree(world: World, media_storage: Any, role: str, state: str) -> None:
    clip = clip_in(state, world)
    membership = Membership.objects.filter(user=getattr(world, ACTOR_USERS[role]), cohort=world.cohort).first()
    if membership is None:  # another cohort's facilitator has no membership here
        return
    clip = Clip.objects.select_related("call", "consent").get(pk=clip.pk)
    sees_any = any(access.may_see(membership, clip, a) for a in access.Artefact)
    assert access.visible_clips(membership).filter(pk=clip.pk).exists() == sees_any


def test_staff_of_a_released_clip_read_and_hear_only_the_redacted_forms(world: World, media_storage: Any) -> None:
    clip = clip_in("released", world)
    page = client_for(world.lena).get(url_of(clip, "clip", "")).content.decode()
    assert "My name is [redacted] and the rent" in page and "Jordan" not in page
    assert "released it to Irwell staff" in page
    assert url_of(clip, "redacted_media", "") in page and f'"{url_of(clip, "clip_media", "")}"' not in page
    assert "/file/" not in page  # no original rendition, poster or unredacted captions
    captions = body(client_for(world.alice).get(url_of(clip, "redacted_captions", "")))
    assert "[redacted]" in captions and "Jordan" not in captions
    assert body(client_for(world.alice).get(url_of(clip, "redacted_media", ""))) == "redacted rendition"


def test_before_release_the_facilitator_page_says_only_facilitators_see_it(world: World, media_storage: Any) -> None:
    clip = clip_in("reviewed", world)
    page = client_for(world.fran).get(url_of(clip, "clip", "")).content.decode()
    assert "Not released: only facilitators see anything of this clip." in page
    assert "Jordan" in page  # the facilitator reads the whole transcript
