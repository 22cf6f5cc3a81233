from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from cohort.forms import Form, IdsChoiceField
from cohort.models import Area, Cohort
from cohort.widgets import DateTimeInput
from media_feedback.models import MB, Consent


class CallForm(Form):
    title = forms.CharField(max_length=200)
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="What students are asked, one question per line."
    )
    areas = IdsChoiceField(
        queryset=Area.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Framework areas"
    )
    opens_at = forms.DateTimeField(label="Opens", widget=DateTimeInput)
    closes_at = forms.DateTimeField(label="Closes", widget=DateTimeInput)
    allow_audio = forms.BooleanField(required=False, initial=True, label="Accept audio")
    allow_video = forms.BooleanField(required=False, initial=True, label="Accept video")
    max_minutes = forms.IntegerField(min_value=1, max_value=30, initial=5, label="Longest clip (minutes)")
    max_megabytes = forms.IntegerField(min_value=1, max_value=2048, initial=500, label="Largest file (MB)")
    retention_days = forms.IntegerField(
        min_value=1, max_value=730, initial=90, label="Days clips are kept after the summary is published"
    )
    keep_originals = forms.BooleanField(
        required=False, label="Keep the uploaded originals (normally only the web version is kept)"
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "opens_at": timezone.localtime().replace(second=0, microsecond=0),
                "closes_at": (timezone.localtime() + timedelta(days=28)).replace(second=0, microsecond=0),
            },
        )
        super().__init__(*args, **kwargs)
        cast(IdsChoiceField, self.fields["areas"]).queryset = Area.objects.filter(framework_id=cohort.framework_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("allow_audio") and not data.get("allow_video"):
            self.add_error("allow_audio", "Accept audio, video or both.")
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:  # the service's rule too; here to show it with the others
            self.add_error("closes_at", "The call must close after it opens.")
        if not [q for q in (data.get("questions") or "").splitlines() if q.strip()]:
            self.add_error("questions", "Ask at least one question.")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "questions": d["questions"],
            "areas": list(d["areas"]),
            "opens_at": d["opens_at"],
            "closes_at": d["closes_at"],
            "allow_audio": d["allow_audio"],
            "allow_video": d["allow_video"],
            "max_seconds": d["max_minutes"] * 60,
            "max_bytes": d["max_megabytes"] * MB,
            "retention_days": d["retention_days"],
            "keep_originals": d["keep_originals"],
        }


UNDER_16 = "under-16"


class ConsentForm(Form):
    question = forms.ChoiceField(label="Which question are you answering?", widget=forms.RadioSelect)
    visibility = forms.ChoiceField(
        label="Who may watch or listen to your clip?",
        widget=forms.RadioSelect,
        choices=[
            ("facilitators", "Only the NNECL facilitators running this project"),
            ("institutions", "The facilitators and staff at my own college or university"),
        ],
    )
    may_quote = forms.BooleanField(
        required=False,
        label="My words may be quoted in the written summary, without my name or anything that identifies me",
    )
    age_band = forms.ChoiceField(
        label="How old are you?",
        widget=forms.RadioSelect,
        choices=[(UNDER_16, "Under 16"), *Consent.AgeBand.choices],
    )
    confirm = forms.BooleanField(label="I have read what happens to my clip and I agree to take part")

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["question"])
        field.choices = [(q, q) for q in questions]
        if len(questions) == 1:
            field.initial = questions[0]
            field.widget = forms.HiddenInput()


class ReceiptEmailForm(Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="We send the link once and delete your address as soon as the e-mail has gone.",
    )
