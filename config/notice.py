"""The privacy notice a student reads for a feedback call, put together from the personal-data map
(config.personal_data: what of a student's is kept, and for how long), the release rule
(media_feedback.access: who sees it) and the call's own retention setting, so that the notice says
what the code does and cannot drift from it: how long each thing is kept is the map's `Retention`
declaration, the same one the retention task (config/retention.py) deletes by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _, gettext_lazy

from cohort.models import Role
from config.personal_data import BY_MODEL, HOLDINGS, Retention, StrOrPromise, Whose
from config.retention import call_deletes_on
from media_feedback.access import INSTITUTION_STAFF
from media_feedback.models import UPLOAD_LIFETIME, FeedbackCall

# Plain words for each of the map's holdings of a student's data. A holding the map gains without a
# description here makes the notice fail (tests/config/test_notice.py), rather than go unmentioned.
KEPT: dict[str, StrOrPromise] = {
    "media_feedback.Clip": gettext_lazy(
        "Your recording, the question you answered, and the copies we make from it so it can be played: "
        "a version in which each name or place a facilitator removes is covered by a steady beep (none of your "
        "voice is left there), a still picture and a sound wave."
    ),
    "media_feedback.Transcript": gettext_lazy("A written transcript of what you say, with the time each word is said."),
    "media_feedback.Consent": gettext_lazy(
        "Your consent answers: who may see your clip, whether we may quote you, your age group, "
        "and the exact words you agreed to."
    ),
    "media_feedback.ClipTag": gettext_lazy("Notes on which part of the Quality Mark your clip talks about."),
    "media_feedback.RefusedUpload": gettext_lazy(
        "If we cannot use a file you send: only the reason why, not the file."
    ),
    "media_feedback.SummaryDocument": gettext_lazy(
        "If you withdraw a clip we had quoted: which quote was taken out of the summary (a number, never your words)."
    ),
}

# Each role in the plural, for "nobody else sees it: not observers, …".
ROLE_PLURAL: dict[str, StrOrPromise] = {
    Role.FACILITATOR: gettext_lazy("facilitators"),
    Role.ASSESSOR: gettext_lazy("assessors"),
    Role.LEAD: gettext_lazy("institution leads"),
    Role.MEMBER: gettext_lazy("institution members"),
    Role.OBSERVER: gettext_lazy("observers"),
}


@dataclass(frozen=True)
class Kept:
    model: str
    what: StrOrPromise
    how_long: StrOrPromise


@dataclass(frozen=True)
class Notice:
    call: FeedbackCall
    kept: tuple[Kept, ...]
    retention_days: int
    delete_on: datetime | None
    unfinished_hours: int
    shared_with: tuple[str, ...]  # who sees a released clip, if the student chose to share
    assessor_never: bool  # the release rule names no assessor
    never: tuple[str, ...]  # the other roles that never see a clip


def how_long(call: FeedbackCall, retention: Retention) -> StrOrPromise:
    """The map's retention in the student's words; a per-call retention with the call's own period,
    and its date once the summary is published."""
    if not retention.per_call:
        return retention.wording
    on = call_deletes_on(retention, call)
    if on is not None:
        return _("until you withdraw it, or until %(date)s at the latest") % {
            "date": date_format(localtime(on), "j F Y")
        }
    return _("until you withdraw it, or at most %(days)s days after the project's summary is published") % {
        "days": call.retention_days
    }


def student_holdings() -> list[tuple[str, Retention]]:
    """(model, retention) for each media_feedback holding with a field the map says is a student's."""
    found = []
    for holding in HOLDINGS:
        fields = [f for f in holding.fields if f.whose == Whose.STUDENT]
        if holding.model.startswith("media_feedback.") and fields:
            found.append((holding.model, fields[0].retention))
    return found


def _clip_deleted_on(call: FeedbackCall) -> datetime | None:
    """When the map's per-call retention of clips deletes this call's clips (None: no date yet)."""
    rule = next((r for r in BY_MODEL["media_feedback.Clip"].scheduled if r.per_call), None)
    return None if rule is None else call_deletes_on(rule, call)


def notice_for(call: FeedbackCall) -> Notice:
    kept = tuple(Kept(model, KEPT[model], how_long(call, retention)) for model, retention in student_holdings())
    staff = tuple(str(Role(role).label) for role in INSTITUTION_STAFF)
    seen_by = {*INSTITUTION_STAFF, Role.FACILITATOR, Role.ASSESSOR}
    never = tuple(str(ROLE_PLURAL[role]) for role in Role if role not in seen_by)
    return Notice(
        call=call,
        kept=kept,
        retention_days=call.retention_days,
        delete_on=_clip_deleted_on(call),
        unfinished_hours=int(UPLOAD_LIFETIME.total_seconds() // 3600),
        shared_with=staff,
        assessor_never=Role.ASSESSOR not in INSTITUTION_STAFF,
        never=never,
    )
