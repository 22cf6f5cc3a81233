"""The widgets every form of the product uses for dates, times and text with a length limit.

Date and time inputs render their value in the one format their input type reads (ISO 8601), not
the locale's: en-GB formatting wrote `27/04/2027` into an `<input type=date>`, which a browser shows
as empty. Text limits are shown by a counter (static/js/counter.js) and enforced by the form with a
message: the browser's `maxlength` is never rendered, because it cuts pasted text without a word.
"""

from __future__ import annotations

from typing import Any

from django import forms

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATE_FORMAT)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=TIME_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_FORMAT)


def show_limits(fields: dict[str, forms.Field]) -> None:
    """Turn each text field's `maxlength` into `data-maxlength`, which the counter reads: the limit
    stays the form's to enforce, with a message, and what was typed or pasted is never cut."""
    for field in fields.values():
        limit = getattr(field, "max_length", None)
        if limit is None or field.widget.is_hidden:
            continue
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs["data-maxlength"] = str(limit)
