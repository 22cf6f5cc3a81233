"""Periodic jobs survive failure: the next run is queued before the work starts, e-mail goes through
the queue with retries, and a job that keeps failing is reported (finding 11 of issue 17).

These run the real database task queue with `manage.py db_worker --batch` in the process, a real SMTP
server (aiosmtpd) and a real S3 client against an address where no store answers."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from botocore.config import Config
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cohort.mail import deliver_mail
from cohort.models import Delivery, Notification, NotificationPreference, OutgoingMail, PeriodicJob
from cohort.notifications import notify
from cohort.periodic import REPORT_AFTER
from cohort.tasks import send_daily_digests
from config.tasks import remove_orphaned_files
from tests.local_servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    """Run every task that is due, as `manage.py db_worker` does, then stop."""
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)


def pending(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path, status="READY"))


def time_passes(task) -> None:
    """Make the task's pending runs due now (as if their time had come)."""
    DBTaskResult.objects.filter(task_path=task.module_path, status="READY").update(run_after=timezone.now())


def _subject(raw: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(raw)["Subject"])))


def test_digests_keep_running_after_the_mail_server_refuses_and_the_mail_arrives_on_retry(world, mail_server) -> None:
    """Finding 11: an SMTP error inside the digest stopped it and lost the e-mail (its notifications were
    already marked sent). Now the digest queues its e-mails and schedules tomorrow's run before working;
    the refused e-mail is retried and delivered once the server accepts."""
    NotificationPreference.objects.create(user=world.alice, kind="discussion", delivery=Delivery.DIGEST)
    notify([world.alice], kind="discussion", title="A reply to your thread", url="/")
    mail_server.refusing = True
    send_daily_digests.enqueue()
    run_worker()

    assert mail_server.refused == 1 and mail_server.received == []
    [next_digest] = pending(send_daily_digests)
    assert next_digest.run_after > timezone.now() + timedelta(minutes=1)  # tomorrow's run is queued
    waiting = OutgoingMail.objects.get()
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "SMTPDataError 451")
    assert len(pending(deliver_mail)) == 1  # its retry, a minute later

    mail_server.refusing = False
    time_passes(deliver_mail)
    run_worker()
    [(to, raw)] = mail_server.received
    assert to == [world.alice.email] and _subject(raw) == "A reply to your thread"
    assert not OutgoingMail.objects.exists()

    # The next day's digest runs as usual.
    notify([world.alice], kind="discussion", title="Another reply", url="/")
    time_passes(send_daily_digests)
    run_worker()
    assert [_subject(raw) for _, raw in mail_server.received] == ["A reply to your thread", "Another reply"]
    assert len(pending(send_daily_digests)) == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_job_that_keeps_failing_stays_scheduled_and_is_reported_once(world, settings) -> None:
    """Finding 11: the orphan sweep with its object store down fails every run, keeps its schedule, and
    after three failures in a row the operator and the facilitators are told, once."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "clips",
                "endpoint_url": f"http://127.0.0.1:{free_port()}",  # nothing listens here
                "access_key": "test",
                "secret_key": "test-secret",
                "region_name": "us-east-1",
                "client_config": Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1),
            },
        },
    }
    world.oscar.is_superuser = True
    world.oscar.save(update_fields=["is_superuser"])
    remove_orphaned_files.enqueue()
    for run in range(1, REPORT_AFTER + 2):
        run_worker()
        job = PeriodicJob.objects.get(name=remove_orphaned_files.module_path)
        assert job.failures_in_a_row == run and job.last_error == "EndpointConnectionError"
        assert len(pending(remove_orphaned_files)) == 1  # still scheduled, whatever happened
        time_passes(remove_orphaned_files)

    reports = [m for m in mail.outbox if "keeps failing" in m.subject]
    assert sorted(m.to[0] for m in reports) == sorted([world.oscar.email, world.fran.email, world.olga.email])
    assert "has failed 3 times in a row" in reports[0].body and "EndpointConnectionError" in reports[0].body
    assert "still scheduled" in reports[0].body
