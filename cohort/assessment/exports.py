"""The self-assessment, its evidence list and action plan as a PDF and as CSV, in the language of
whoever downloads it (the framework's own words in it too, where they have a Welsh version)."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _, pgettext

from cohort.assessment import services as assessment
from cohort.i18n import localised
from cohort.models import ActionItem, Evidence, SelfAssessment


def filename(sa: SelfAssessment) -> str:
    return f"self-assessment-{sa.institution.slug}-cycle-{sa.cycle}"


def _context(sa: SelfAssessment) -> dict[str, object]:
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(response__self_assessment=sa).select_related("response"):
        evidence.setdefault(item.response.criterion_id, []).append(item)
    return {
        "sa": sa,
        "areas": assessment.criteria_with_responses(sa),
        "evidence": evidence,
        "items": ActionItem.objects.filter(cohort_id=sa.cohort_id, institution_id=sa.institution_id).select_related(
            "area", "owner"
        ),
        "generated_at": timezone.now(),
        "site_url": settings.SITE_URL,
    }


def self_assessment_pdf(sa: SelfAssessment) -> bytes:
    # WeasyPrint is heavy to import: only the processes that make a PDF pay for it.
    from weasyprint import HTML

    html = render_to_string("cohort/assessment/export.html", _context(sa))
    # No base_url: the document carries all it needs and fetches nothing.
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def _cell(value: object) -> str:
    text = str(value)
    # Spreadsheet programs run cells that start like a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def self_assessment_csv(sa: SelfAssessment) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("section"),
            _("area"),
            _("criterion"),
            _("status"),
            _("practice"),
            _("title or narrative"),
            _("date"),
            _("owner"),
            _("link"),
        ]
    )
    # What each row is (the "section" column).
    criterion_row = pgettext("a row of the CSV export", "criterion")
    evidence_row = pgettext("a row of the CSV export", "evidence")
    action_row = pgettext("a row of the CSV export", "action")
    context = _context(sa)
    evidence: dict[int, list[Evidence]] = context["evidence"]  # type: ignore[assignment]
    for area, criteria in context["areas"]:  # type: ignore[attr-defined]
        area_title = localised(area, "title")[0]
        for criterion, response in criteria:
            status = response.get_status_display() if response else _("Not started")
            practice = response.get_practice_display() if response and response.practice else ""
            writer.writerow(
                map(
                    _cell,
                    [
                        criterion_row,
                        area_title,
                        criterion.code,
                        status,
                        practice,
                        response.narrative if response else "",
                        "",
                        "",
                        "",
                    ],
                )
            )
            for item in evidence.get(criterion.pk, []):
                writer.writerow(
                    map(
                        _cell,
                        [
                            evidence_row,
                            area_title,
                            criterion.code,
                            "",
                            "",
                            item.title,
                            item.dated.isoformat(),
                            "",
                            item.link or item.original_name,
                        ],
                    )
                )
    for action in context["items"]:  # type: ignore[attr-defined]
        writer.writerow(
            map(
                _cell,
                [
                    action_row,
                    localised(action.area, "title")[0] if action.area else "",
                    "",
                    action.get_status_display() + (" " + _("(overdue)") if action.is_overdue else ""),
                    "",
                    action.title,
                    action.due_on.isoformat() if action.due_on else "",
                    action.owner_label,
                    action.source_url,
                ],
            )
        )
    return out.getvalue()
