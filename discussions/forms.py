from __future__ import annotations

import uuid
from typing import Any

from django import forms

from cohort.forms import Form
from cohort.integers import BoundedIntegerField
from cohort.models import Area, Membership
from discussions.models import MAX_POST_LENGTH

BODY_HELP = "Markdown: **bold**, *italic*, lists, links. Mention someone with @**Their Name**."


class PostForm(Form):
    body = forms.CharField(
        label="Your post",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_POST_LENGTH,
        help_text=BODY_HELP,
        error_messages={"required": "Write something before you post."},
    )
    parent = BoundedIntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # A fresh key per rendered form: a double click or a retried submit sends the same one.
    key = forms.UUIDField(widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)


class ThreadForm(Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the thread a title."})
    body = forms.CharField(
        label="First post",
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=MAX_POST_LENGTH,
        help_text=BODY_HELP,
        error_messages={"required": "Write something before you post."},
    )
    private = forms.BooleanField(
        required=False,
        label="Only my institution's working group (and the facilitator) can see this thread",
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        if not membership.institution_id:
            del self.fields["private"]


class EditPostForm(Form):
    body = forms.CharField(
        label="Your post",
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=MAX_POST_LENGTH,
        help_text=BODY_HELP,
        error_messages={"required": "Write something before you post."},
    )


class ThemeForm(Form):
    title = forms.CharField(max_length=120, error_messages={"required": "Give the theme a title."})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReportForm(Form):
    reason = forms.CharField(
        label="What is wrong with this post?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say briefly what is wrong with this post."},
    )


class PracticeForm(Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), empty_label=None)
    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to use the thread's title.")

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(framework_id=membership.cohort.framework_id)  # type: ignore[attr-defined]


class ModerateForm(Form):
    action = forms.ChoiceField(choices=[("pin", "pin"), ("unpin", "unpin"), ("lock", "lock"), ("unlock", "unlock")])


class SubscriptionForm(Form):
    state = forms.ChoiceField(choices=[("follow", "Follow"), ("mute", "Mute"), ("none", "Default")])
