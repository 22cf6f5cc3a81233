"""Forms of clip review and summary documents. Word numbers are counted from 1, as people count."""

from __future__ import annotations

from typing import Any

from django import forms

from cohort.forms import Form
from cohort.models import Area, Cohort


class SpanForm(Form):
    first_word = forms.IntegerField(label="From word number", min_value=1)
    last_word = forms.IntegerField(label="To word number", min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_word"), data.get("last_word")
        if first is not None and last is not None and last < first:
            raise forms.ValidationError("The last word comes before the first: choose the words again.")
        return data

    def span(self) -> tuple[int, int]:
        return self.cleaned_data["first_word"] - 1, self.cleaned_data["last_word"] - 1


def _area_field(cohort: Cohort) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Area.objects.filter(framework_id=cohort.framework_id).order_by("position"),
        label="Framework area",
        empty_label="Choose an area",
    )


class QuoteForm(SpanForm):
    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(cohort)


class TagForm(Form):
    first_word = forms.IntegerField(label="From word number", min_value=1, required=False)
    last_word = forms.IntegerField(label="To word number", min_value=1, required=False)
    segment = forms.BooleanField(label="Only the selected words", required=False)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(cohort)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("segment"):
            first, last = data.get("first_word"), data.get("last_word")
            if first is None or last is None:
                raise forms.ValidationError("Choose the words of the segment first.")
            if last < first:
                raise forms.ValidationError("The last word comes before the first: choose the words again.")
        return data

    def span(self) -> tuple[int | None, int | None]:
        if not self.cleaned_data.get("segment"):
            return None, None
        return self.cleaned_data["first_word"] - 1, self.cleaned_data["last_word"] - 1


class SuggestionForm(Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])


class TranscriptForm(Form):
    text = forms.CharField(
        label="Corrected transcript",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Correct mistaken words. Timings, redactions and quotes follow the words you keep.",
        max_length=50_000,
    )


class SummaryForm(Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Text (Markdown)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="Headings start with ##. Insert a quote with {{quote N}}: use the quote list beside the editor.",
        max_length=200_000,
    )
