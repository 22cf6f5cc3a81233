"""`{% call_question call question %}`: a call's question (stored in English) in the reader's language.

A Welsh reader gets the question's Welsh line when the call has one; otherwise the English, marked
up as English (`lang="en-GB"`) for screen readers, as `{% bilingual %}` does for other fields.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cohort.i18n import active
from media_feedback.models import FeedbackCall

register = template.Library()


@register.simple_tag
def call_question(call: FeedbackCall, question: str) -> SafeString:
    text, language = call.question_in(question, active())
    if language == active():
        return format_html("{}", text)
    return format_html('<span lang="{}">{}</span>', "cy" if language == "cy" else "en-GB", text)


@register.simple_tag
def shown_question(text: str, language: str) -> SafeString:
    """One of FeedbackCall.questions_in's (text, language) pairs, marked up in its language."""
    if language == active():
        return format_html("{}", text)
    return format_html('<span lang="{}">{}</span>', "cy" if language == "cy" else "en-GB", text)
