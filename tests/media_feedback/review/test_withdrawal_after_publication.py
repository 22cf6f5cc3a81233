"""A student withdraws a clip whose quote is published: at once a new version without the quote is
published, the old version and its PDF are gone for members, the facilitator is told, and nothing
a member can open, nor any text column of the database, nor any stored file holds the quote's words."""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cohort.models import Membership, Notification, hash_token
from media_feedback import notify
from media_feedback.models import Clip, FeedbackCall, Withdrawal
from media_feedback.review import services as review
from media_feedback.review.models import SummaryDocument
from tests.factories import CONFIRMED, World, client_for
from tests.media_feedback.review.factories import (  # noqa: F401
    make_call,
    make_clip,
    media_storage_fixture,
    membership_of,
    released,
    reviewed,
)

QUOTED = "Zephyrine mornings at Quillbridge halls were lonely and the rent took everything."
WORDS = ["Zephyrine", "Quillbridge"]
OTHER = "My tutor gave me an extension on my assignment when I was struggling with money."


@pytest.fixture
def fran_membership(world: World) -> Membership:
    return membership_of(world.fran, world.cohort)


@pytest.fixture
def published(world: World, fran_membership: Membership, media_storage: Path) -> tuple[SummaryDocument, Clip, str]:
    """A summary whose version 1 quotes a released clip (and another clip's quote), and the clip's
    receipt token as the student holds it."""
    fran = fran_membership
    call: FeedbackCall = make_call(world.cohort)
    wellbeing = world.cohort.framework.areas.get(slug="student-wellbeing")
    clip = released(reviewed(make_clip(call, world.irwell, QUOTED), world.fran), world.fran)
    token = secrets.token_urlsafe(16)
    Clip.objects.filter(pk=clip.pk).update(receipt_token_hash=hash_token(token))
    other = reviewed(make_clip(call, world.medlock, OTHER), world.fran)
    review.add_quote(fran, clip, wellbeing, 0, 4)
    review.add_quote(fran, other, wellbeing, 0, 5)
    document = review.create_summary(fran, call)
    # The facilitator copied the quote's words into other sections too: a recurring point and the
    # introduction's prose.
    body = document.body.replace(
        "## Introduction\n\n",
        "## Introduction\n\nOne student told us that zephyrine mornings at Quillbridge halls were lonely.\n\n",
    ).replace(
        "## Student wellbeing\n\n",
        "## Student wellbeing\n\nRecurring points:\n\n- “mornings at Quillbridge halls” (in 2 clips)\n- “money worries”\n\n",
    )
    review.update_draft(fran, document, title=document.title, body=body)
    review.publish_summary(fran, document)
    html = document.versions.get().html
    assert "Zephyrine mornings" in html and html.count("Quillbridge") == 3
    return document, clip, token


def summary_url(name: str, document: SummaryDocument, **extra: object) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": "gm", "document_id": document.pk, **extra})


def pdf_text(response: Any) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def database_text() -> str:
    """Every text, character and JSON column of every table, as one string."""
    kinds = (models.CharField, models.TextField, models.JSONField)
    chunks = []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if fields:
            chunks += [str(row) for row in model._default_manager.values_list(*fields)]
    return "\n".join(chunks)


def test_withdrawal_replaces_the_published_version_and_leaves_the_words_nowhere(
    world: World, published: tuple[SummaryDocument, Clip, str], media_storage: Path
) -> None:
    document, _clip, token = published
    Notification.objects.filter(user=world.fran).delete()

    page = Client().post(reverse("media_feedback:withdraw", kwargs={"token": token}), CONFIRMED)
    assert page.status_code == 200

    first, second = document.versions.order_by("number")
    assert first.taken_down_at is not None and second.taken_down_at is None
    history = client_for(world.bob).get(summary_url("summary_history", document)).content.decode()
    assert "A quote was removed at a student&#x27;s request." in history
    # The new version keeps the other quote and the rest of the sections; the words copied from the
    # withdrawn quote are gone from them (and from the draft).
    assert "My tutor gave me an extension" in second.html and "money worries" in second.html
    assert "One student told us that [removed at a student's request] were lonely." in second.html
    assert "mornings" not in second.html + second.source
    document.refresh_from_db()
    assert not any(w in document.body for w in WORDS) and "mornings" not in document.body
    # The facilitator is told.
    told = Notification.objects.filter(user=world.fran).values_list("title", flat=True)
    assert any("A quoted clip was withdrawn" in title for title in told)

    for user in (world.bob, world.alice, world.lena, world.alex, world.oscar, world.fran):
        client = client_for(user)
        old = client.get(summary_url("summary_version", document, number=1))
        assert old.status_code == 410 and "was replaced" in old.content.decode()
        assert client.get(summary_url("summary_pdf", document, number=1)).status_code == 404
        pages = [
            client.get(summary_url("summary_document", document), follow=True),
            client.get(summary_url("summary_version", document, number=2)),
            client.get(summary_url("summary_history", document)),
            client.get(reverse("media_feedback:summary_list", kwargs={"cohort": "gm"})),
            client.get(reverse("dashboard", kwargs={"cohort": "gm"})),
            client.get(reverse("cohort:notifications")),
        ]
        for response in pages:
            assert response.status_code == 200
            assert not any(w in response.content.decode() for w in WORDS)
        pdf = client.get(summary_url("summary_pdf", document, number=2))
        assert pdf.status_code == 200
        text = pdf_text(pdf)
        assert "extension" in text and not any(w in text for w in WORDS)

    assert not any(w in database_text() for w in WORDS)
    for path in media_storage.rglob("*"):
        if path.is_file():
            assert not any(w.encode() in path.read_bytes() for w in WORDS)


def test_a_link_to_the_withdrawn_clip_says_it_was_withdrawn(
    world: World, published: tuple[SummaryDocument, Clip, str]
) -> None:
    _, clip, _token = published
    url = reverse("media_feedback:clip", kwargs={"cohort": "gm", "clip_id": clip.public_id})
    notify.clip_ready(clip.pk)  # "A new clip from Irwell is ready", linking to the clip's page
    review.withdraw_clip(Clip.objects.select_related("call__cohort").get(pk=clip.pk))
    assert Withdrawal.objects.get().clip_public_id == clip.public_id
    ready = Notification.objects.get(user=world.fran, url=url)
    opened = client_for(world.fran).get(reverse("cohort:open_notification", args=[ready.pk]), follow=True)
    assert opened.status_code == 410
    response = client_for(world.fran).get(url)
    assert response.status_code == 410
    assert "This clip was withdrawn" in response.content.decode()
    # Nobody else learns anything of it.
    assert client_for(world.lena).get(url).status_code == 404
    assert client_for(world.olga).get(url.replace("/c/gm/", "/c/yorks/")).status_code == 404
