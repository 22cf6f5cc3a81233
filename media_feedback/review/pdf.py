"""A published summary version as a PDF (WeasyPrint): a cover page, headings, page numbers, and
tagged text (PDF/UA) so screen readers can read it."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from media_feedback.review.models import SummaryVersion


def version_pdf(version: SummaryVersion) -> bytes:
    # WeasyPrint is heavy to import: only the processes that make a PDF pay for it.
    from weasyprint import HTML

    html = render_to_string("media_feedback/review/summary_pdf.html", {"version": version})
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True) or b""
