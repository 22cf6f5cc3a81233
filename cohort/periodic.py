"""Tasks that run on a schedule: each run enqueues the next, so exactly one pending run exists.

`manage.py schedule_tasks` seeds the first run of every task in `SCHEDULE` (idempotent); a task
decorated here reschedules itself after each run, whether the run succeeded or failed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.tasks import Task, task

# module path of the task -> (the task, when its next run is due)
SCHEDULE: dict[str, tuple[Task, Callable[[], datetime]]] = {}


def periodic(next_run: Callable[[], datetime]) -> Callable[[Callable[[], Any]], Task]:
    def decorate(func: Callable[[], Any]) -> Task:
        @functools.wraps(func)
        def run() -> Any:
            try:
                return func()
            finally:
                if the_task.get_backend().supports_defer:
                    the_task.using(run_after=next_run()).enqueue()

        the_task = task()(run)
        SCHEDULE[the_task.module_path] = (the_task, next_run)
        return the_task

    return decorate
