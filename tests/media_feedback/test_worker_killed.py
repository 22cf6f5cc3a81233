"""A task worker killed in the middle of processing a clip: after a worker is back and the periodic
recovery has run, the clip finishes, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from media_feedback import tasks
from media_feedback.models import Clip, Transcript
from media_feedback.tasks import process_clip
from tests.discussions.test_two_processes import _database_url
from tests.media_feedback.factories import consent

pytestmark = pytest.mark.django_db(transaction=True)

BUSY = {Clip.Status.CHECKING, Clip.Status.TRANSCODING, Clip.Status.TRANSCRIBING}


def start_worker(media_root: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=_database_url(), MEDIA_ROOT=str(media_root), DEBUG="1",
               TASKS_BACKEND="django_tasks_db.DatabaseBackend", LOG_LEVEL="WARNING")  # fmt: skip
    for name in ("PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_a_clip_whose_worker_was_killed_finishes_once_after_restart(
    settings, irwell_link, media_files, media_root, tus_put
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    clip, _receipt = consent(irwell_link)
    tus_put(clip, media_files["speech.mp4"].read_bytes())  # the last chunk queues the pipeline

    worker = start_worker(media_root)
    try:
        wait_for(lambda: Clip.objects.get(pk=clip.pk).status in BUSY, 120, "the worker to start on the clip")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    stuck = Clip.objects.get(pk=clip.pk)
    assert stuck.status in BUSY  # nothing finished it

    worker = start_worker(media_root)
    try:
        # The periodic clean-up finds clips busy for too long and queues them again.
        later = timezone.now() + tasks.STUCK_AFTER + timedelta(minutes=1)
        assert tasks.stuck_clips(now=later) == [clip.pk]
        process_clip.enqueue(clip.pk)
        done = wait_for(
            lambda: (c := Clip.objects.get(pk=clip.pk)).status in {Clip.Status.READY, Clip.Status.FAILED} and c,
            180,
            "the clip to finish",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert done.status == Clip.Status.READY, done.failure_reason
    assert Transcript.objects.filter(clip=clip).count() == 1
    assert "college" in done.transcript.text.lower()  # the fixture says "…at my college helped me…"
