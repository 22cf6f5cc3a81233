from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _

from cohort.assessment.evidence_files import ALLOWED_EXTENSIONS, MAX_EVIDENCE_BYTES
from cohort.assessment.services import Decision
from cohort.forms import EditForm, EditModelForm, Form, ModelForm
from cohort.i18n import localised
from cohort.models import (
    ActionItem,
    AppTarget,
    Area,
    Cohort,
    CriterionResponse,
    DataDefinition,
    EffectivePractice,
    Institution,
    User,
)
from cohort.widgets import DateInput


class AreaChoiceField(forms.ModelChoiceField):
    """A choice of the framework's areas, each named in the reader's language ("1. Culture and leadership")."""

    def label_from_instance(self, obj: Model) -> str:
        return f"{obj.position}. {localised(obj, 'title')[0]}"  # type: ignore[attr-defined]


def _evidence_file_help() -> str:
    return gettext("A document or image up to %(limit)s MB (%(extensions)s).") % {
        "limit": MAX_EVIDENCE_BYTES // (1024 * 1024),
        "extensions": ", ".join(ALLOWED_EXTENSIONS),
    }


class NarrativeForm(EditForm):
    edited = ("narrative",)

    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        label=_("Narrative"),
        help_text=_("Markdown: **bold**, *italic*, lists, links and tables."),
    )
    ready = forms.BooleanField(required=False, label=_("Ready for review"))


class EvidenceForm(Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    dated = forms.DateField(
        label=_("Date of the evidence"), widget=DateInput, help_text=_("When the evidence is from.")
    )
    file = forms.FileField(
        required=False,
        label=_("File"),
        help_text=lazy(_evidence_file_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in ALLOWED_EXTENSIONS)}),
    )
    link = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label=_("Link"), help_text=_("Or a link to it.")
    )

    def clean_dated(self) -> Any:
        dated = self.cleaned_data["dated"]
        if dated > timezone.localdate():
            raise forms.ValidationError(_("The date of the evidence cannot be in the future."))
        return dated

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("link")):
            raise forms.ValidationError(_("Attach a file or give a link (one of the two)."))
        return data


class CommentForm(Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(Form):
    decision = forms.ChoiceField(choices=Decision.CHOICES, widget=forms.RadioSelect, label=_("Decision"))
    practice = forms.ChoiceField(
        choices=CriterionResponse.Practice.choices,
        required=False,
        label=_("Practice"),
        help_text=_("Optional, when you accept: highlight enhanced or exceptional practice."),
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Comment to the institution")
    )


class RecommendForm(Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Recommendation note"))


class AwardForm(Form):
    awarded_on = forms.DateField(label=_("Award date"), widget=DateInput)


class ActionForm(Form):
    title = forms.CharField(max_length=300, label=_("Title"))
    area = AreaChoiceField(
        queryset=Area.objects.none(), required=False, empty_label=_("Whole framework"), label=_("Area")
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label=_("Someone without an account"), label=_("Owner")
    )
    owner_name = forms.CharField(max_length=120, required=False, label=_("Owner's name (no account)"))
    due_on = forms.DateField(label=_("Due date"), widget=DateInput)
    detail = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Detail"))

    def __init__(self, *args: Any, cohort: Cohort, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(framework_id=cohort.framework_id)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = User.objects.working_group(cohort, institution)  # type: ignore[attr-defined]

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("A new action cannot be due in the past."))
        return due_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner") and not (data.get("owner_name") or "").strip():
            self.add_error("owner", _("Choose an owner or give the owner's name."))
        return data


class ActionCorrectionForm(Form):
    """A lead (or facilitator) puts right an action's owner or due date. The owner list is the
    institution's working group only; the plan page passes its choices in once for every item."""

    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label=_("Someone without an account"), label=_("Owner")
    )
    owner_name = forms.CharField(max_length=120, required=False, label=_("Owner's name (no account)"))
    due_on = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(
        self, *args: Any, cohort: Cohort, institution: Institution, owners: list[User] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = User.objects.working_group(cohort, institution)  # type: ignore[attr-defined]
        if owners is not None:  # the same list for every item of the page: no query per form
            field.choices = [("", field.empty_label), *((u.pk, str(u)) for u in owners)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner") and not (data.get("owner_name") or "").strip():
            self.add_error("owner", _("Choose an owner or give the owner's name."))
        return data


class ActionUpdateForm(Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices, label=_("Status"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Progress note"))


class PracticeForm(ModelForm):
    class Meta:
        model = EffectivePractice
        fields = ["area", "title", "description", "source", "source_url", "anonymous", "shared_with_sector"]
        labels = {
            "area": _("Area"),
            "title": _("Title"),
            "description": _("Description"),
            "source": _("Source"),
            "source_url": _("Link to where it came from"),
            "anonymous": _("Hide our institution's name"),
            "shared_with_sector": _("Share with the whole sector (beyond this cohort)"),
        }
        help_texts = {"anonymous": _("Hide the institution's name.")}
        field_classes = {"area": AreaChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(framework_id=cohort.framework_id)  # type: ignore[attr-defined]


class PracticeSearchForm(Form):
    q = forms.CharField(required=False, label=_("Search"), max_length=200)
    area = AreaChoiceField(queryset=Area.objects.none(), required=False, empty_label=_("All areas"), label=_("Area"))

    def __init__(self, *args: Any, framework_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = Area.objects.all() if framework_id is None else Area.objects.filter(framework_id=framework_id)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]


class SharingForm(Form):
    shared_with_sector = forms.BooleanField(required=False, label=_("Share with the whole sector"))
    anonymous = forms.BooleanField(required=False, label=_("Hide the institution's name"))


class DataDefinitionForm(EditModelForm):
    edited = ("care_experienced", "estranged", "data_sources")

    class Meta:
        model = DataDefinition
        fields = ["care_experienced", "estranged", "data_sources"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4}) for name in ["care_experienced", "estranged", "data_sources"]
        }


class TargetForm(ModelForm):
    class Meta:
        model = AppTarget
        fields = ["group", "measure", "baseline", "target", "year"]
        labels = {
            "group": _("Students"),
            "measure": _("Measure"),
            "baseline": _("Baseline"),
            "target": _("Target"),
            "year": _("Year"),
        }

    def clean_year(self) -> str:
        year = self.cleaned_data["year"].strip()
        if not re.fullmatch(r"\d{4}(-\d{2})?", year):
            raise forms.ValidationError(_("Give a year such as 2028 or 2028-29."))
        return year
