"""Clip fixtures: real speech media (made once per session), a private media root per test, an open
feedback call with a link per institution, and a real tus client (tuspy) talking to a live server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from cohort.access import get_membership
from media_feedback import services
from media_feedback.models import MB, CallLink, Clip, FeedbackCall
from tests.factories import World
from tests.media_feedback.factories import consent, tus_client_upload
from tests.media_feedback.make_fixtures import make_all
from tests.services import missing


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """A student page activates its call's language for the thread (media_feedback.language); the next
    test starts from the default again, as the next request would."""
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def media_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("espeak-ng") is None:
        missing("the clip tests need espeak-ng for real speech (apt-get install espeak-ng)")
    return make_all(tmp_path_factory.mktemp("clip-fixtures"))


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        },
    }
    return root


@pytest.fixture
def feedback_call(world: World, media_root: Path) -> FeedbackCall:
    now = timezone.now()
    return services.open_call(
        get_membership(world.fran, world.cohort.slug),
        title="How was your first year?",
        questions="What helped you most?\nWhat would you change?",
        areas=[],
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=14),
        max_seconds=60,
        max_bytes=5 * MB,
    )


@pytest.fixture
def irwell_link(feedback_call: FeedbackCall, world: World) -> CallLink:
    return feedback_call.links.get(institution=world.irwell)


@pytest.fixture
def immediate_tasks(settings: Any) -> Iterator[None]:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    yield


@pytest.fixture
def tus_put(django_capture_on_commit_callbacks: Any) -> Any:
    """Upload through the tus endpoint with Django's test client, running on-commit work (the
    pipeline task) as a committed request would."""

    def put(
        clip: Clip, data: bytes, *, chunk: int = 256 * 1024, client: Any = None, language: str | None = None
    ) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return tus_client_upload(client or Client(), clip, data, chunk=chunk, language=language)

    return put


@pytest.fixture(scope="session")
def rendered(media_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The web rendition of the speech video, made once per session for tests about what follows."""
    from media_feedback import media

    return media.transcode(media_files["speech.mp4"], tmp_path_factory.mktemp("rendered"), "video")


@pytest.fixture
def make_ready_clip(rendered: Any, media_root: Path) -> Any:
    """A clip as the pipeline leaves it (files in the store, transcript row), without running it."""
    from django.utils import timezone

    from media_feedback import storage
    from media_feedback.models import Transcript
    from media_feedback.tasks import webvtt
    from tests.media_feedback.make_fixtures import SENTENCE

    def make(link: CallLink, *, share: bool = True) -> tuple[Clip, str]:
        clip, receipt = consent(link, share=share)
        prefix = clip.storage_prefix
        words: list[dict[str, Any]] = [
            {"word": w, "start": round(i * 0.35, 2), "end": round(i * 0.35 + 0.3, 2)}
            for i, w in enumerate(SENTENCE.split())
        ]
        captions = media_root / "captions.tmp"
        captions.write_text(webvtt(words))
        clip.rendition_name = storage.put(f"{prefix}rendition.mp4", rendered.path)
        clip.poster_name = storage.put(f"{prefix}poster.jpg", rendered.poster)
        clip.captions_name = storage.put(f"{prefix}captions.vtt", captions)
        captions.unlink()
        clip.waveform = rendered.peaks
        clip.kind, clip.duration_seconds, clip.transcribed = "video", rendered.duration, True
        clip.status, clip.ready_at, clip.upload_expires_at = Clip.Status.READY, timezone.now(), None
        clip.save()
        Transcript.objects.create(clip=clip, words=words, text=SENTENCE)
        return clip, receipt

    return make
