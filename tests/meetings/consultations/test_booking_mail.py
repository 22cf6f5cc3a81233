"""A booking never depends on the mail server: its invitations wait in the queue (finding 11 of issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from cohort.mail import deliver_mail
from cohort.models import OutgoingMail
from meetings.consultations.models import Consultation
from tests.factories import client_for
from tests.local_servers import free_port
from tests.meetings.consultations.factories import make_settings

pytestmark = pytest.mark.django_db


def test_a_booking_made_while_the_mail_server_is_down_is_saved_and_its_invitations_wait(
    world, settings, django_capture_on_commit_callbacks
) -> None:
    """Finding 11: consultation e-mails were sent inside the request, so an SMTP failure turned a
    committed booking into a 500. Now the booking answers as usual and both invitations are queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "use_tls": False, "timeout": 2},  # nothing listens
        }
    }
    make_settings(world.cohort, world.alex)
    monday = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    with time_machine.travel(monday, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.lena).post(
            reverse("meetings:consultation_book", kwargs={"cohort": world.cohort.slug}),
            {"starts_at": "2026-10-21T08:00:00+00:00", "topic": "Our admissions data"},
        )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/consultations/{consultation.pk}/")
    assert mail.outbox == []
    queued = OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING)
    assert sorted(m.payload["to"][0] for m in queued) == sorted([world.alex.email, world.lena.email])
    assert all(m.subject.startswith("Consultation booked") for m in queued)
    assert DBTaskResult.objects.filter(task_path=deliver_mail.module_path, status="READY").count() == 2
