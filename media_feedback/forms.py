from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohort.forms import Form, IdsChoiceField
from cohort.i18n import localised
from cohort.models import Area, Cohort
from cohort.widgets import DateTimeInput
from media_feedback.models import MB, Consent


class CallForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    title_cy = forms.CharField(
        label=_("Title in Welsh"),
        max_length=200,
        required=False,
        help_text=_("Optional: Welsh readers see the English title until there is one."),
    )
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What students are asked, one question per line."),
    )
    questions_cy = forms.CharField(
        label=_("Questions in Welsh"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Optional: the same questions in Welsh, one per line, in the same order."),
    )
    language = forms.ChoiceField(
        label=_("First language of the link"),
        choices=settings.LANGUAGES,
        initial="en-gb",
        required=False,  # English unless chosen
        help_text=_("Students who have not chosen a language see the link's pages in this one first."),
    )
    areas = IdsChoiceField(
        queryset=Area.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Framework areas")
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeInput)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeInput)
    allow_audio = forms.BooleanField(required=False, initial=True, label=_("Accept audio"))
    allow_video = forms.BooleanField(required=False, initial=True, label=_("Accept video"))
    max_minutes = forms.IntegerField(min_value=1, max_value=30, initial=5, label=_("Longest clip (minutes)"))
    max_megabytes = forms.IntegerField(min_value=1, max_value=2048, initial=500, label=_("Largest file (MB)"))
    retention_days = forms.IntegerField(
        min_value=1, max_value=730, initial=90, label=_("Days clips are kept after the summary is published")
    )
    keep_originals = forms.BooleanField(
        required=False, label=_("Keep the uploaded originals (normally only the web version is kept)")
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
        areas = cast(IdsChoiceField, self.fields["areas"])
        areas.queryset = Area.objects.filter(framework_id=cohort.framework_id)
        # Each area in the reader's language (its Welsh title where it has one).
        areas.label_from_instance = lambda area: f"{area.position}. {localised(area, 'title')[0]}"  # type: ignore[method-assign, assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("allow_audio") and not data.get("allow_video"):
            self.add_error("allow_audio", _("Accept audio, video or both."))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:  # the service's rule too; here to show it with the others
            self.add_error("closes_at", _("The call must close after it opens."))
        english = [q for q in (data.get("questions") or "").splitlines() if q.strip()]
        welsh = [q for q in (data.get("questions_cy") or "").splitlines() if q.strip()]
        if not english:
            self.add_error("questions", _("Ask at least one question."))
        elif welsh and len(welsh) != len(english):
            self.add_error(
                "questions_cy",
                _(
                    "Give the Welsh of every question, one per line in the same order: %(english)s in English, "
                    "%(welsh)s in Welsh."
                )
                % {"english": len(english), "welsh": len(welsh)},
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "title_cy": d["title_cy"],
            "questions": d["questions"],
            "questions_cy": d["questions_cy"],
            "language": d["language"] or "en-gb",
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
    question = forms.ChoiceField(label=_("Which question are you answering?"), widget=forms.RadioSelect)
    visibility = forms.ChoiceField(
        label=_("Who may watch or listen to your clip?"),
        widget=forms.RadioSelect,
        choices=[
            ("facilitators", _("Only the NNECL facilitators running this project")),
            ("institutions", _("The facilitators and staff at my own college or university")),
        ],
    )
    may_quote = forms.BooleanField(
        required=False,
        label=_("My words may be quoted in the written summary, without my name or anything that identifies me"),
    )
    age_band = forms.ChoiceField(
        label=_("How old are you?"),
        widget=forms.RadioSelect,
        choices=[(UNDER_16, _("Under 16")), *Consent.AgeBand.choices],
    )
    confirm = forms.BooleanField(label=_("I have read what happens to my clip and I agree to take part"))

    def __init__(self, *args: Any, questions: Sequence[str | tuple[str, str, str]], **kwargs: Any) -> None:
        """`questions`: each (the English question, the text the student reads, its language), as
        FeedbackCall.questions_in gives them, or just the question; the clip records the English one."""
        super().__init__(*args, **kwargs)
        pairs = [(q, q) if isinstance(q, str) else (q[0], q[1]) for q in questions]
        field = cast(forms.ChoiceField, self.fields["question"])
        field.choices = pairs
        if len(pairs) == 1:
            field.initial = pairs[0][0]
            field.widget = forms.HiddenInput()


class ReceiptEmailForm(Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_(
            "We send the link to this address (at most three times for one clip) and delete the address as soon "
            "as the e-mail has gone."
        ),
    )


class TypedTranscriptForm(Form):
    text = forms.CharField(
        label=_("Transcript"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=50_000,
        help_text=_("Type what the student says, in the language they speak. Names can be redacted afterwards."),
    )

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["lang"] = language  # the student's words, for spell-checkers and readers
