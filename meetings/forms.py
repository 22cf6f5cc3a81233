from __future__ import annotations

from datetime import time
from typing import Any, cast

from django import forms

from cohort.forms import Form, IdsChoiceField
from cohort.models import Area, Cohort, Criterion, Institution, Membership, Role, User, time_zone_choices
from cohort.widgets import DateInput, TimeInput
from meetings.models import Attendance, Meeting, Outcome


def _areas(cohort: Cohort) -> Any:
    return Area.objects.filter(framework_id=cohort.framework_id).order_by("position")


class SeriesForm(Form):
    title = forms.CharField(max_length=120, initial="Group meeting", help_text="Each meeting adds its area's title.")
    starts_on = forms.DateField(label="Date of the first meeting", widget=DateInput)
    time_of_day = forms.TimeField(label="Time", initial=time(10, 0), widget=TimeInput)
    time_zone = forms.ChoiceField(choices=time_zone_choices, initial="Europe/London")
    duration_minutes = forms.IntegerField(label="Length in minutes", initial=90)
    cadence_weeks = forms.IntegerField(label="Weeks between meetings", initial=3)
    count = forms.IntegerField(label="Number of meetings", required=False, initial=7, help_text="Or give an end date.")
    ends_on = forms.DateField(label="End date", required=False, widget=DateInput, help_text="Or a number of meetings.")
    video_url = forms.URLField(label="Video link", required=False, max_length=500, assume_scheme="https")
    first_area = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        required=False,
        label="Area of the first meeting",
        empty_label="The first area",
        help_text="Each later meeting takes the next area of the framework.",
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["first_area"]).queryset = _areas(cohort)


class SeriesLengthForm(Form):
    count = forms.IntegerField(label="Number of meetings in the series")


class MeetingForm(Form):
    title = forms.CharField(max_length=200)
    area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False, label="Area of the framework")
    day = forms.DateField(label="Date", widget=DateInput)
    time_of_day = forms.TimeField(label="Time", widget=TimeInput)
    duration_minutes = forms.IntegerField(label="Length in minutes")
    video_url = forms.URLField(label="Video link", required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        local = meeting.local_starts_at
        kwargs.setdefault(
            "initial",
            {
                "title": meeting.title,
                "area": meeting.area_id,
                "day": local.date(),
                "time_of_day": local.time().replace(second=0, microsecond=0),
                "duration_minutes": meeting.duration_minutes,
                "video_url": meeting.video_url,
            },
        )
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = _areas(meeting.cohort)
        self.fields["time_of_day"].help_text = f"In {meeting.time_zone.replace('_', ' ')} time."


class AgendaItemForm(Form):
    title = forms.CharField(max_length=200, label="Item")
    criterion = forms.ModelChoiceField(
        queryset=Criterion.objects.none(),
        required=False,
        label="Criterion",
        empty_label="No particular criterion",
        error_messages={"invalid_choice": "That criterion is not in this cohort's framework."},
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        required=False,
        label="Presenting institution",
        empty_label="Nobody in particular",
        error_messages={"invalid_choice": "That institution is not taking part in this cohort."},
    )
    minutes_allotted = forms.IntegerField(label="Minutes allotted", initial=10)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteria = Criterion.objects.filter(area__framework_id=cohort.framework_id).select_related("area")
        cast(forms.ModelChoiceField, self.fields["criterion"]).queryset = criteria
        cast(forms.ModelChoiceField, self.fields["institution"]).queryset = cohort.institutions.all()


class MinutesForm(Form):
    minutes = forms.CharField(
        label="The minutes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: **bold**, *italic*, lists with - and links.",
    )


def owner_choices(cohort: Cohort, empty_label: str) -> list[Any]:
    """Who may own an action, grouped as the service allows: each institution's working group under
    its name, and the facilitators (never the assessor, never an observer)."""
    people = (
        Membership.objects.filter(
            cohort=cohort, user__is_active=True, role__in=[Role.LEAD, Role.MEMBER, Role.FACILITATOR]
        )
        .select_related("user", "institution")
        .order_by("institution__name", "user__display_name")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for m in people:
        label = m.institution.name if m.institution else "Facilitators"
        groups.setdefault(label, []).append((m.user_id, str(m.user)))
    return [("", empty_label), *groups.items()]


class OutcomeForm(Form):
    kind = forms.ChoiceField(choices=Outcome.Kind.choices, widget=forms.RadioSelect, initial=Outcome.Kind.INFORMATION)
    text = forms.CharField(max_length=300, label="Outcome")
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        required=False,
        label="For (actions)",
        empty_label="The whole cohort",
        error_messages={"invalid_choice": "That institution is not taking part in this cohort."},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Owner (actions)",
        empty_label="Someone without an account (type the name)",
        error_messages={"invalid_choice": "The owner must be a member of this cohort."},
    )
    owner_name = forms.CharField(max_length=120, required=False, label="Owner's name, if not a member")
    due_on = forms.DateField(required=False, label="Due date (actions)", widget=DateInput)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["institution"]).queryset = cohort.institutions.all()
        owners = User.objects.filter(memberships__cohort=cohort, is_active=True).order_by("display_name", "email")
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = owners
        owner.choices = owner_choices(cohort, str(owner.empty_label))
        self.fields["owner"].help_text = "An institution's action is owned by someone in its working group."


class RespondForm(Form):
    response = forms.ChoiceField(
        choices=[(Attendance.Response.GOING, "Going"), (Attendance.Response.NOT_GOING, "Not going")]
    )


class AttendanceForm(Form):
    attended = IdsChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who attended",
        error_messages={"invalid_choice": "Only members of this cohort can be recorded as attending."},
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(memberships__cohort=cohort).order_by("display_name", "email")
        cast(IdsChoiceField, self.fields["attended"]).queryset = people
