"""The form contract (#18), over every form class of the project, enumerated from the apps' `forms`
modules so a new form is covered or fails here:

- a form that fails validation shows again everything that was typed into it (form level for every
  form; through the view that uses it, with nothing changed in the database, for each form a page
  posts to);
- no field renders `maxlength` (the browser would cut pasted text without a word): a limit is
  `data-maxlength`, shown by the counter and enforced by the form with a message;
- every date and time field uses the shared widgets (cohort.widgets), which render ISO values.
"""

from __future__ import annotations

import html
import importlib
import inspect
import re
import uuid
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from cohort import widgets
from cohort.access import get_membership
from cohort.assessment import services as assessment
from cohort.forms import EditForm, EditModelForm, Form, ModelForm, SharedTextEdit
from cohort.models import Area, Criterion
from tests.config.test_edit_conflicts import FORM_CASES
from tests.factories import client_for
from tests.matrix import ACTOR_USERS, all_cases

ROOT = Path(__file__).resolve().parents[2]
APPS = ["cohort", "meetings", "discussions", "media_feedback"]


def _form_modules() -> list[str]:
    names = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("forms.py")):
            names.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return names


BASES = (Form, ModelForm, SharedTextEdit, EditForm, EditModelForm)  # what the product's forms derive from


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for name in _form_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name and cls not in BASES:
                found.append(cls)
    return found


FORMS = _form_classes()


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# What the constructors of the product's forms take, by keyword. A form with a new keyword fails
# until it is given here.
def _providers(world: Any) -> dict[str, Any]:
    from meetings import services as meeting_services

    fran = get_membership(world.fran, world.cohort.slug)

    def meeting() -> Any:  # made only for the forms that take one
        series = meeting_services.create_series(
            fran, title="Group meeting", starts_on=timezone.localdate(), time_of_day=time(10), count=1
        )
        return series.meetings.get()

    return {
        "membership": fran,
        "cohort": world.cohort,
        "institution": world.irwell,
        "user": world.alice,
        "email": "newcomer@example.org",
        "meeting": meeting,
        "questions": ["What helped you most?", "What should change?"],
        "areas": Area.objects.filter(framework_id=world.cohort.framework_id),
        "framework_id": world.cohort.framework_id,
    }


def build(cls: type[forms.BaseForm], providers: dict[str, Any], data: dict[str, Any] | None = None) -> Any:
    wanted = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    ]
    missing = [name for name in wanted if name not in providers]
    assert not missing, f"{_label(cls)} takes {missing}: add them to _providers in {__file__}"
    for name in wanted:
        if inspect.isfunction(providers[name]):
            providers[name] = providers[name]()
    return (
        cls(data, **{name: providers[name] for name in wanted})
        if data is not None
        else cls(**{name: providers[name] for name in wanted})
    )


TEXT_FIELDS = (forms.CharField, forms.IntegerField, forms.DateField, forms.TimeField, forms.DateTimeField)


def typed_data(form: forms.BaseForm) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """Values for every field as a person would fill them in, one of them made invalid.

    Returns the data, the typed values a re-rendered form must show (field → value), and the field
    made invalid (None when no input can make this form invalid)."""
    data: dict[str, Any] = {}
    shown: dict[str, str] = {}
    fields: dict[str, Any] = dict(form.fields)
    for name, field in fields.items():
        widget = field.widget
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.UUIDField):
            data[name] = str(uuid.uuid4())
        elif isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif isinstance(field, forms.ChoiceField):  # single or multiple; the first choice offered
            offered: Any = field.choices
            choices = [str(value) for value, _ in offered if value != ""]
            multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
            data[name] = choices[:1] if multiple else (choices[0] if choices else "")
        elif widget.is_hidden:
            continue
        elif isinstance(field, forms.EmailField):
            data[name] = shown[name] = f"typed.{name}@example.org"
        elif isinstance(field, forms.URLField):
            data[name] = shown[name] = f"https://example.org/typed/{name}"
        elif isinstance(field, forms.DateTimeField):
            data[name] = shown[name] = "2027-03-04T10:15"
        elif isinstance(field, forms.DateField):
            data[name] = shown[name] = "2027-03-04"
        elif isinstance(field, forms.TimeField):
            data[name] = shown[name] = "10:15"
        elif isinstance(field, forms.IntegerField):
            low: Any = field.min_value
            high: Any = field.max_value
            value = low if low is not None else 2
            data[name] = shown[name] = str(value if high is None else min(value, high))
        elif isinstance(field, forms.CharField) and type(field) is forms.CharField:
            data[name] = shown[name] = f"Typed {name} — ü"
        elif isinstance(field, forms.CharField):  # a CharField of its own: a slot's instant, chosen not typed
            data[name] = "2027-03-04T10:15:00+00:00"
    # The one invalid value: too long, an impossible date or number, or a choice not offered.
    for name, field in fields.items():
        if name in shown and type(field) is forms.CharField and field.max_length:
            data[name] = shown[name] = f"Typed {name} " + "x" * field.max_length
            return data, shown, name
    for name, field in fields.items():
        if name in shown and isinstance(field, forms.DateField):
            data[name] = shown[name] = "2027-02-30"
            return data, shown, name
    for name, field in fields.items():
        if name in shown and isinstance(field, forms.IntegerField):
            data[name] = shown[name] = "many"
            return data, shown, name
    for name, field in fields.items():
        if name in data and isinstance(field, forms.ChoiceField) and not isinstance(data[name], list):
            data[name] = "not-a-choice"
            return data, shown, name
    for name, field in fields.items():
        if name in shown and field.required:
            data[name] = ""
            del shown[name]
            return data, shown, name
    return data, shown, None


