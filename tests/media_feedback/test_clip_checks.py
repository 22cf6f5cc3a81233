"""The checks: only real audio or video within the limits is kept; everything else is refused with a
clear reason and leaves no row and no stored byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from media_feedback.models import Clip, Consent, RefusedUpload
from tests.media_feedback.factories import consent, stored_files

pytestmark = pytest.mark.usefixtures("immediate_tasks")

BAD = {
    "renamed-executable.mp4": "not a recording we can play",
    "polyglot.mp4": "not a recording we can play",
    "archive.mp4": "not a recording we can play",
    "truncated.mp4": "not a recording we can play",
    "playlist.mp4": "not a recording we can play",
    "concat.mp4": "not a recording we can play",
    "too-long.wav": "longer than 1 minute",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_kept(
    name: str, media_files: dict[str, Path], irwell_link, media_root: Path, tus_put
) -> None:
    clip, receipt = consent(irwell_link)
    tus_put(clip, media_files[name].read_bytes())

    assert not Clip.objects.exists()
    assert not Consent.objects.exists()
    assert stored_files(media_root) == []
    page = Client().get(f"/my-clip/{receipt}/")
    assert page.status_code == 200
    assert BAD[name] in page.content.decode()
    assert "Nothing from this file has been kept" in page.content.decode()


def test_an_empty_file_is_refused_when_the_upload_starts(irwell_link, media_root: Path, tus_put) -> None:
    clip, receipt = consent(irwell_link)
    response = tus_put(clip, b"")
    assert response.status_code == 400
    assert "The file is empty" in response.content.decode()
    assert not Clip.objects.exists()
    assert stored_files(media_root) == []
    assert "The file is empty" in Client().get(f"/my-clip/{receipt}/").content.decode()


def test_a_file_over_the_size_limit_is_refused_before_a_byte_is_sent(irwell_link, media_root: Path, tus_put) -> None:
    clip, _receipt = consent(irwell_link)
    response = tus_put(clip, b"\0" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "larger than 5 MB" in response.content.decode()
    assert not Clip.objects.exists()
    assert RefusedUpload.objects.count() == 1
    assert stored_files(media_root) == []


def test_an_audio_only_call_refuses_a_video(irwell_link, media_files, media_root: Path, tus_put) -> None:
    irwell_link.call.allow_video = False
    irwell_link.call.save()
    clip, receipt = consent(irwell_link)
    tus_put(clip, media_files["speech.mp4"].read_bytes())
    assert not Clip.objects.exists()
    assert "asks for audio only" in Client().get(f"/my-clip/{receipt}/").content.decode()


def test_the_check_runs_in_a_child_process_that_is_stopped_at_its_time_limit(media_files: dict[str, Path]) -> None:
    from media_feedback import media

    limits: dict[str, Any] = {
        "max_seconds": 60,
        "max_bytes": 50 * 1024 * 1024,
        "allow_audio": True,
        "allow_video": True,
    }
    found = media.probe_isolated(media_files["speech.wav"], **limits)
    assert found.kind == "audio"
    assert found.duration == pytest.approx(media.probe(media_files["speech.wav"], **limits).duration)

    with pytest.raises(media.Refused, match="took too long to check"):
        media.probe_isolated(media_files["speech.mp4"], **limits, time_limit=0.05)

    with pytest.raises(media.Refused, match="not a recording we can play"):
        media.probe_isolated(media_files["polyglot.mp4"], **limits)
