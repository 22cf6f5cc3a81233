"""Forms for consultations: the host's availability, booking, rescheduling and notes."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _, gettext_lazy

from cohort.forms import EditForm, Form, IdsChoiceField
from cohort.models import Area, time_zone_choices
from cohort.widgets import DateInput, show_limits
from meetings.consultations.models import WEEKDAY_LABELS, WEEKDAYS, ConsultationSettings, VideoMode
from meetings.forms import show_areas

DAY_FIELDS = [day.lower() for day in WEEKDAYS]
# The form's fields that are ConsultationSettings' own, under the same names.
SETTINGS_FIELDS = (
    "time_zone",
    "duration_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "min_notice_hours",
    "horizon_weeks",
    "video_mode",
    "video_url",
)
_WINDOW = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(?:-|–|to)\s*(\d{1,2})[:.](\d{2})$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:to|–|-{1,2})\s*(\d{4}-\d{2}-\d{2}))?$")


def _time(hours: str, minutes: str) -> time | None:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time(23, 59)
    if 0 <= h < 24 and 0 <= m < 60:
        return time(h, m)
    return None


def parse_windows(day: str, text: str) -> list[tuple[time, time]]:
    """'09:00-12:00, 14:00-17:00' → [(09:00, 12:00), (14:00, 17:00)], refusing bad or overlapping ones."""
    windows: list[tuple[time, time]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _WINDOW.match(part)
        start = end = None
        if match:
            start, end = _time(match[1], match[2]), _time(match[3], match[4])
        if start is None or end is None:
            raise forms.ValidationError(
                _("“%(text)s” is not a time range: write times like 09:00-12:00, 14:00-17:00.") % {"text": part}
            )
        if end <= start:
            raise forms.ValidationError(
                _("%(day)s: the window %(window)s ends before it starts.") % {"day": day, "window": part}
            )
        windows.append((start, end))
    windows.sort()
    for (s1, e1), (s2, e2) in itertools.pairwise(windows):
        if s2 < e1:
            raise forms.ValidationError(
                _("%(day)s: the windows %(first)s and %(second)s overlap. Join them into one.")
                % {"day": day, "first": f"{s1:%H:%M}-{e1:%H:%M}", "second": f"{s2:%H:%M}-{e2:%H:%M}"}
            )
    return windows


def format_windows(windows: list[tuple[time, time]]) -> str:
    return ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in windows)


class AvailabilityForm(Form):
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Your time zone"),
        choices=time_zone_choices,
        help_text=gettext_lazy("Your weekly hours are in this time zone; people booking see times in their own."),
        error_messages={
            "invalid_choice": gettext_lazy("“%(value)s” is not a time zone we know, such as Europe/London.")
        },
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Length of a consultation (minutes)"), min_value=15, max_value=240
    )
    buffer_before_minutes = forms.IntegerField(
        label=gettext_lazy("Buffer before (minutes)"), min_value=0, max_value=120
    )
    buffer_after_minutes = forms.IntegerField(label=gettext_lazy("Buffer after (minutes)"), min_value=0, max_value=120)
    min_notice_hours = forms.IntegerField(label=gettext_lazy("Minimum notice (hours)"), min_value=0, max_value=24 * 30)
    horizon_weeks = forms.IntegerField(
        label=gettext_lazy("How far ahead people can book (weeks)"), min_value=1, max_value=52
    )
    video_mode = forms.ChoiceField(
        label=gettext_lazy("Video room"), choices=VideoMode.choices, widget=forms.RadioSelect
    )
    video_url = forms.URLField(
        label=gettext_lazy("Video link"),
        required=False,
        max_length=400,
        help_text=gettext_lazy("The room's address; for a new room per booking, the address each room is made under."),
        assume_scheme="https",
    )
    blocked = forms.CharField(
        label=gettext_lazy("Blocked dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One a line, as 2026-12-24 or 2026-12-24 to 2027-01-02 (days you are away)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, field in zip(WEEKDAY_LABELS, DAY_FIELDS, strict=True):
            self.fields[field] = forms.CharField(
                label=day,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"aria-describedby": "weekly-hint", "placeholder": "09:00-17:00"}),
            )
        show_limits(self.fields)  # the day fields are added after the base class has shown the others

    @classmethod
    def initial_for(cls, cs: ConsultationSettings | None, time_zone: str) -> dict[str, object]:
        if cs is None:
            cs = ConsultationSettings(time_zone=time_zone)
            windows: list[tuple[int, time, time]] = []
            blocked: list[str] = []
        else:
            windows = [(w.weekday, w.starts_at, w.ends_at) for w in cs.windows.all()]
            blocked = [str(b) for b in cs.blocked.all()]
        initial: dict[str, object] = {name: getattr(cs, name) for name in SETTINGS_FIELDS}
        for i, field in enumerate(DAY_FIELDS):
            initial[field] = format_windows([(s, e) for d, s, e in windows if d == i])
        initial["blocked"] = "\n".join(blocked)
        return initial

    def clean_blocked(self) -> list[tuple[date, date]]:
        periods = []
        for line in filter(None, (x.strip() for x in self.cleaned_data["blocked"].splitlines())):
            match = _DATE.match(line)
            try:
                start = date.fromisoformat(match[1]) if match else None
                end = date.fromisoformat(match[2]) if match and match[2] else start
            except ValueError:
                start = end = None
            if start is None or end is None:
                raise forms.ValidationError(
                    _("“%(text)s” is not a date: write 2026-12-24 or 2026-12-24 to 2027-01-02.") % {"text": line}
                )
            if end < start:
                raise forms.ValidationError(_("“%(text)s” ends before it starts.") % {"text": line})
            periods.append((start, end))
        return periods

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        windows: list[tuple[int, time, time]] = []
        for i, (day, field) in enumerate(zip(WEEKDAY_LABELS, DAY_FIELDS, strict=True)):
            if field not in data:
                continue
            try:
                windows.extend((i, s, e) for s, e in parse_windows(str(day), data[field]))
            except forms.ValidationError as error:
                self.add_error(field, error)
        data["windows"] = windows
        if data.get("video_mode") == VideoMode.PER_BOOKING and not data.get("video_url"):
            self.add_error("video_url", _("Give the address under which a room is made for each booking."))
        return data

    def settings_values(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}


class SlotField(forms.CharField):
    """An instant sent as ISO 8601 with its offset (the value of a slot's radio button)."""

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(_("Choose one of the free times.")) from None
        if moment.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the free times."))
        return moment


class RescheduleForm(Form):
    starts_at = SlotField(
        label=gettext_lazy("Time"), error_messages={"required": gettext_lazy("Choose one of the free times.")}
    )


class BookingForm(RescheduleForm):
    topic = forms.CharField(
        label=gettext_lazy("What would you like to discuss?"),
        max_length=200,
        help_text=gettext_lazy("A sentence is enough."),
    )
    areas = IdsChoiceField(
        label=gettext_lazy("Framework areas to discuss"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_areas(self.fields["areas"], areas)


class NotesForm(EditForm):
    edited = ("notes",)

    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Markdown is fine."),
    )


class ActionForm(Form):
    title = forms.CharField(label=gettext_lazy("Action"), max_length=300, required=False)
    area = forms.ModelChoiceField(label=gettext_lazy("Area"), queryset=Area.objects.none(), required=False)
    due_on = forms.DateField(label=gettext_lazy("Due on"), required=False, widget=DateInput)
    owner_name = forms.CharField(label=gettext_lazy("Owner"), max_length=120, required=False)

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_areas(self.fields["area"], areas)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title") and (data.get("area") or data.get("due_on") or data.get("owner_name")):
            self.add_error("title", _("Say what the action is, or clear the row."))
        return data


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=10)
