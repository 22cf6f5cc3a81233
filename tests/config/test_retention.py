"""Retention is driven by the personal-data map: the retention task deletes what the map's
declarations say is due, the students' notice and the facilitators' page print the same
declarations, and changing a declaration changes what is deleted."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from config import notice, personal_data
from config.personal_data import REFUSAL_RETENTION, Retention, after
from config.retention import apply_retention
from media_feedback import services
from media_feedback.models import Clip, FeedbackCall, RefusedUpload, Transcript
from tests.factories import World, client_for
from tests.media_feedback.review.factories import (  # noqa: F401
    give_rendition,
    make_call,
    make_clip,
    media_storage_fixture,
)


def _refusal(call: FeedbackCall, days_old: int) -> RefusedUpload:
    return RefusedUpload.objects.create(
        call=call,
        receipt_token_hash=f"hash-{days_old}",
        reason="The file is not audio or video.",
        created_at=timezone.now() - timedelta(days=days_old),
    )


def _with_retention(monkeypatch: pytest.MonkeyPatch, model: str, field: str, rule: Retention) -> None:
    """The map, with one field's retention declaration changed."""
    holdings = []
    for holding in personal_data.HOLDINGS:
        if holding.model == model:
            fields = tuple(dataclasses.replace(f, retention=rule) if f.name == field else f for f in holding.fields)
            holding = dataclasses.replace(holding, fields=fields)
        holdings.append(holding)
    monkeypatch.setattr(personal_data, "HOLDINGS", tuple(holdings))
    monkeypatch.setattr(personal_data, "BY_MODEL", {h.model: h for h in holdings})
    monkeypatch.setattr(notice, "HOLDINGS", tuple(holdings))
    monkeypatch.setattr(notice, "BY_MODEL", {h.model: h for h in holdings})


def test_refusal_reasons_go_after_the_maps_period_and_a_shorter_declaration_deletes_more(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = make_call(world.cohort)
    _refusal(call, 2)
    _refusal(call, 10)
    assert REFUSAL_RETENTION.wording == "7 days after the file was refused"
    assert next(k for k in notice.notice_for(call).kept if k.model == "media_feedback.RefusedUpload").how_long == (
        "7 days after the file was refused"
    )
    assert apply_retention() == {"media_feedback.RefusedUpload": 1}
    assert list(RefusedUpload.objects.values_list("receipt_token_hash", flat=True)) == ["hash-2"]

    _with_retention(monkeypatch, "media_feedback.RefusedUpload", "reason", after(timedelta(days=1)))
    assert next(k for k in notice.notice_for(call).kept if k.model == "media_feedback.RefusedUpload").how_long == (
        "1 day"
    )
    assert apply_retention() == {"media_feedback.RefusedUpload": 1}
    assert not RefusedUpload.objects.exists()


def test_clips_go_with_their_files_the_calls_period_after_publication_and_the_map_can_change_that(
    world: World, media_storage: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = make_call(world.cohort)
    clip = give_rendition(make_clip(call, world.irwell), b"rendition")
    services.schedule_retention(call, timezone.now() - timedelta(days=89))
    assert apply_retention() == {}  # one more day to go
    assert apply_retention(now=timezone.now() + timedelta(days=1, seconds=1)) == {"media_feedback.Clip": 1}
    assert not Clip.objects.exists() and not Transcript.objects.exists()
    assert not default_storage.exists(clip.rendition_name)

    # Transcripts declared as kept 30 days from their clip's creation: a transcript goes then, on its own.
    other = make_call(world.cohort, "Leaving care week")
    old = make_clip(other, world.irwell)
    Clip.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    make_clip(other, world.irwell)
    assert apply_retention() == {}
    _with_retention(
        monkeypatch, "media_feedback.Transcript", "text", after(timedelta(days=30), since="clip__created_at")
    )
    assert apply_retention() == {"media_feedback.Transcript": 1}
    assert Clip.objects.count() == 2 and list(Transcript.objects.exclude(clip=old)) != []
    assert not Transcript.objects.filter(clip=old).exists()


def test_the_notice_and_the_retention_page_print_the_maps_declarations(world: World) -> None:
    call = make_call(world.cohort)
    page = Client().get(f"/s/{call.links.create(institution=world.irwell).token}/privacy/").content.decode()
    assert "Kept: 7 days after the file was refused." in page  # a refused file's reason
    assert "Kept: as long as the summary is kept." in page  # which quote a withdrawal removed
    facilitator = client_for(world.fran).get("/c/gm/clips/retention/").content.decode()
    rules = facilitator[facilitator.index('id="retention-rules"') :]
    assert "Refused uploads</td><td>7 days after the file was refused" in rules
    assert "Clips</td><td>Until the upload&#x27;s deadline if it is never finished" in rules
    assert "Summary documents</td><td>As long as the summary is kept (not deleted on a schedule)" in rules
