"""Characters that turn the direction of the text after them are dropped by every form (the base
classes in cohort.forms, which tests/config/test_form_contract.py requires of every form): typed into an
evidence title, U+202E reversed the rest of the line, "added by …" included."""

from __future__ import annotations

from django import forms

from cohort.forms import Form, ProfileForm


class Note(Form):
    title = forms.CharField(max_length=100)


def test_direction_controls_are_dropped_and_right_to_left_text_and_marks_kept() -> None:
    typed = "Bursary\u202e policy \u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u200fدعم\u202c"
    form = Note(data={"title": typed})
    assert form.is_valid()
    assert form.cleaned_data["title"] == "Bursary policy \u05e9\u05dc\u05d5\u05dd \u200fدعم"


def test_a_model_form_drops_them_too(db) -> None:
    form = ProfileForm(data={"display_name": "Hannah\u202e Ridings", "time_zone": "Europe/London"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["display_name"] == "Hannah Ridings"


def test_a_required_text_of_invisible_characters_is_refused_as_empty() -> None:
    for blank in ("\u200b\u200b \u2060\ufeff", "\u200e\u200f", "\u061c", "\u3164\u3164", "\u2800\u2800"):
        form = Note(data={"title": blank})
        assert not form.is_valid(), repr(blank)
        assert form.errors["title"] == ["This field is required."]
    assert Note(data={"title": "\u200bok"}).is_valid()


def test_a_post_of_zero_width_spaces_gets_the_posts_own_message() -> None:
    from discussions.forms import PostForm

    form = PostForm(data={"body": "\u200b\u200b\u200b", "key": "0b6f2f3e-8c1f-4b7e-9a59-0f3b2a1c4d5e"})
    assert not form.is_valid()
    assert form.errors["body"] == ["Write something before you post."]
