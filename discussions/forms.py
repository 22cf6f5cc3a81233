from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from cohort.forms import EditForm, Form
from cohort.i18n import localised
from cohort.integers import BoundedIntegerField
from cohort.models import Area, Membership
from discussions.models import MAX_POST_LENGTH

BODY_HELP = _("Markdown: **bold**, *italic*, lists, links. Mention someone with @**Their Name**.")


class PostForm(Form):
    body = forms.CharField(
        label=_("Your post"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_POST_LENGTH,
        help_text=BODY_HELP,
        error_messages={"required": _("Write something before you post.")},
    )
    parent = BoundedIntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # A fresh key per rendered form: a double click or a retried submit sends the same one.
    key = forms.UUIDField(widget=forms.HiddenInput, error_messages={"required": _("Reload the page and try again.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)


class ThreadForm(Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the thread a title.")}
    )
    body = forms.CharField(
        label=_("First post"),
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=MAX_POST_LENGTH,
        help_text=BODY_HELP,
        error_messages={"required": _("Write something before you post.")},
    )
    private = forms.BooleanField(
        required=False,
        label=_("Only my institution's working group (and the facilitator) can see this thread"),
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        if not membership.institution_id:
            del self.fields["private"]


class EditPostForm(EditForm):
    edited = ("body",)

    body = forms.CharField(
        label=_("Your post"),
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=MAX_POST_LENGTH,
        help_text=BODY_HELP,
        error_messages={"required": _("Write something before you post.")},
    )


class ThemeForm(Form):
    title = forms.CharField(label=_("Title"), max_length=120, error_messages={"required": _("Give the theme a title.")})
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ReportForm(Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Say briefly what is wrong with this post.")},
    )


class PracticeForm(Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), empty_label=None)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty to use the thread's title.")
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        area.queryset = Area.objects.filter(framework_id=membership.cohort.framework_id)  # type: ignore[attr-defined]
        area.label_from_instance = lambda a: f"{a.position}. {localised(a, 'title')[0]}"  # type: ignore[attr-defined]


class ModerateForm(Form):
    action = forms.ChoiceField(
        label=pgettext_lazy("moderation", "Action"),
        choices=[("pin", _("Pin")), ("unpin", _("Unpin")), ("lock", _("Lock")), ("unlock", _("Unlock"))],
    )


class SubscriptionForm(Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("follow", _("Follow")), ("mute", _("Mute")), ("none", _("Default"))]
    )
