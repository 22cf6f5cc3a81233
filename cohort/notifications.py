"""Notifications: the one way every app tells people something.

A notification is a row (the in-site list and the unread count in the header). E-mail follows each
user's preference for the kind: at once (batched: one e-mail carries everything that arrived in the
last minute), in the daily digest, or not at all.

Each person reads a notification in their own language, whoever caused it: pass the title as a
`Sentence` (English with named placeholders, marked for translation, and its values), and it is stored
as such and written in the reader's language when shown or e-mailed. A plain string is shown as it is.

    notify([lead], kind=..., title=Sentence(_("%(person)s booked %(when)s"), person=str(user), when=...))
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.functional import Promise

from cohort import live
from cohort.models import (
    Cohort,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
    render_sentence,
)
from cohort.tasks import send_notification_emails

log = logging.getLogger(__name__)

EMAIL_BATCH_DELAY = timedelta(seconds=60)
EMAIL_QUEUED_MARK = EMAIL_BATCH_DELAY - timedelta(seconds=10)


class Sentence:
    """A notification's title to be written in each reader's language.

    `msgid` is marked for translation (gettext_lazy) and has %(name)s placeholders; each param is
    either text kept as it is (a name, a cohort's name) or itself marked for translation (a role's
    label: gettext_lazy, or a choice's `.label`), which is then translated for the reader too.
    """

    def __init__(self, msgid: str | Promise, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def stored(self) -> str:
        """JSON for Notification.message: the English msgids, which each reader's gettext looks up."""
        with translation.override(None):  # no catalogue: a lazy string gives its msgid
            data = {
                "msgid": str(self.msgid),
                "params": {name: str(value) for name, value in self.params.items()},
                "translate": sorted(name for name, value in self.params.items() if isinstance(value, Promise)),
            }
        return json.dumps(data, ensure_ascii=False)

    def english(self) -> str:
        with translation.override(None):
            return str(self.msgid) % {name: str(value) for name, value in self.params.items()}

    def __str__(self) -> str:
        """In the active language."""
        return render_sentence(self.stored())


def preference_of(user_field: str, kind: str) -> Subquery:
    """A person's delivery preference for a kind, as a subquery: annotate the rows that choose the
    people to notify (user_field names the user's id among them) and pass it to notify_ids."""
    prefs = NotificationPreference.objects.filter(user_id=OuterRef(user_field), kind=kind)
    return Subquery(prefs.values("delivery")[:1])


def delivery_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    prefs = dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), kind=kind).values_list("user_id", "delivery")
    )
    return prefs


def notify(
    users: Iterable[User],
    *,
    kind: NotificationKind | str,
    title: str | Sentence,
    url: str = "",
    cohort: Cohort | None = None,
    body: str = "",
    exclude: User | None = None,
) -> list[Notification]:
    """Create a notification for each user and queue their e-mail after the transaction commits."""
    recipients = [u.pk for u in users if u.is_active and (exclude is None or u.pk != exclude.pk)]
    return notify_ids(recipients, kind=kind, title=title, url=url, cohort=cohort, body=body)


def notify_ids(
    user_ids: Iterable[int],
    *,
    kind: NotificationKind | str,
    title: str | Sentence,
    url: str = "",
    cohort: Cohort | None = None,
    body: str = "",
    deliveries: Mapping[int, str | None] | None = None,
) -> list[Notification]:
    """notify() for people chosen by id, active and other than whoever acted (a query can choose
    them, with no user loaded): a notification each, and their e-mail queued after commit.

    deliveries: each person's preference for this kind (None: none set), when the query that chose
    them has read it (see preference_of); else it is looked up here.
    """
    recipients = sorted(set(user_ids))
    if not recipients:
        return []
    prefs = delivery_for(recipients, str(kind)) if deliveries is None else deliveries
    message = title.stored() if isinstance(title, Sentence) else ""
    title = title.english() if isinstance(title, Sentence) else title
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user_id=uid,
                cohort=cohort,
                kind=kind,
                title=title[:200],
                message=message,
                body=body,
                url=url,
                created_at=now,
                delivery=prefs.get(uid) or Delivery.IMMEDIATE,
            )
            for uid in recipients
        ]
    )
    live.notifications_changed(recipients, title=title[:200], sentence=message)
    immediate = sorted({n.user_id for n in rows if n.delivery == Delivery.IMMEDIATE})
    if immediate:
        transaction.on_commit(lambda: _queue_emails(immediate))
    log.info("notified %d users (kind=%s)", len(rows), kind)
    return rows


def _queue_emails(user_ids: list[int]) -> None:
    """One e-mail task per person per batch: a task sends everything unsent at the time it runs, so
    a person who already has one queued (a mark in the cache) needs no other."""
    backend = send_notification_emails.get_backend()
    if not backend.supports_defer:
        send_notification_emails.enqueue(user_ids)
        return
    keys = {f"notifications:email-queued:{uid}": uid for uid in user_ids}
    try:
        marked = cache.get_many(list(keys))
    except Exception:  # the cache only saves tasks: without it, queue one for everyone
        log.warning("cache unavailable: queueing e-mail for every recipient")
        marked = {}
    due = {key: uid for key, uid in keys.items() if key not in marked}
    if not due:
        return
    send_notification_emails.using(run_after=timezone.now() + EMAIL_BATCH_DELAY).enqueue(list(due.values()))
    # The mark lasts less than the task waits: a notification committed while it lasts is still
    # unsent when the task runs, and goes out with the rest. One committed later queues a new task.
    try:
        cache.set_many(dict.fromkeys(due, 1), EMAIL_QUEUED_MARK.total_seconds())
    except Exception:
        log.warning("cache unavailable: e-mail batches not marked")


def mark_read(user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    if changed:
        live.notifications_changed([user.pk])  # the count in their other tabs
    return changed


def set_preferences(user: User, deliveries: Mapping[str, str]) -> None:
    """How the person hears of each kind of notification (kind -> delivery)."""
    for kind, delivery in deliveries.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
