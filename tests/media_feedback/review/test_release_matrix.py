"""The release matrix: every role × clip state × every artefact of a clip, asserted.

Before a facilitator releases a reviewed clip, only facilitators see anything of it; after release,
the lead and members of the clip's institution (its consent shares it) see its redacted forms only;
the assessor, observers, other institutions, other cohorts and anonymous visitors see nothing; a
withdrawn clip is gone (its page tells the facilitators, whose notifications linked to it, that it
was withdrawn: 410). Artefacts with a URL of their own are asked for by URL; the waveform, the
transcript, suggestions and quotes are parts of the clip's page or its review page, so those pages
are read for them. The only live channel that carries anything of a clip is the notifications
socket, which pushes the cohort's notifications: the "clip ready" one goes to facilitators alone.

Every route that names a clip must be listed here (or among the review's POST actions, which serve
nothing of a clip and are the access matrix's): a new one fails the first test until it is.
The states are built once and every role, state and artefact checked in one pass, to stay fast.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cohort.models import Membership, Notification
from media_feedback import access, notify
from media_feedback.models import Clip
from media_feedback.review import services as review
from tests.factories import World, client_for
from tests.matrix import ACTOR_USERS, ACTORS
from tests.media_feedback.review.factories import (  # noqa: F401
    make_call,
    make_clip,
    media_storage_fixture,
    membership_of,
    released,
)

TEXT = "My name is Jordan and the rent in halls was hard at Christmas and money was short."
STATES = ["receiving", "processing", "ready-unreviewed", "reviewed", "released", "withdrawn"]
ROLES = ACTORS  # facilitator, assessor, lead and member of the clip's institution, another's member, ...
STAFF = {"lead", "member"}  # Irwell's own: the clip is Irwell's and its consent shares it with Irwell
MADE = {"ready-unreviewed", "reviewed", "released"}  # states in which the clip's media and text exist

A = access.Artefact
# What the institution's staff see of a released clip, as the product promises it (written out here,
# not taken from media_feedback.access, so that widening the rule fails this test).
STAFF_SEES = {A.RECORD, A.REDACTED_RENDITION, A.REDACTED_TRANSCRIPT, A.REDACTED_CAPTIONS}

# Every URL that serves something of a clip: (route name, `what`) → the artefact it serves. The
# original has no URL at all (it is kept only when a call asks, for facilitators to re-process).
ARTEFACT_ROUTES: dict[tuple[str, str], A] = {
    ("clip", ""): A.RECORD,
    ("clip_file", "original"): A.ORIGINAL,
    ("clip_file", "rendition"): A.RENDITION,
    ("clip_file", "poster"): A.POSTER,
    ("clip_file", "captions"): A.CAPTIONS,
    ("clip_media", ""): A.RENDITION,
    ("redacted_media", ""): A.REDACTED_RENDITION,
    ("clip_captions", ""): A.CAPTIONS,
    ("redacted_captions", ""): A.REDACTED_CAPTIONS,
    ("review_clip", ""): A.TRANSCRIPT,
}
# Artefacts shown inside pages: (route whose page shows it, what in the page shows it).
IN_PAGE: dict[A, list[tuple[str, str]]] = {
    A.WAVEFORM: [("clip", '<svg class="waveform"')],
    A.TRANSCRIPT: [("clip", "My name is Jordan and the rent"), ("review_clip", "Jordan</button>")],
    A.REDACTED_TRANSCRIPT: [("clip", "My name is [redacted] and the rent"), ("review_clip", "My name is [redacted]")],
    A.SUGGESTIONS: [("review_clip", 'class="plain-list suggestions"')],
    A.QUOTES: [("review_clip", '<blockquote class="quote">“My name is [redacted] and the rent')],
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
    # The facilitators' page to type a Welsh clip's transcript (it plays the rendition through clip_file).
    "type_transcript",
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


def sees(role: str, state: str, artefact: A) -> bool:
    """The release rule, as the product states it."""
    if role == "anonymous" or state == "withdrawn" or artefact == A.ORIGINAL:
        return False
    if role == "facilitator":
        return artefact == A.RECORD or state in MADE
    return role in STAFF and state == "released" and artefact in STAFF_SEES


def expected_status(role: str, state: str, artefact: A, name: str) -> int:
    if role == "anonymous":
        return 302  # sent to log in
    if state == "withdrawn" and role == "facilitator" and name == "clip":
        return 410
    return 200 if sees(role, state, artefact) else 404


def _store(clip: Clip, name: str, data: bytes) -> str:
    return default_storage.save(f"{clip.storage_prefix}{name}", ContentFile(data))


def clip_in(state: str, world: World) -> Clip:
    """An Irwell audio clip whose consent shares it with Irwell and allows quoting, in `state`, with
    every stored file its state has (the original kept, as a call may ask), a redaction and a quote."""
    fran = membership_of(world.fran, world.cohort)
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT)
    clip.original_name = _store(clip, "original", b"original upload")
    if state in ("receiving", "processing"):
        clip.status = Clip.Status.RECEIVING if state == "receiving" else Clip.Status.TRANSCODING
        clip.transcribed = False
        clip.save()
        clip.transcript.delete()
        return clip
    clip.rendition_name = _store(clip, "rendition.m4a", b"original rendition")
    clip.poster_name = _store(clip, "poster.jpg", b"poster")
    clip.captions_name = _store(clip, "captions.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\nMy name is Jordan\n")
    clip.waveform = [0.2, 0.5, 0.9]
    clip.save()
    review.redact_words(fran, clip, 3, 3)
    clip.redacted_rendition_name = _store(clip, "redacted.m4a", b"redacted rendition")  # as the task leaves it
    clip.save(update_fields=["redacted_rendition_name"])
    review.add_quote(fran, clip, world.cohort.framework.areas.get(position=5), 0, 11)
    if state in ("reviewed", "released", "withdrawn"):
        review.mark_reviewed(fran, clip)
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


def test_release_matrix(world: World, media_storage: Any) -> None:
    clips = {state: clip_in(state, world) for state in STATES}
    urls = {state: {key: url_of(clip, *key) for key in ARTEFACT_ROUTES} for state, clip in clips.items()}
    for state in MADE:
        notify.clip_ready(clips[state].pk)  # what the notifications socket pushes, to whom
    review.withdraw_clip(Clip.objects.select_related("call__cohort").get(pk=clips["withdrawn"].pk))
    clips_list = reverse("media_feedback:clips", kwargs={"cohort": "gm"})

    got: dict[tuple[str, str, str], object] = {}
    want: dict[tuple[str, str, str], object] = {}
    for role in ROLES:
        user = getattr(world, ACTOR_USERS[role]) if role != "anonymous" else None
        client = client_for(user) if user is not None else Client()
        listed = body(client.get(clips_list))
        for state in STATES:
            clip = clips[state]
            pages: dict[str, str] = {}
            for (name, what), artefact in ARTEFACT_ROUTES.items():
                response = client.get(urls[state][(name, what)])
                got[role, state, f"{name}/{what}"] = response.status_code
                want[role, state, f"{name}/{what}"] = expected_status(role, state, artefact, name)
                if response.status_code == 200 and not what:
                    pages[name] = body(response)
            for artefact, places in IN_PAGE.items():
                got[role, state, artefact] = any(marker in pages.get(page, "") for page, marker in places)
                want[role, state, artefact] = sees(role, state, artefact)
            got[role, state, "listed"] = str(clip.public_id) in listed
            want[role, state, "listed"] = sees(role, state, A.RECORD) and state != "receiving"
            if user is not None and state in MADE:
                ready = Notification.objects.filter(user=user, url=url_of(clip, "clip", "")).exists()
                got[role, state, "notified"] = ready
                want[role, state, "notified"] = role == "facilitator"
    wrong = {key: (got[key], want[key]) for key in want if got[key] != want[key]}
    assert wrong == {}, f"(got, expected) where they differ: {wrong}"


def test_the_rule_and_its_queryset_agree(world: World, media_storage: Any) -> None:
    clips = [Clip.objects.select_related("call", "consent").get(pk=clip_in(s, world).pk) for s in STATES[:-1]]
    for role in ROLES:
        if role == "anonymous":
            continue
        membership = Membership.objects.filter(user=getattr(world, ACTOR_USERS[role]), cohort=world.cohort).first()
        if membership is None:  # another cohort's facilitator has no membership here
            continue
        visible = set(access.visible_clips(membership).values_list("pk", flat=True))
        for clip in clips:
            assert (clip.pk in visible) == any(access.may_see(membership, clip, a) for a in A), (role, clip.status)


def test_staff_of_a_released_clip_read_and_hear_only_the_redacted_forms(world: World, media_storage: Any) -> None:
    clip = clip_in("released", world)
    page = client_for(world.lena).get(url_of(clip, "clip", "")).content.decode()
    assert "My name is [redacted] and the rent" in page and "Jordan" not in page
    assert "released it to Irwell staff" in page
    assert url_of(clip, "redacted_media", "") in page and f'"{url_of(clip, "clip_media", "")}"' not in page
    assert (
        f'<track kind="captions" srclang="en" label="English (redacted)" default src="{url_of(clip, "redacted_captions", "")}">'
        in page
    )
    assert "/file/" not in page  # no original rendition, poster or unredacted captions
    captions = body(client_for(world.alice).get(url_of(clip, "redacted_captions", "")))
    assert "[redacted]" in captions and "Jordan" not in captions
    assert body(client_for(world.alice).get(url_of(clip, "redacted_media", ""))) == "redacted rendition"


def test_before_release_the_facilitator_page_says_only_facilitators_see_it(world: World, media_storage: Any) -> None:
    clip = clip_in("reviewed", world)
    page = client_for(world.fran).get(url_of(clip, "clip", "")).content.decode()
    assert "Not released: only facilitators see anything of this clip." in page
    assert "Jordan" in page  # the facilitator reads the whole transcript
