from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from cohort.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    # Reviewed: render_markdown sanitises with nh3 (allow-listed tags, attributes and URL schemes).
    return mark_safe(render_markdown(text))  # noqa: S308  # nosec B308 B703


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if hasattr(mapping, "get") else None
