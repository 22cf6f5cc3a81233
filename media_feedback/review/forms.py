"""Forms of clip review and summary documents. Word numbers are counted from 1, as people count."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cohort.forms import EditForm, Form
from cohort.i18n import localised
from cohort.models import Area, Cohort

LAST_BEFORE_FIRST = _("The last word comes before the first: choose the words again.")


class SpanForm(Form):
    first_word = forms.IntegerField(label=_("From word number"), min_value=1)
    last_word = forms.IntegerField(label=_("To word number"), min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_word"), data.get("last_word")
        if first is not None and last is not None and last < first:
            raise forms.ValidationError(LAST_BEFORE_FIRST)
        return data

    def span(self) -> tuple[int, int]:
        return self.cleaned_data["first_word"] - 1, self.cleaned_data["last_word"] - 1


class AreaChoiceField(forms.ModelChoiceField):
    """Areas by their title in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return localised(obj, "title")[0]


def _area_field(cohort: Cohort) -> forms.ModelChoiceField:
    return AreaChoiceField(
        queryset=Area.objects.filter(framework_id=cohort.framework_id).order_by("position"),
        label=_("Framework area"),
        empty_label=_("Choose an area"),
    )


class QuoteForm(SpanForm):
    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(cohort)


class TagForm(Form):
    first_word = forms.IntegerField(label=_("From word number"), min_value=1, required=False)
    last_word = forms.IntegerField(label=_("To word number"), min_value=1, required=False)
    segment = forms.BooleanField(label=_("Only the selected words"), required=False)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(cohort)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("segment"):
            first, last = data.get("first_word"), data.get("last_word")
            if first is None or last is None:
                raise forms.ValidationError(_("Choose the words of the segment first."))
            if last < first:
                raise forms.ValidationError(LAST_BEFORE_FIRST)
        return data

    def span(self) -> tuple[int | None, int | None]:
        if not self.cleaned_data.get("segment"):
            return None, None
        return self.cleaned_data["first_word"] - 1, self.cleaned_data["last_word"] - 1


class SuggestionForm(Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("accept", _("Accept")), ("reject", _("Reject"))])


class TranscriptForm(EditForm):
    edited = ("text",)

    text = forms.CharField(
        label=_("Corrected transcript"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Correct mistaken words. Timings, redactions and quotes follow the words you keep."),
        max_length=50_000,
    )


MARKDOWN_HELP = _("Headings start with ##. Insert a quote with {{quote N}}: use the quote list beside the editor.")


class SummaryForm(EditForm):
    edited = ("title", "body", "title_cy", "body_cy")

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=MARKDOWN_HELP,
        max_length=200_000,
    )
    # The Welsh version, published with the English one when it has a text (and then a title).
    title_cy = forms.CharField(label=_("Welsh title"), max_length=200, required=False)
    body_cy = forms.CharField(
        label=_("Welsh text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "lang": "cy"}),
        help_text=MARKDOWN_HELP,
        max_length=200_000,
    )
