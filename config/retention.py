"""Retention, driven by the personal-data map (config/personal_data.py): every 15 minutes, each
holding's scheduled `Retention` declarations say which of its rows are due, and those rows go, with
their stored files. Nothing else decides what is deleted when: change a declaration in the map and
this task, the students' notice and the facilitators' retention page all follow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from cohort.periodic import periodic
from config import personal_data
from config.personal_data import Holding, Retention, StrOrPromise
from media_feedback import tasks as clip_tasks
from media_feedback.models import FeedbackCall

log = logging.getLogger(__name__)


def _delete_rows(rows: models.QuerySet) -> int:
    """The generic deletion: each row still due, then its stored files."""
    file_fields = [f.name for f in rows.model._meta.concrete_fields if isinstance(f, models.FileField)]
    deleted = 0
    for obj in list(rows):
        with transaction.atomic():
            gone, _ = rows.filter(pk=obj.pk).delete()
        if gone:
            for name in file_fields:
                stored = getattr(obj, name)
                if stored:
                    stored.delete(save=False)
            deleted += 1
    return deleted


# Models whose rows carry stored files the generic deletion does not know of.
DELETERS: dict[str, Callable[[models.QuerySet], int]] = {
    "media_feedback.Clip": clip_tasks.delete_clips,  # type: ignore[dict-item]
}


def call_lookup(holding: Holding) -> str:
    """The lookup from a holding's rows to their feedback call: its cohort lookup runs through it."""
    if not holding.cohort or not holding.cohort.endswith("call__cohort"):
        raise ValueError(f"{holding.model}: a per-call retention needs a cohort lookup through the call")
    return holding.cohort.removesuffix("__cohort")


def call_deletes_on(rule: Retention, call: FeedbackCall) -> datetime | None:
    """When a per-call retention deletes the call's rows (None: the call's date is not set yet)."""
    start = getattr(call, rule.since)
    return None if start is None else start + timedelta(days=call.retention_days)


def due(holding: Holding, rule: Retention, now: datetime) -> models.QuerySet:
    """The holding's rows that `rule` says are due at `now`."""
    rows = apps.get_model(holding.model)._default_manager.filter(**dict(rule.where))
    if rule.per_call:
        calls = [
            call.pk
            for call in FeedbackCall.objects.filter(**{f"{rule.since}__isnull": False})
            if (on := call_deletes_on(rule, call)) is not None and on <= now
        ]
        return rows.filter(**{f"{call_lookup(holding)}__in": calls})
    return rows.filter(**{f"{rule.since}__lte": now - rule.after})


def apply_retention(now: datetime | None = None) -> dict[str, int]:
    """Delete every row the map's retention declarations say is due; {model label: rows deleted}."""
    now = now or timezone.now()
    deleted: dict[str, int] = {}
    for holding in personal_data.HOLDINGS:
        for rule in holding.scheduled:
            rows = due(holding, rule, now)
            count = DELETERS.get(holding.model, _delete_rows)(rows)
            if count:
                deleted[holding.model] = deleted.get(holding.model, 0) + count
    if deleted:
        log.info("retention deleted %s", ", ".join(f"{n} {label}" for label, n in sorted(deleted.items())))
    return deleted


@dataclass(frozen=True)
class Rule:
    """One line of the retention page: what is kept, and how long (from the map)."""

    what: str
    how_long: StrOrPromise
    scheduled: bool


def rules() -> list[Rule]:
    """Every retention the map declares for students' material, for the facilitators' page."""
    found = []
    for holding in personal_data.HOLDINGS:
        if not holding.model.startswith("media_feedback."):
            continue
        what = str(apps.get_model(holding.model)._meta.verbose_name_plural).capitalize()
        for rule in holding.retentions:
            if rule is personal_data.ALL_MEMBER_TIME:
                continue
            found.append(Rule(what, rule.wording, rule.scheduled))
    return found


def next_retention_run() -> datetime:
    return timezone.now() + timedelta(minutes=15)


@periodic(next_retention_run)
def apply_retention_every_15_minutes() -> dict[str, int]:
    return apply_retention()
