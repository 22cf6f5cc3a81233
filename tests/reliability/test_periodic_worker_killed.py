"""A task worker killed in the middle of a periodic job (finding 11 of issue 17): the job's next run
was queued before the work started, so the schedule survives the kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django_tasks_db.models import DBTaskResult

from config.tasks import remove_orphaned_files
from tests.discussions.test_two_processes import _database_url

pytestmark = pytest.mark.django_db(transaction=True)


def _statuses() -> list[str]:
    return list(
        DBTaskResult.objects.filter(task_path=remove_orphaned_files.module_path).values_list("status", flat=True)
    )


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_periodic_job_killed_mid_run_keeps_its_next_run(settings) -> None:
    """Finding 11: the orphan sweep rescheduled itself only when its run ended, so a worker killed while
    the object store hung ended the schedule until the next deploy."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with socket.socket() as store:  # an object store that accepts connections and never answers
        store.bind(("127.0.0.1", 0))
        store.listen(16)
        remove_orphaned_files.enqueue()
        env = dict(os.environ, DATABASE_URL=_database_url(), DEBUG="1", LOG_LEVEL="WARNING",
                   TASKS_BACKEND="django_tasks_db.DatabaseBackend", AWS_STORAGE_BUCKET_NAME="clips",
                   AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{store.getsockname()[1]}", AWS_S3_REGION_NAME="us-east-1",
                   AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test-secret")  # fmt: skip
        for name in ("PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert _wait(lambda: "RUNNING" in _statuses(), 60), "the worker never started the sweep"
            _wait(lambda: "READY" in _statuses(), 5)  # the next run, queued as the run starts
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
    assert sorted(_statuses()) == ["READY", "RUNNING"]  # the killed run, and the next one still to come
