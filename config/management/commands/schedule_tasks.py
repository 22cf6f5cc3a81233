from __future__ import annotations

from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult

import cohort.assessment.tasks
import cohort.tasks
import config.retention
import config.tasks
import media_feedback.tasks
from cohort.periodic import SCHEDULE

# The modules whose periodic tasks are seeded here (importing them fills SCHEDULE).
TASK_MODULES = (cohort.tasks, cohort.assessment.tasks, config.retention, config.tasks, media_feedback.tasks)
PERIODIC = list(SCHEDULE.values())


class Command(BaseCommand):
    help = "Make sure every periodic task has a pending run (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        for task, first_run in SCHEDULE.values():
            if not task.get_backend().supports_defer:
                continue
            pending = DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()
            if not pending:
                task.using(run_after=first_run()).enqueue()
                self.stdout.write(f"scheduled {task.module_path}")
