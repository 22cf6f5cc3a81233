from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.core.management.base import BaseCommand
from django.tasks import Task
from django_tasks_db.models import DBTaskResult

from cohort.tasks import next_digest_time, next_reminder_time, send_award_reminders, send_daily_digests
from config.tasks import next_orphan_sweep, remove_orphaned_files
from media_feedback.tasks import clean_up_clips, next_cleanup_time

# Tasks that reschedule themselves: each needs one pending run. (task, when its first run is due)
PERIODIC: list[tuple[Task, Callable[[], datetime]]] = [
    (send_daily_digests, next_digest_time),
    (send_award_reminders, next_reminder_time),
    (clean_up_clips, next_cleanup_time),
    (remove_orphaned_files, next_orphan_sweep),
]


class Command(BaseCommand):
    help = "Make sure every periodic task has a pending run (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        for task, first_run in PERIODIC:
            if not task.get_backend().supports_defer:
                continue
            pending = DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()
            if not pending:
                task.using(run_after=first_run()).enqueue()
                self.stdout.write(f"scheduled {task.module_path}")