def _not_shown(page: str, shown: dict[str, str], form: forms.BaseForm) -> list[str]:
    missing = []
    for name, value in shown.items():
        if isinstance(form.fields[name].widget, forms.PasswordInput):
            continue  # never sent back to the browser, on purpose
        if html.escape(value) not in page and value not in page:
            missing.append(f"{name}={value[:40]!r}")
    return missing


# --- every form ----------------------------------------------------------------------------------


def test_every_form_module_is_found() -> None:
    # If this fails the enumeration is broken (and every test below would be empty).
    assert len(FORMS) >= 40
    assert {c.__name__ for c in FORMS} >= {"MeetingForm", "NarrativeForm", "SummaryForm", "PostForm", "CallForm"}


@pytest.mark.parametrize("cls", FORMS, ids=_label)
def test_every_form_keeps_what_was_typed_shows_its_limits_and_renders_iso_dates(cls, world) -> None:
    assert issubclass(cls, Form | ModelForm), f"{_label(cls)}: derive from cohort.forms.Form or ModelForm"
    providers = _providers(world)
    empty = build(cls, providers)

    # An invalid form shows again everything typed.
    data, shown, broken = typed_data(empty)
    form = build(cls, providers, data)
    if broken is None:
        # Nothing a person can type makes it invalid (optional free text, ticks): it must accept anything.
        assert form.is_valid(), f"{_label(cls)}: {form.errors.as_text()}"
    else:
        assert not form.is_valid(), f"{_label(cls)} accepted {broken}={data[broken]!r}"
        assert broken in form.errors or form.non_field_errors()
        assert not (missing := _not_shown(str(form), shown, form)), f"{_label(cls)} lost {missing}"

    # No browser maxlength: the limit is data-maxlength, for the counter.
    assert not re.search(r"\smaxlength=", str(empty))
    for name, field in empty.fields.items():
        if getattr(field, "max_length", None) and not field.widget.is_hidden:
            assert f'data-maxlength="{field.max_length}"' in str(empty[name]), name

    # Every date and time field uses the shared widgets, which render ISO values whatever the locale.
    expected = {
        forms.DateTimeField: (widgets.DateTimeInput, datetime(2027, 4, 27, 9, 5), 'value="2027-04-27T09:05"'),
        forms.DateField: (widgets.DateInput, date(2027, 4, 27), 'value="2027-04-27"'),
        forms.TimeField: (widgets.TimeInput, time(9, 5), 'value="09:05"'),
    }
    for name, field in empty.fields.items():
        for kind, (widget, value, rendered) in expected.items():
            if isinstance(field, kind):
                assert type(field.widget) is widget, f"{_label(cls)}.{name} uses {type(field.widget).__name__}"
                assert rendered in field.widget.render(name, value), f"{_label(cls)}.{name}"
                break


# --- through the pages that post them --------------------------------------------------------------

