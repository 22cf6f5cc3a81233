"""Markdown written by users, turned into sanitised HTML."""

from __future__ import annotations

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4",
    "hr", "table", "thead", "tbody", "tr", "th", "td", "del", "span",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML: no scripts, no styles, no images, only http(s) and mailto links."""
    html = md.markdown(text or "", extensions=["sane_lists", "tables", "fenced_code"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # lang: words in another language than the text's (a student's quote in Welsh in an English summary).
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "span": {"lang"}, "blockquote": {"lang"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
