"""Edits of a text that others may edit too: a save based on an older version is refused, never lost.

An edit form (cohort.forms.EditForm) carries, in a hidden field, the fingerprint of the stored text
it was showing. The service that saves locks the row (`lock`, inside its transaction) and calls
`refuse_stale`: when the stored text is no longer the one the form was based on, it raises
`EditConflict` before writing anything. The view puts the conflict onto the form
(cohort.web.add_service_errors does it), which then shows what the other person saved, who and
when, beside the text as typed, and carries the new fingerprint: the person merges and saves again.

The fingerprint is of the edited fields' text, not of `updated_at`: other writes to the same row
(a status, evidence added) bump `updated_at` without touching the text, and must not refuse a save.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

BASED_ON = "based_on"  # the hidden field's name


def _normal(value: Any) -> str:
    # What a browser sends back for the same text: CRLF line ends, trailing blanks trimmed by forms.
    return ("" if value is None else str(value)).replace("\r\n", "\n").strip()


def fingerprint_of(values: Iterable[Any]) -> str:
    digest = hashlib.sha256()
    for value in values:
        digest.update(_normal(value).encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def stored(row: Any, fields: Iterable[str] | Mapping[str, Any]) -> dict[str, Any]:
    """The edited values of `row`: its `fields`, or (a mapping) values already taken from it under
    the form's field names (a meeting's day and time, kept as one instant)."""
    if isinstance(fields, Mapping):
        return dict(fields)
    return {name: getattr(row, name) for name in fields}


def fingerprint(row: Any, fields: Iterable[str] | Mapping[str, Any]) -> str:
    """The version of `fields` of `row` as stored: what an edit form says it was based on."""
    return fingerprint_of(stored(row, fields).values())


class EditConflict(ValidationError):
    """Someone saved the text after the form was shown. Carries what they saved (`theirs`, field →
    text), who (`by`, or None when the row does not say) and when (`at`), and the stored version's
    fingerprint (`current`) for the form to be based on next."""

    def __init__(self, *, theirs: Mapping[str, str], by: Any, at: datetime | None, current: str) -> None:
        self.theirs = dict(theirs)
        self.by = by
        self.at = at
        self.current = current
        super().__init__(conflict_message(by, at), code="edit_conflict")


def conflict_message(by: Any, at: datetime | None) -> str:
    when = date_format(timezone.localtime(at), "j F Y, H:i") if at else ""
    if by and when:
        return gettext(
            "%(who)s saved this text at %(when)s, after you opened it. Nothing of yours was saved: "
            "their text is shown beside yours. Bring what you need from it into your text, then save again."
        ) % {"who": by, "when": when}
    if when:
        return gettext(
            "This text was saved again at %(when)s, after you opened it. Nothing of yours was saved: the "
            "saved text is shown beside yours. Bring what you need from it into your text, then save again."
        ) % {"when": when}
    return gettext(
        "Someone else saved this text after you opened it. Nothing of yours was saved: their text is "
        "shown beside yours. Bring what you need from it into your text, then save again."
    )


def theirs_label(conflict: EditConflict) -> str:
    """The label of the other person's text, shown beside the field."""
    when = date_format(timezone.localtime(conflict.at), "j F Y, H:i") if conflict.at else ""
    if conflict.by and when:
        return gettext("What %(who)s saved (%(when)s)") % {"who": conflict.by, "when": when}
    if when:
        return gettext("What was saved at %(when)s") % {"when": when}
    return gettext("What was saved meanwhile")


def lock[M: Model](rows: QuerySet[M] | type[M], pk: Any) -> M:
    """The row, locked until the caller's transaction ends (the caller holds transaction.atomic)."""
    queryset = rows if isinstance(rows, QuerySet) else rows._default_manager.all()
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def refuse_stale(
    row: Model,
    based_on: str | None,
    fields: Iterable[str] | Mapping[str, Any],
    *,
    by: Any = None,
    at: datetime | None = None,
) -> None:
    """Raise EditConflict when the stored `fields` of the (locked) `row` are no longer the version
    `based_on`. `by` and `at` default to the row's `updated_by` and `updated_at`; `by=False`: the
    row does not record who.

    No `based_on` (a client that never showed a form: a script, a test of another feature) is not
    checked."""
    values = stored(row, fields)
    current = fingerprint_of(values.values())
    if not based_on or based_on == current:
        return
    raise EditConflict(
        theirs={name: _normal(value) for name, value in values.items()},
        by=None if by is False else by if by is not None else getattr(row, "updated_by", None),
        at=at if at is not None else getattr(row, "updated_at", None),
        current=current,
    )
