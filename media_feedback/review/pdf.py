"""A published summary version as a PDF (WeasyPrint): a cover page, headings, page numbers, and
tagged text (PDF/UA) so screen readers can read it. Written in one language: Welsh (its Welsh text and
headings) for a Welsh reader when the version has a Welsh text, English otherwise; the document's
`lang` says which, and a quote spoken in the other language carries its own."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from cohort.i18n import ENGLISH
from media_feedback.review.models import HTML_LANG, SummaryVersion


def version_pdf(version: SummaryVersion, language: str = ENGLISH) -> bytes:
    # WeasyPrint is heavy to import: only the processes that make a PDF pay for it.
    from weasyprint import HTML

    language = version.language_for(language)
    with translation.override(language):
        context = {
            "version": version,
            "title": version.title_in(language),
            "body": version.html_in(language),
            "lang": HTML_LANG[language],
            # A CSS string around the page counters: "Page " counter(page) " of " counter(pages).
            "page_numbers": _("Page %(page)s of %(pages)s").replace('"', "'")
            % {"page": '" counter(page) "', "pages": '" counter(pages) "'},
        }
        html = render_to_string("media_feedback/review/summary_pdf.html", context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True) or b""