# Each form a page posts to: the access-matrix case of that POST and who sends it. The forms left out
# say why; a new form fails until it is in one of the two.
FORM_VIEWS: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "cohort.forms.InviteForm": ("cohort:invite:post", "facilitator"),
    "cohort.assessment.forms.EvidenceForm": ("cohort:add_evidence:post", "member"),
    "cohort.assessment.forms.CommentForm": ("cohort:add_comment:post", "member"),
    "cohort.assessment.forms.ActionForm": ("cohort:add_action:post", "lead"),
    "cohort.assessment.forms.PracticeForm": ("cohort:add_practice:post", "lead"),
    "cohort.assessment.forms.TargetForm": ("cohort:add_target:post", "facilitator"),
    "meetings.forms.SeriesForm": ("meetings:create_series:post", "facilitator"),
    "meetings.forms.SeriesLengthForm": ("meetings:series_length:post", "facilitator"),
    "meetings.forms.MeetingForm": ("meetings:edit_meeting:post", "facilitator"),
    "meetings.forms.AgendaItemForm": ("meetings:add_agenda_item:post", "facilitator"),
    "meetings.forms.OutcomeForm": ("meetings:add_outcome:post", "facilitator", "outcome"),
    "meetings.consultations.forms.AvailabilityForm": ("meetings:consultation_availability:post", "assessor"),
    "meetings.consultations.forms.BookingForm": ("meetings:consultation_book:post", "lead"),
    "discussions.forms.ThemeForm": ("discussions:add_theme:post", "facilitator"),
    "discussions.forms.ThreadForm": ("discussions:new_thread:post", "member"),
    "discussions.forms.PostForm": ("discussions:add_post:post", "member"),
    "discussions.forms.EditPostForm": ("discussions:edit_post:post", "facilitator"),
    "discussions.forms.ReportForm": ("discussions:report_post:post", "member"),
    "media_feedback.forms.CallForm": ("media_feedback:calls:create", "facilitator"),
    "media_feedback.forms.TypedTranscriptForm": ("media_feedback:type_transcript:post", "facilitator"),
    "media_feedback.review.forms.TranscriptForm": ("media_feedback:correct_transcript:post", "facilitator"),
    "media_feedback.review.forms.SummaryForm": ("media_feedback:edit_summary:post", "facilitator"),
    "cohort.sso.forms.IdentityProviderForm": ("cohort:sso_settings:post", "facilitator"),
}
FORM_ONLY = {
    # No typing: choices or ticks sent by one button, refused with a message (tests/config/test_form_fuzzing.py).
    "cohort.forms.PreferencesForm": "choices only",
    "cohort.forms.RoleForm": "a role and an institution, chosen",
    "cohort.assessment.forms.NarrativeForm": "no limit, so nothing typed is invalid; carried with the evidence "
    "(tests/cohort/assessment/test_criterion_page.py)",
    "cohort.assessment.forms.ReviewForm": "choices and an optional comment; the form cannot be invalid by typing",
    "cohort.assessment.forms.RecommendForm": "an optional note: no typed input is invalid",
    "cohort.assessment.forms.ActionUpdateForm": "a status choice and an optional note",
    "cohort.assessment.forms.ActionCorrectionForm": "an owner chosen and a date, one per item (prefixed); a refusal "
    "shows the plan again with the values (tests/cohort/test_action_plan.py)",
    "cohort.assessment.forms.SharingForm": "two ticks",
    "cohort.assessment.forms.AwardForm": "one date behind a confirmation (helper 'confirm' of #18 owns that page)",
    "cohort.assessment.forms.PracticeSearchForm": "a GET search form: the query stays in the address",
    "meetings.forms.RespondForm": "one button per answer",
    "meetings.forms.AttendanceForm": "ticks only",
    "meetings.forms.MinutesForm": "optional free text: no typed input is invalid",
    "meetings.consultations.forms.RescheduleForm": "a choice of free times (radio buttons)",
    "meetings.consultations.forms.NotesForm": "optional free text: no typed input is invalid",
    "meetings.consultations.forms.ActionForm": "rows of the notes page's formset (prefix form-N)",
    "discussions.forms.PracticeForm": "an area choice and an optional title",
    "discussions.forms.ModerateForm": "one button per action",
    "discussions.forms.SubscriptionForm": "one button per state",
    "media_feedback.review.forms.SpanForm": "word numbers chosen by selecting words",
    "media_feedback.review.forms.QuoteForm": "word numbers chosen by selecting words",
    "media_feedback.review.forms.TagForm": "word numbers chosen by selecting words",
    "media_feedback.review.forms.SuggestionForm": "accept or reject buttons",
    # Pages reached by a token, with journeys of their own.
    "cohort.forms.AcceptInvitationForm": "tests/cohort/test_invitations.py",
    "cohort.forms.ProfileForm": "a name and a time zone (tests/cohort/test_people.py)",
    "cohort.assessment.forms.DataDefinitionForm": "optional free text: no typed input is invalid",
    "media_feedback.forms.ConsentForm": "students' consent: choices and ticks",
    "media_feedback.forms.ReceiptEmailForm": "tests/media_feedback/test_clip_consent.py",
    "cohort.sso.forms.EmailFirstForm": "the log-in's first step, an address alone (tests/cohort/sso/test_login.py)",
}
CASES = {case.label: case for case in all_cases()}


