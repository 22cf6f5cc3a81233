"""Tasks that run on a schedule: each run first enqueues the next, so exactly one pending run exists
and no failure ends the schedule (a run that raises, a worker killed half-way through).

`manage.py schedule_tasks` seeds the first run of every task in `SCHEDULE` (idempotent). Each run's
outcome is kept in `PeriodicJob` (the admin shows it); when a job has failed `REPORT_AFTER` runs in a
row, the operators (superusers) and the facilitators are e-mailed once, through the mail queue.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.tasks import Task, task
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cohort import i18n
from cohort.mail import send_later
from cohort.models import PeriodicJob, Role, User

log = logging.getLogger(__name__)

REPORT_AFTER = 3

# module path of the task -> (the task, when its next run is due)
SCHEDULE: dict[str, tuple[Task, Callable[[], datetime]]] = {}


def periodic(next_run: Callable[[], datetime]) -> Callable[[Callable[[], Any]], Task]:
    def decorate(func: Callable[[], Any]) -> Task:
        label = func.__name__.replace("_", " ")

        @functools.wraps(func)
        def run() -> Any:
            next_at = next_run()
            if the_task.get_backend().supports_defer:
                the_task.using(run_after=next_at).enqueue()
            _started(the_task.module_path)
            try:
                result = func()
            except Exception as error:
                _failed(the_task.module_path, label, error, next_at)
                raise
            _succeeded(the_task.module_path)
            return result

        the_task = task()(run)
        SCHEDULE[the_task.module_path] = (the_task, next_run)
        return the_task

    return decorate


def _started(name: str) -> None:
    PeriodicJob.objects.update_or_create(name=name, defaults={"last_started_at": timezone.now()})


def _succeeded(name: str) -> None:
    PeriodicJob.objects.filter(name=name).update(
        last_succeeded_at=timezone.now(), failures_in_a_row=0, reported_at=None
    )


def _failed(name: str, label: str, error: Exception, next_at: datetime) -> None:
    now = timezone.now()
    code = getattr(error, "smtp_code", None)
    summary = f"{type(error).__name__}{f' {code}' if code else ''}"  # not its text: it may carry personal data
    with transaction.atomic():
        job, _created = PeriodicJob.objects.select_for_update().get_or_create(name=name)
        job.failures_in_a_row += 1
        job.last_failed_at = now
        job.last_error = summary
        report = job.failures_in_a_row >= REPORT_AFTER and job.reported_at is None
        if report:
            job.reported_at = now
        job.save(update_fields=["failures_in_a_row", "last_failed_at", "last_error", "reported_at"])
        log.error("periodic job %s failed (%s), %d runs in a row", name, summary, job.failures_in_a_row)
        if report:
            _report(job, label, next_at)


def _report(job: PeriodicJob, label: str, next_at: datetime) -> None:
    """Tell the people who can act (the operator fixes the server; facilitators know why mail is late)."""
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(memberships__role=Role.FACILITATOR))
        .distinct()
        .order_by("pk")
    )
    for person in people:
        context = {"job": job, "label": label, "person": person, "next_at": next_at}
        with i18n.in_language_of(person):
            subject = _("QM Cohort: the scheduled job “%(job)s” keeps failing") % {"job": label}
            body = render_to_string("cohort/email/job_failing.txt", context)
        send_later(EmailMessage(subject, body, to=[person.email]))
