from __future__ import annotations

from datetime import time
from typing import Any, cast

from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from cohort.forms import EditForm, Form, IdsChoiceField
from cohort.i18n import localised
from cohort.models import Area, Cohort, Criterion, Institution, Membership, Role, User, time_zone_choices
from cohort.widgets import DateInput, TimeInput
from meetings.models import Attendance, Meeting, Outcome


def _areas(cohort: Cohort) -> Any:
    return Area.objects.filter(framework_id=cohort.framework_id).order_by("position")


def area_label(area: Area) -> str:
    """An area as a choice reads it, in the reader's language when it has a Welsh title."""
    return f"{area.position}. {localised(area, 'title')[0]}"


def criterion_label(criterion: Criterion) -> str:
    return f"{criterion.code} {localised(criterion, 'statement')[0][:60]}"


def show_areas(field: forms.Field, areas: Any) -> None:
    """Give a choice of areas its rows, labelled in the reader's language."""
    choice = cast(forms.ModelChoiceField, field)
    choice.queryset = areas
    choice.label_from_instance = area_label  # type: ignore[method-assign, assignment]


class SeriesForm(Form):
    title = forms.CharField(
        label=_("Title"), max_length=120, initial=_("Group meeting"), help_text=_("Each meeting adds its area's title.")
    )
    starts_on = forms.DateField(label=_("Date of the first meeting"), widget=DateInput)
    time_of_day = forms.TimeField(label=_("Time"), initial=time(10, 0), widget=TimeInput)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, initial="Europe/London")
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), initial=90)
    cadence_weeks = forms.IntegerField(label=_("Weeks between meetings"), initial=3)
    count = forms.IntegerField(
        label=_("Number of meetings"), required=False, initial=7, help_text=_("Or give an end date.")
    )
    ends_on = forms.DateField(
        label=_("End date"), required=False, widget=DateInput, help_text=_("Or a number of meetings.")
    )
    video_url = forms.URLField(label=_("Video link"), required=False, max_length=500, assume_scheme="https")
    first_area = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        required=False,
        label=_("Area of the first meeting"),
        empty_label=_("The first area"),
        help_text=_("Each later meeting takes the next area of the framework."),
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_areas(self.fields["first_area"], _areas(cohort))


class SeriesLengthForm(Form):
    count = forms.IntegerField(label=_("Number of meetings in the series"))


class MeetingForm(EditForm):
    edited = ("title", "area", "day", "time_of_day", "duration_minutes", "video_url")

    title = forms.CharField(label=_("Title"), max_length=200)
    area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False, label=_("Area of the framework"))
    day = forms.DateField(label=_("Date"), widget=DateInput)
    time_of_day = forms.TimeField(label=_("Time"), widget=TimeInput)
    duration_minutes = forms.IntegerField(label=_("Length in minutes"))
    video_url = forms.URLField(label=_("Video link"), required=False, max_length=500, assume_scheme="https")

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
        kwargs.setdefault("row", meeting)
        super().__init__(*args, **kwargs)
        show_areas(self.fields["area"], _areas(meeting.cohort))
        self.fields["time_of_day"].help_text = gettext("In %(zone)s time.") % {
            "zone": meeting.time_zone.replace("_", " ")
        }

    def stored(self, row: Any) -> dict[str, Any]:
        return row.edited_values()  # type: ignore[no-any-return]


class AgendaItemForm(Form):
    title = forms.CharField(max_length=200, label=_("Item"))
    criterion = forms.ModelChoiceField(
        queryset=Criterion.objects.none(),
        required=False,
        label=_("Criterion"),
        empty_label=_("No particular criterion"),
        error_messages={"invalid_choice": _("That criterion is not in this cohort's framework.")},
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        required=False,
        label=_("Presenting institution"),
        empty_label=_("Nobody in particular"),
        error_messages={"invalid_choice": _("That institution is not taking part in this cohort.")},
    )
    minutes_allotted = forms.IntegerField(label=_("Minutes allotted"), initial=10)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteria = Criterion.objects.filter(area__framework_id=cohort.framework_id).select_related("area")
        criterion = cast(forms.ModelChoiceField, self.fields["criterion"])
        criterion.queryset = criteria
        criterion.label_from_instance = criterion_label  # type: ignore[method-assign, assignment]
        cast(forms.ModelChoiceField, self.fields["institution"]).queryset = cohort.institutions.all()


class MinutesForm(EditForm):
    edited = ("minutes",)

    minutes = forms.CharField(
        label=_("The minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, *italic*, lists with - and links."),
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
        label = m.institution.name if m.institution else gettext("Facilitators")
        groups.setdefault(label, []).append((m.user_id, str(m.user)))
    return [("", empty_label), *groups.items()]


class OutcomeForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Outcome.Kind.choices, widget=forms.RadioSelect, initial=Outcome.Kind.INFORMATION
    )
    text = forms.CharField(max_length=300, label=_("Outcome"))
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        required=False,
        label=_("For (actions)"),
        empty_label=_("The whole cohort"),
        error_messages={"invalid_choice": _("That institution is not taking part in this cohort.")},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Owner (actions)"),
        empty_label=_("Someone without an account (type the name)"),
        error_messages={"invalid_choice": _("The owner must be a member of this cohort.")},
    )
    owner_name = forms.CharField(max_length=120, required=False, label=_("Owner's name, if not a member"))
    due_on = forms.DateField(required=False, label=_("Due date (actions)"), widget=DateInput)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["institution"]).queryset = cohort.institutions.all()
        owners = User.objects.filter(memberships__cohort=cohort, is_active=True).order_by("display_name", "email")
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = owners
        owner.choices = owner_choices(cohort, str(owner.empty_label))
        self.fields["owner"].help_text = gettext("An institution's action is owned by someone in its working group.")


class RespondForm(Form):
    response = forms.ChoiceField(
        label=_("Response"),
        choices=[(Attendance.Response.GOING, _("Going")), (Attendance.Response.NOT_GOING, _("Not going"))],
    )


class AttendanceForm(Form):
    attended = IdsChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Who attended"),
        error_messages={"invalid_choice": _("Only members of this cohort can be recorded as attending.")},
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(memberships__cohort=cohort).order_by("display_name", "email")
        cast(IdsChoiceField, self.fields["attended"]).queryset = people