def test_every_form_is_posted_through_its_page_here_or_says_why_not() -> None:
    labels = {_label(c) for c in FORMS}
    assert labels == set(FORM_VIEWS) | set(FORM_ONLY), {
        "not listed": sorted(labels - set(FORM_VIEWS) - set(FORM_ONLY)),
        "no such form": sorted((set(FORM_VIEWS) | set(FORM_ONLY)) - labels),
    }
    assert not set(FORM_VIEWS) & set(FORM_ONLY)
    assert all(row[0] in CASES for row in FORM_VIEWS.values())


def _as_when_the_page_was_shown(world: Any, kwargs: dict[str, Any]) -> None:
    """Showing the workspace or a criterion starts the self-assessment and the criterion's response
    (rows of no content): the page the form was on has done that before anything is posted."""
    if "institution" in kwargs:
        sa = assessment.current_self_assessment(world.cohort, world.irwell)
        if "criterion_id" in kwargs:
            assessment.response_for(sa, Criterion.objects.get(pk=kwargs["criterion_id"]))


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.parametrize("label", sorted(FORM_VIEWS))
def test_an_invalid_post_shows_everything_typed_again_and_changes_nothing(label, world) -> None:
    case_label, actor, *prefix = FORM_VIEWS[label]
    case = CASES[case_label]
    cls = next(c for c in FORMS if _label(c) == label)
    providers = _providers(world)
    url = reverse(case.name, kwargs=case.kwargs(world))
    data, shown, broken = typed_data(build(cls, providers))
    assert broken is not None, f"{label}: no input makes it invalid; list it in FORM_ONLY"
    typed = {f"{prefix[0]}-{name}" if prefix else name: value for name, value in data.items()}
    sent = {**(case.data(world) if case.data else {}), **typed}
    client = client_for(getattr(world, ACTOR_USERS[actor]))
    _as_when_the_page_was_shown(world, case.kwargs(world))
    before = _counts()
    response = client.post(url, sent)
    changed = {k: (before[k], v) for k, v in _counts().items() if before[k] != v}
    assert response.status_code in (200, 400, 409), f"{label}: {response.status_code} {response.get('Location')}"
    page = response.content.decode()
    assert "There is a problem" in page or "errorlist" in page, f"{label}: no message says what is wrong"
    form = build(cls, providers, data)
    assert not (missing := _not_shown(page, shown, form)), f"{label}: the page lost {missing}"
    assert not changed, f"{label}: rows changed {changed}"


# --- edits of a text others may edit too -----------------------------------------------------------

