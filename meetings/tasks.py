"""Background work of group meetings: calendar invitations by e-mail.

Services enqueue these after commit; nothing here imports the services.
"""

from __future__ import annotations

import logging

from django.tasks import task
from django.template.loader import render_to_string

from meetings.calendar import send_invitation
from meetings.models import Meeting

log = logging.getLogger(__name__)


@task()
def send_meeting_invitations(meeting_ids: list[int]) -> int:
    """E-mail each cohort member an invitation (or its update, or cancellation) with the .ics.

    One e-mail per person, so no one sees the others' addresses. The meeting is read now, so an
    update sent late still carries the latest time and the latest SEQUENCE.
    """
    sent = 0
    meetings = Meeting.objects.filter(pk__in=meeting_ids).select_related("cohort", "area").order_by("starts_at")
    for meeting in meetings:
        if meeting.is_cancelled:
            subject = f"Cancelled: {meeting.title}"
        elif meeting.sequence:
            subject = f"Updated: {meeting.title}"
        else:
            subject = f"Invitation: {meeting.title}"
        for user in meeting.invitees().order_by("pk"):
            event = meeting.calendar_event(attendees=[(user.email, str(user))])
            body = render_to_string("meetings/email/invitation.txt", {"meeting": meeting, "event": event, "user": user})
            send_invitation(event, [user.email], subject=subject, body=body)
            sent += 1
    log.info("sent %d meeting invitations for %d meetings", sent, len(meeting_ids))
    return sent
