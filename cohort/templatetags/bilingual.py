"""`{% bilingual obj "title" %}`: a bilingual field in the reader's language (cohort.i18n.localised).

When a Welsh reader gets the English text because there is no Welsh version yet, it is marked up as
English (`lang="en-GB"`, for screen readers) with a short note saying so; `note=False` leaves the
note out (in lists and headings), `linebreaks=True` keeps the text's paragraphs.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from cohort.i18n import active, localised

register = template.Library()


@register.simple_tag
def bilingual(obj: Any, field: str, *, note: bool = True, linebreaks: bool = False) -> SafeString:
    text, language = localised(obj, field)
    body = linebreaks_filter(text, autoescape=True) if linebreaks else conditional_escape(text)
    if language == active():
        return format_html("{}", body)
    tag = "div" if linebreaks else "span"
    fallback = format_html('<{} lang="en-GB">{}</{}>', tag, body, tag)
    if not note:
        return fallback
    return format_html('{} <small class="muted">{}</small>', fallback, gettext("(in English only)"))


@register.simple_tag
def bilingual_text(obj: Any, field: str) -> str:
    """The field's text in the reader's language when it has one, as plain text (for a page's <title>,
    where markup cannot go)."""
    return localised(obj, field)[0]