# Every form that edits an existing text which someone else (or the same person in another tab) may
# edit too derives from cohort.forms.EditForm or EditModelForm: it carries the version it was based
# on and a stale save is refused, with the other text shown beside the typed one (cohort.editing;
# each such form has its case in tests/config/test_edit_conflicts.py). Every other form says here
# why it need not; a new form fails until it is one or the other.
NOT_EDITING_SHARED_TEXT = {
    # Each save makes a new row: nothing stored is overwritten.
    "cohort.forms.InviteForm": "a new invitation",
    "cohort.assessment.forms.EvidenceForm": "new evidence (evidence is removed, never edited)",
    "cohort.assessment.forms.CommentForm": "a new comment",
    "cohort.assessment.forms.ActionForm": "a new action",
    "cohort.assessment.forms.PracticeForm": "a new practice",
    "cohort.assessment.forms.TargetForm": "a new target",
    "cohort.assessment.forms.RecommendForm": "a recommendation, one step with its own note row",
    "cohort.assessment.forms.ActionUpdateForm": "the note is a new progress row; a status change is a row of "
    "the history too, so nothing written is lost",
    "meetings.forms.SeriesForm": "a new series",
    "meetings.forms.AgendaItemForm": "a new agenda item",
    "meetings.forms.OutcomeForm": "a new outcome",
    "meetings.consultations.forms.BookingForm": "a new booking (the database refuses an overlap)",
    "meetings.consultations.forms.ActionForm": "rows of new actions under the notes (NotesForm is versioned)",
    "discussions.forms.ThemeForm": "a new theme",
    "discussions.forms.ThreadForm": "a new thread",
    "discussions.forms.PostForm": "a new post",
    "discussions.forms.ReportForm": "a new report",
    "discussions.forms.PracticeForm": "a new practice from a post",
    "media_feedback.forms.CallForm": "a new call",
    "media_feedback.forms.TypedTranscriptForm": "the first transcript of a clip; once one exists another is "
    "refused (correct it with the versioned TranscriptForm)",
    "media_feedback.review.forms.QuoteForm": "a new quote",
    "media_feedback.review.forms.TagForm": "a new tag",
    "media_feedback.review.forms.SpanForm": "a new redaction",
    # Choices, ticks, dates or one button: no text to merge.
    "cohort.forms.PreferencesForm": "choices only",
    "cohort.forms.RoleForm": "a role and an institution, chosen",
    "cohort.assessment.forms.ReviewForm": "the assessor's decision (one assessor per institution); the comment "
    "is a new row",
    "cohort.assessment.forms.ActionCorrectionForm": "an owner and a date, chosen; each change is written into "
    "the item's history",
    "cohort.assessment.forms.SharingForm": "two ticks",
    "cohort.assessment.forms.AwardForm": "one date behind a confirmation",
    "cohort.assessment.forms.PracticeSearchForm": "a GET search form",
    "meetings.forms.SeriesLengthForm": "a number of meetings",
    "meetings.forms.RespondForm": "one button per answer",
    "meetings.forms.AttendanceForm": "ticks only",
    "meetings.consultations.forms.RescheduleForm": "a choice of free times",
    "discussions.forms.ModerateForm": "one button per action",
    "discussions.forms.SubscriptionForm": "one button per state",
    "media_feedback.review.forms.SuggestionForm": "accept or reject buttons",
    # One person's own row.
    "cohort.forms.ProfileForm": "the person's own name and time zone",
    "cohort.forms.AcceptInvitationForm": "the person's own new account",
    "meetings.consultations.forms.AvailabilityForm": "the host's own availability",
    "media_feedback.forms.ConsentForm": "a student's own consent",
    "media_feedback.forms.ReceiptEmailForm": "a student's own receipt address",
    "cohort.sso.forms.EmailFirstForm": "a log-in step",
    # Shared rows left without the check for now (configuration, not prose); the last save wins.
    "cohort.sso.forms.IdentityProviderForm": "LEFT: an institution's sign-in settings (facilitators): "
    "configuration, not prose, and its client secret must never be shown back as the other version",
}


def test_every_form_editing_a_shared_text_refuses_a_stale_save_or_says_why_not() -> None:
    labels = {_label(c) for c in FORMS}
    versioned = {_label(c) for c in FORMS if issubclass(c, SharedTextEdit)}
    assert labels == versioned | set(NOT_EDITING_SHARED_TEXT), {
        "neither versioned nor exempt": sorted(labels - versioned - set(NOT_EDITING_SHARED_TEXT)),
        "no such form": sorted(set(NOT_EDITING_SHARED_TEXT) - labels),
    }
    assert not versioned & set(NOT_EDITING_SHARED_TEXT), "versioned forms need no exemption"
    assert versioned >= {"cohort.assessment.forms.NarrativeForm", "media_feedback.review.forms.SummaryForm"}
    for cls in FORMS:
        if issubclass(cls, SharedTextEdit):
            assert cls.edited, f"{_label(cls)}: name the row's text fields in `edited`"
            assert _label(cls) in FORM_CASES, f"{_label(cls)}: add its case to tests/config/test_edit_conflicts.py"


@pytest.mark.parametrize("cls", [c for c in FORMS if issubclass(c, SharedTextEdit)], ids=_label)
def test_a_versioned_form_carries_its_version_hidden_and_edits_fields_it_has(cls, world) -> None:
    form = build(cls, _providers(world))
    assert form.fields["based_on"].widget.is_hidden
    assert 'type="hidden" name="based_on"' in str(form)
    assert set(cls.edited) <= set(form.fields), f"{_label(cls)}: `edited` names fields the form lacks"
