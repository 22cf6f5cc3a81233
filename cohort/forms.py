from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from cohort import editing, i18n
from cohort.models import (
    INSTITUTION_ROLES,
    Cohort,
    Delivery,
    Institution,
    Membership,
    NotificationKind,
    NotificationPreference,
    Role,
    User,
    time_zone_choices,
)
from cohort.widgets import show_limits

# Characters that turn the direction of the text after them until a closing mark: typed into a title,
# one would reverse what the page shows after it ("added by …"), which can disguise who wrote what.
# Right-to-left text needs none of them (the browser orders it by itself), so the product's forms drop
# them; the plain direction marks (U+200E, U+200F) stay.
DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


# Characters that show nothing (zero-width, direction marks, blank letters such as the Hangul filler or
# the empty braille cell): a required field holding only these (and spaces) is empty.
INVISIBLE = dict.fromkeys(
    [
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        0x00AD,
        0x180E,
        0x061C,
        0x3164,
        0x2800,
        0x115F,
        0x1160,
        0xFFA0,
    ]
)


def clean_typed_text(form: forms.BaseForm) -> None:
    """Drops direction controls from every text, and refuses a required text that shows nothing."""
    for name, value in list(form.cleaned_data.items()):
        if not isinstance(value, str):
            continue
        value = form.cleaned_data[name] = value.translate(DIRECTION_CONTROLS)
        field = form.fields.get(name)
        if field is not None and field.required and value and not value.translate(INVISIBLE).strip():
            form.add_error(name, forms.ValidationError(field.error_messages["required"], code="required"))


class Form(forms.Form):
    """The product's form: length limits shown by a counter and enforced with a message (see
    cohort.widgets), and no characters that turn the text's direction. Every form of the product
    derives from this or from ModelForm below. A required text of nothing but invisible characters is
    refused as empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_limits(self.fields)

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        clean_typed_text(self)


class ModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_limits(self.fields)

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        clean_typed_text(self)


class SharedTextEdit(forms.BaseForm):
    """What makes a form edit a text others may edit too (cohort.editing): derive from EditForm or
    EditModelForm below. `edited` names the fields that are the row's text, under the row's own
    field names; `row` (when showing the form) gives their stored values and the version the form
    is based on, sent back in the hidden `based_on`.

    A save refused as stale (`show_conflict`) keeps everything typed, says who saved what and when,
    shows their text beside each field (`field.theirs`, read by templates/_form.html) and carries
    the new version, so that saving the merged text again succeeds."""

    edited: tuple[str, ...] = ()

    def __init__(self, *args: Any, row: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[editing.BASED_ON] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.conflict: editing.EditConflict | None = None
        if row is not None:
            values = self.stored(row)
            self.initial.setdefault(editing.BASED_ON, editing.fingerprint_of(values.values()))
            for name, value in values.items():
                self.initial.setdefault(name, value)

    def stored(self, row: Any) -> dict[str, Any]:
        """The row's edited values under the form's field names (the same names unless overridden)."""
        return editing.stored(row, self.edited)

    def based_on_version(self) -> str:
        return str(self.cleaned_data.get(editing.BASED_ON) or "")

    def show_conflict(self, conflict: editing.EditConflict) -> None:
        self.conflict = conflict
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict, both copy
        data[self.add_prefix(editing.BASED_ON)] = conflict.current
        self.data = data
        for name, theirs in conflict.theirs.items():
            typed = str(self.data.get(self.add_prefix(name), "")).replace("\r\n", "\n").strip()
            if name in self.fields and theirs != typed:
                choices = dict(getattr(self.fields[name], "choices", None) or ())
                shown = choices.get(theirs, choices.get(int(theirs), theirs) if theirs.isdigit() else theirs)
                self.fields[name].theirs = str(shown)  # type: ignore[attr-defined]  # a choice by its label
                self.fields[name].theirs_label = editing.theirs_label(conflict)  # type: ignore[attr-defined]
        self.add_error(None, conflict.messages)


class EditForm(SharedTextEdit, Form):
    """A Form over a text others may edit too (SharedTextEdit)."""


class EditModelForm(SharedTextEdit, ModelForm):
    """A ModelForm over a text others may edit too (SharedTextEdit)."""


ID_RANGE = range(-(2**63), 2**63)  # what a database integer column holds


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by id that refuses an id no database integer can hold as a choice
    it does not offer. Django's own field passes it to the database, where SQLite fails with an
    OverflowError (a server error) on the lookup of the chosen rows."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: Django's field says so
            if number not in ID_RANGE:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in the stubs


# Each language is named in itself, as language pickers do: a reader of either finds their own.
LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class InviteForm(Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=())
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none(), required=False)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=LANGUAGE_CHOICES,
        required=False,  # none sent: the inviter's current language
        help_text=_("The e-mail is written in it, and it becomes the new account's language."),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = membership.grantable_roles()
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r.value, r.label) for r in Role if r.value in allowed]
        # The least powerful role is the default: sending with the defaults never makes a facilitator.
        self.fields["role"].initial = Role.MEMBER.value
        self.fields["language"].initial = i18n.active()  # the inviter's own, unless they choose
        if membership.is_lead:
            del self.fields["institution"]
        else:
            cast(forms.ModelChoiceField, self.fields["institution"]).queryset = membership.cohort.institutions.all()
            self.fields["institution"].help_text = _("Only for institution leads and members.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, institution = data.get("role"), data.get("institution")
        if "institution" in self.fields:
            if role in INSTITUTION_ROLES and institution is None:
                self.add_error("institution", _("Choose the institution this person works at."))
            if role not in INSTITUTION_ROLES and institution is not None:
                self.add_error("institution", _("Only institution leads and members belong to an institution."))
        return data


class RoleForm(Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none(), required=False)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["institution"]).queryset = cohort.institutions.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in INSTITUTION_ROLES and data.get("institution") is None:
            self.add_error("institution", _("Choose the institution for a lead or member."))
        return data


class AcceptInvitationForm(Form):
    display_name = forms.CharField(label=_("Your name"), max_length=120)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, initial="Europe/London")
    password1 = forms.CharField(
        label=_("Choose a password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, display_name=data.get("display_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfileForm(ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=LANGUAGE_CHOICES,
        required=False,  # none sent: not chosen (pages follow the browser, e-mails are in English)
        help_text=_("The site's pages, and every e-mail and invitation sent to you, are in this language."),
    )

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "language"]
        labels = {"display_name": _("Your name")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.language:  # not chosen yet: the language the page is in
            self.initial["language"] = i18n.active()


class PreferencesForm(Form):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, initial=current.get(kind.value, Delivery.IMMEDIATE)
            )
