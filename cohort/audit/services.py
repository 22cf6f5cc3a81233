"""Record sensitive actions in the audit log (cohort.audit.models.AuditEvent)."""

from __future__ import annotations

from django.http import HttpRequest

from cohort.audit.models import AuditAction, AuditEvent
from cohort.models import Cohort, User
from cohort.ratelimit import client_ip


def record(
    action: AuditAction | str,
    *,
    actor: User | None = None,
    actor_label: str = "",
    cohort: Cohort | None = None,
    target_type: str = "",
    target_id: object = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit event. Pass identifiers only, never content."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user  # type: ignore[assignment]
    ip = client_ip(request) if request is not None else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (f"{actor} <{actor.email}>" if actor else "anonymous"),
        cohort=cohort,
        target_type=target_type,
        target_id=str(target_id),
        ip=ip or None,
    )
