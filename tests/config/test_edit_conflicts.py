"""Two people (or two tabs) editing the same text: the second save, based on the older version, is
refused with 409; the page shows who saved what and when beside the text as typed, which is kept;
nothing of the refused save is written; saving again from that page succeeds (cohort.editing)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohort import editing
from cohort.assessment import services as assessment
from cohort.models import DataDefinition, NarrativeRevision, Role, User
from discussions.models import Post
from media_feedback.models import Transcript
from media_feedback.review import services as review
from media_feedback.review.models import SummaryDocument
from meetings import services as meeting_services
from meetings.consultations.models import Consultation
from meetings.models import Meeting
from tests import factories
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.discussions.factories import start
from tests.factories import World, client_for
from tests.media_feedback.review.factories import (  # noqa: F401 - media_storage is a fixture
    make_call,
    make_clip,
    media_storage_fixture,
    membership_of,
)
from tests.meetings.consultations.factories import make_consultation

pytestmark = pytest.mark.django_db


def based_on(page: str, prefix: str = "") -> str:
    found = re.search(rf'name="{prefix}based_on" value="([0-9a-f]+)"', page)
    assert found, "the edit form carries no version"
    return found[1]


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@dataclass
class Edit:
    """One edit form. `setup` makes what it edits and returns the case's context (`first` and
    `second`: who saves first and who second, two people of the same scope); from it, where the form
    is shown and posted, the rest of a post, and the stored text."""

    setup: Callable[[World], dict[str, Any]]
    page: Callable[[dict[str, Any]], str]
    post: Callable[[dict[str, Any]], str]
    field: str
    stored: Callable[[dict[str, Any]], str]
    extra: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    prefix: str = ""
    anonymous: bool = False  # the row records when it was saved, not who saved it


def _second_facilitator(w: World) -> User:
    user = factories.make_user("Faith", totp=True)
    factories.member(user, w.cohort, Role.FACILITATOR)
    return user


def _narrative_case(w: World) -> dict[str, Any]:
    c = criterion(w.cohort, "1.1")
    kwargs = {"cohort": w.cohort.slug, "institution": w.irwell.slug, "criterion_id": c.pk}
    return {"first": w.lena, "second": w.alice, "world": w, "criterion": c, "kwargs": kwargs}


def _narrative(ctx: dict[str, Any]) -> str:
    w = ctx["world"]
    return assessment.response_for(self_assessment(w.cohort, w.irwell), ctx["criterion"]).narrative


def _summary_case(w: World) -> dict[str, Any]:
    document = review.create_summary(membership_of(w.fran, w.cohort), make_call(w.cohort))
    kwargs = {"cohort": w.cohort.slug, "document_id": document.pk}
    return {"first": w.fran, "second": _second_facilitator(w), "document": document, "kwargs": kwargs}


def _minutes_case(w: World) -> dict[str, Any]:
    series = meeting_services.create_series(
        membership_of(w.fran, w.cohort),
        title="Group meeting",
        starts_on=timezone.localdate(),
        time_of_day=time(10),
        count=1,
    )
    meeting = series.meetings.get()
    kwargs = {"cohort": w.cohort.slug, "meeting_id": meeting.pk}
    return {"first": w.fran, "second": _second_facilitator(w), "meeting": meeting, "kwargs": kwargs}


def _notes_case(w: World) -> dict[str, Any]:
    consultation = make_consultation(w.cohort, w.alex, w.irwell, starts_at=timezone.now() - timedelta(hours=2))
    kwargs = {"cohort": w.cohort.slug, "consultation_id": consultation.pk}
    return {"first": w.alex, "second": w.fran, "consultation": consultation, "kwargs": kwargs}


def _post_case(w: World) -> dict[str, Any]:
    post = start(w.alice, w.cohort).posts.get()
    kwargs = {"cohort": w.cohort.slug, "post_id": post.pk}
    return {"first": w.alice, "second": w.fran, "post": post, "kwargs": kwargs, "anonymous": True}


def _transcript_case(w: World) -> dict[str, Any]:
    clip = make_clip(make_call(w.cohort), w.irwell, "The rent in halls was hard at Christmas.")
    kwargs = {"cohort": w.cohort.slug, "clip_id": clip.public_id}
    return {"first": w.fran, "second": _second_facilitator(w), "clip": clip, "kwargs": kwargs, "anonymous": True}


EDITS: dict[str, Edit] = {
    "narrative": Edit(
        setup=_narrative_case,
        page=lambda ctx: reverse("cohort:criterion", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("cohort:save_narrative", kwargs=ctx["kwargs"]),
        field="narrative",
        stored=_narrative,
    ),
    "summary": Edit(
        setup=_summary_case,
        page=lambda ctx: reverse("media_feedback:edit_summary", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("media_feedback:edit_summary", kwargs=ctx["kwargs"]),
        field="body",
        extra=lambda ctx: {"title": "What students told us", "title_cy": "", "body_cy": ""},
        stored=lambda ctx: SummaryDocument.objects.get(pk=ctx["document"].pk).body,
    ),
    "minutes": Edit(
        setup=_minutes_case,
        page=lambda ctx: reverse("meetings:meeting", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("meetings:save_minutes", kwargs=ctx["kwargs"]),
        field="minutes",
        stored=lambda ctx: Meeting.objects.get(pk=ctx["meeting"].pk).minutes,
    ),
    "consultation notes": Edit(
        setup=_notes_case,
        page=lambda ctx: reverse("meetings:consultation_notes", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("meetings:consultation_notes", kwargs=ctx["kwargs"]),
        field="notes",
        extra=lambda ctx: {
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-title": "Typed action",
        },
        stored=lambda ctx: Consultation.objects.get(pk=ctx["consultation"].pk).notes,
    ),
    "discussion post": Edit(
        setup=_post_case,
        page=lambda ctx: reverse("discussions:edit_post", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("discussions:edit_post", kwargs=ctx["kwargs"]),
        field="body",
        stored=lambda ctx: Post.objects.get(pk=ctx["post"].pk).body,
    ),
    "meeting details": Edit(
        setup=_minutes_case,
        page=lambda ctx: reverse("meetings:edit_meeting", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("meetings:edit_meeting", kwargs=ctx["kwargs"]),
        field="title",
        extra=lambda ctx: {
            k: v for k, v in Meeting.objects.get(pk=ctx["meeting"].pk).edited_values().items() if k != "title"
        },
        stored=lambda ctx: Meeting.objects.get(pk=ctx["meeting"].pk).title,
        anonymous=True,
    ),
    "data definitions": Edit(
        setup=lambda w: {
            "first": w.lena,
            "second": w.fran,
            "world": w,
            "kwargs": {"cohort": w.cohort.slug, "institution": w.irwell.slug},
        },
        page=lambda ctx: reverse("cohort:data_definition", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("cohort:data_definition", kwargs=ctx["kwargs"]),
        field="care_experienced",
        extra=lambda ctx: {"estranged": "", "data_sources": ""},
        stored=lambda ctx: DataDefinition.objects.get(institution=ctx["world"].irwell).care_experienced,
    ),
    "transcript": Edit(
        setup=_transcript_case,
        page=lambda ctx: reverse("media_feedback:review_clip", kwargs=ctx["kwargs"]),
        post=lambda ctx: reverse("media_feedback:correct_transcript", kwargs=ctx["kwargs"]),
        field="text",
        stored=lambda ctx: Transcript.objects.get(clip=ctx["clip"]).text,
    ),
}


# Each versioned form (cohort.forms.SharedTextEdit) and its case above: tests/config/test_form_contract.py
# fails for a versioned form without one.
FORM_CASES = {
    "cohort.assessment.forms.NarrativeForm": "narrative",
    "media_feedback.review.forms.SummaryForm": "summary",
    "meetings.forms.MinutesForm": "minutes",
    "meetings.consultations.forms.NotesForm": "consultation notes",
    "discussions.forms.EditPostForm": "discussion post",
    "media_feedback.review.forms.TranscriptForm": "transcript",
    "cohort.assessment.forms.DataDefinitionForm": "data definitions",
    "meetings.forms.MeetingForm": "meeting details",
}


def _open(client: Client, edit: Edit, ctx: dict[str, Any]) -> str:
    response = client.get(edit.page(ctx))
    assert response.status_code == 200
    return based_on(response.content.decode(), edit.prefix)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_save_based_on_an_older_version_is_refused_shows_theirs_and_keeps_what_was_typed(
    name, world, media_storage
) -> None:
    edit = EDITS[name]
    ctx = edit.setup(world)
    first, second = client_for(ctx["first"]), client_for(ctx["second"])
    tab_a, tab_b = _open(first, edit, ctx), _open(second, edit, ctx)
    assert tab_a == tab_b
    key = f"{edit.prefix}{edit.field}"

    saved = first.post(edit.post(ctx), {**edit.extra(ctx), key: "TAB-A wrote this first", "based_on": tab_a})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert edit.stored(ctx) == "TAB-A wrote this first"

    before = _counts()
    refused = second.post(
        edit.post(ctx), {**edit.extra(ctx), key: "TAB-B typed this — ü", f"{edit.prefix}based_on": tab_b}
    )
    assert refused.status_code == 409
    page = refused.content.decode()
    if ctx.get("anonymous") or edit.anonymous:  # the row records when, not who
        assert "This text was saved again at" in page
    else:
        assert f"{html.escape(str(ctx['first']))} saved this text at" in page  # who, and when
    assert ">TAB-A wrote this first</textarea>" in page  # their text, beside…
    typed = html.escape("TAB-B typed this — ü")
    assert f"{typed}</textarea>" in page or f'value="{typed}"' in page  # …what was typed, kept in the form
    assert edit.stored(ctx) == "TAB-A wrote this first"  # nothing of the refused save
    assert _counts() == before

    # The refused page is based on the version now stored: saving the merged text succeeds.
    merged = "TAB-A wrote this first\nTAB-B typed this"
    again = second.post(
        edit.post(ctx), {**edit.extra(ctx), key: merged, f"{edit.prefix}based_on": based_on(page, edit.prefix)}
    )
    assert again.status_code == 302
    assert edit.stored(ctx).split() == merged.split()  # a transcript keeps words, not line breaks


def test_a_narrative_refused_as_stale_keeps_the_first_writers_revision_only(world) -> None:
    edit = EDITS["narrative"]
    ctx = edit.setup(world)
    lena, alice = client_for(world.lena), client_for(world.alice)
    tab_a, tab_b = _open(lena, edit, ctx), _open(alice, edit, ctx)
    lena.post(edit.post(ctx), {"narrative": "TAB-A", "based_on": tab_a})
    alice.post(edit.post(ctx), {"narrative": "TAB-B", "based_on": tab_b})
    assert list(NarrativeRevision.objects.values_list("narrative", flat=True)) == ["TAB-A"]


def test_every_case_is_named_for_its_form() -> None:
    assert set(FORM_CASES.values()) == set(EDITS)


def test_a_change_to_the_row_that_leaves_the_text_alone_refuses_nothing(world) -> None:
    # Evidence added meanwhile moves the response's updated_at and status, not its narrative.
    edit = EDITS["narrative"]
    ctx = edit.setup(world)
    lena, alice = client_for(world.lena), client_for(world.alice)
    tab = _open(alice, edit, ctx)
    added = lena.post(
        reverse("cohort:add_evidence", kwargs=ctx["kwargs"]),
        {"title": "Board paper", "dated": "2025-07-14", "link": "https://irwell.example/b"},
    )
    assert added.status_code == 302
    saved = alice.post(edit.post(ctx), {"narrative": "Alice's narrative", "based_on": tab})
    assert saved.status_code == 302
    assert _narrative(ctx) == "Alice's narrative"


def test_the_version_is_of_the_text_as_a_browser_sends_it_back() -> None:
    assert editing.fingerprint_of(["Line one\r\nLine two  "]) == editing.fingerprint_of(["Line one\nLine two"])
    assert editing.fingerprint_of(["a", "b"]) != editing.fingerprint_of(["ab", ""])
    assert editing.fingerprint_of(["TAB-A"]) != editing.fingerprint_of(["TAB-B"])


def test_a_save_that_says_no_version_is_not_checked(world) -> None:
    ctx = EDITS["narrative"].setup(world)
    saved = client_for(world.alice).post(EDITS["narrative"].post(ctx), {"narrative": "From a script"})
    assert saved.status_code == 302
    assert _narrative(ctx) == "From a script"
