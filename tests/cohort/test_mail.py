"""Every e-mail goes through the queue (cohort.mail.send_later): nothing is sent inside a request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from cohort.mail import deliver_mail, dump_message, load_message
from cohort.models import OutgoingMail
from meetings.calendar import build_calendar
from tests.factories import client_for

APPS = ("cohort", "config", "meetings", "discussions", "media_feedback")
SENDERS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "get_connection", "mailers"}


def _direct_sends(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module == "django.core.mail":
            found += [f"imports {a.name}" for a in node.names if a.name in SENDERS]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            keywords = {k.arg for k in node.keywords}
            message_send = node.func.attr == "send" and not node.args and keywords <= {"fail_silently"}
            if message_send or node.func.attr == "send_messages":
                found.append(f"calls .{node.func.attr}() on line {node.lineno}")
    return [f"{path.relative_to(settings.BASE_DIR)}: {what}" for what in found]


def test_no_code_sends_email_except_through_the_queue() -> None:
    """Finding 4 and 11: one way to send e-mail. A new direct send_mail / EmailMessage.send fails here."""
    offenders = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" not in path.parts and path != Path(settings.BASE_DIR) / "cohort" / "mail.py":
                offenders += _direct_sends(path)
    assert offenders == [], "send e-mail with cohort.mail.send_later instead"


def test_a_message_with_a_calendar_attachment_survives_the_queue_unchanged() -> None:
    ics = build_calendar([])
    message = EmailMultiAlternatives("Invitation", "Body", to=["a@example.org"], cc=["b@example.org"])
    message.attach_alternative("<p>Body</p>", "text/html")
    message.attach("invite.ics", ics, "text/calendar; charset=utf-8; method=REQUEST")
    message.attach("notes.bin", b"\x00\xff", "application/octet-stream")
    again = load_message(dump_message(message))
    assert again.message().as_bytes().count(b"BEGIN:VCALENDAR") == 1
    assert (again.subject, again.body, again.to, again.cc) == (
        "Invitation",
        "Body",
        ["a@example.org"],
        ["b@example.org"],
    )
    assert again.alternatives == message.alternatives
    assert [a.content for a in again.attachments][1] == b"\x00\xff"


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_email_waits_in_the_queue_and_the_worker_sends_it(world, settings) -> None:
    """allauth's e-mails go through the same queue: the request only writes the message."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client_for(None).post(reverse("account_reset_password"), {"email": world.alice.email})
    assert response.status_code == 302
    assert mail.outbox == []
    queued = OutgoingMail.objects.get()
    assert "Password Reset" in queued.subject
    assert DBTaskResult.objects.filter(task_path=deliver_mail.module_path, status="READY").count() == 1

    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    assert [m.to for m in mail.outbox] == [[world.alice.email]]
    assert not OutgoingMail.objects.exists()  # deleted once sent: no copy of the message is kept
