"""Every e-mail the product sends goes through `send_later`: the message is written to the database in
the caller's transaction and the task worker sends it after commit, retrying with a growing pause
when the mail server refuses or is down. So a request never waits for SMTP, a mail server outage
never turns a saved change into an error page, and a rolled-back change sends nothing.

    send_later(EmailMessage(subject, body, to=[user.email]))

Nothing else calls `EmailMessage.send` or `send_mail` (tests/cohort/test_mail.py fails the suite
if something does).
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone

from cohort.models import OutgoingMail

log = logging.getLogger(__name__)

# The pause before each retry; after the last one the e-mail has failed for good (about a day in all).
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=16),
)


def send_later(message: EmailMessage) -> OutgoingMail:
    """Queue the message. The row and its task (in the database task queue) are written in the
    caller's transaction, so the worker sees them only once it commits, and never if it rolls back."""
    row = OutgoingMail.objects.create(
        subject=str(message.subject)[:300],
        recipient_count=len(message.recipients()),
        payload=dump_message(message),
    )
    deliver_mail.enqueue(row.pk)
    return row


@task()
def deliver_mail(mail_id: int) -> bool:
    """Send one queued e-mail; on failure, queue the next attempt (or give up after the last)."""
    row = OutgoingMail.objects.filter(pk=mail_id, status=OutgoingMail.Status.PENDING).first()
    if row is None:  # sent already, or given up
        return False
    try:
        load_message(row.payload).send()
    except Exception as error:
        _attempt_failed(row, error)
        return False
    row.delete()
    return True


def _attempt_failed(row: OutgoingMail, error: Exception) -> None:
    # The error's type and SMTP code only: its text may carry an address.
    code = getattr(error, "smtp_code", None)
    row.last_error = f"{type(error).__name__}{f' {code}' if code else ''}"
    row.attempts += 1
    if row.attempts > len(RETRY_AFTER) or not deliver_mail.get_backend().supports_defer:
        row.status = OutgoingMail.Status.FAILED
        row.payload = {}
        row.next_attempt_at = None
        row.save(update_fields=["last_error", "attempts", "status", "payload", "next_attempt_at"])
        log.error("e-mail %s failed for good after %d attempts (%s)", row.pk, row.attempts, row.last_error)
        return
    row.next_attempt_at = timezone.now() + RETRY_AFTER[row.attempts - 1]
    row.save(update_fields=["last_error", "attempts", "next_attempt_at"])
    deliver_mail.using(run_after=row.next_attempt_at).enqueue(row.pk)
    log.warning(
        "e-mail %s not sent (%s); attempt %d at %s", row.pk, row.last_error, row.attempts + 1, row.next_attempt_at
    )


def dump_message(message: EmailMessage) -> dict[str, Any]:
    """The message as JSON, to wait in the database."""
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment  # a MIMEBase attachment is not supported here
        if isinstance(content, bytes):
            attachments.append({"filename": filename, "b64": base64.b64encode(content).decode(), "mimetype": mimetype})
        else:
            attachments.append({"filename": filename, "text": content, "mimetype": mimetype})
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def load_message(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for item in data["attachments"]:
        content = base64.b64decode(item["b64"]) if "b64" in item else item["text"]
        message.attach(item["filename"], content, item["mimetype"])
    return message
