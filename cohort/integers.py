"""Integers from outside, bounded in one place: ids in paths (the `id` URL converter), numbers in query
strings (`query_int`), in forms (`BoundedIntegerField`) and in websocket messages (`bounded_int`).

A number past what the database stores (SQLite and PostgreSQL's bigint hold at most 2**63 - 1) is no
id anything has, so it is treated as "no such thing" (404, an empty filter) instead of reaching the
database, where SQLite raises OverflowError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

LARGEST = 2**63 - 1
_DIGITS = len(str(LARGEST))


def bounded_int(value: Any, *, minimum: int = 0, maximum: int = LARGEST) -> int | None:
    """`value` as an int from `minimum` to `maximum`, or None. Takes ints (not bools) and strings of
    ASCII digits (with a leading "-" when `minimum` is negative); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("-") and minimum < 0 else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > _DIGITS:
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return value if minimum <= value <= maximum else None


def query_int(query: Mapping[str, Any], name: str, *, minimum: int = 0, maximum: int = LARGEST) -> int | None:
    """A number read from a query string (request.GET), or None when absent, not a number or out of range."""
    return bounded_int(query.get(name, ""), minimum=minimum, maximum=maximum)


class IdConverter:
    """The `<id:thing_id>` path converter (registered in cohort/apps.py): digits that fit the database.
    A longer or larger number does not match, so the route answers 404."""

    regex = f"[0-9]{{1,{_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = bounded_int(value)
        if number is None:
            raise ValueError("out of range")  # Django's resolver: this route does not match
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


class BoundedIntegerField(forms.IntegerField):
    """An IntegerField that never hands on a number the database cannot store."""

    def __init__(self, *, min_value: int = 0, max_value: int = LARGEST, **kwargs: Any) -> None:
        super().__init__(min_value=max(min_value, -LARGEST), max_value=min(max_value, LARGEST), **kwargs)
