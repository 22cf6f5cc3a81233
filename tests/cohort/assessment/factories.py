"""Builders for self-assessment tests."""

from __future__ import annotations

import io
import zipfile

from cohort.assessment.services import current_self_assessment
from cohort.models import Cohort, Criterion, CriterionResponse, Institution, SelfAssessment

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def self_assessment(cohort: Cohort, institution: Institution) -> SelfAssessment:
    return current_self_assessment(cohort, institution)


def make_all_ready(sa: SelfAssessment, *, skip: tuple[str, ...] = ()) -> None:
    """Every criterion of the framework ready for review (except the codes in skip), with a narrative."""
    criteria = Criterion.objects.filter(area__framework_id=sa.cohort.framework_id).select_related("area")
    for criterion in criteria:
        status = CriterionResponse.Status.IN_PROGRESS if criterion.code in skip else CriterionResponse.Status.READY
        CriterionResponse.objects.update_or_create(
            self_assessment=sa,
            criterion=criterion,
            defaults={"status": status, "narrative": f"How we meet {criterion.code}."},
        )


def criterion(cohort: Cohort, code: str) -> Criterion:
    area, position = (int(part) for part in code.split("."))
    return Criterion.objects.get(area__framework_id=cohort.framework_id, area__position=area, position=position)


def odt_bomb(inflated_bytes: int, *, entries: int = 1) -> bytes:
    """An `.odt` whose `mimetype` entry is a valid ODF type followed by `inflated_bytes` of spaces,
    deflated (a zip bomb: 500 MB of it takes about 0.5 MB). `entries` adds that many empty files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("mimetype", "w", force_zip64=False) as entry:
            entry.write(b"application/vnd.oasis.opendocument.text")
            block = b" " * (4 * 1024 * 1024)
            for _ in range(inflated_bytes // len(block)):
                entry.write(block)
            entry.write(block[: inflated_bytes % len(block)])
        archive.writestr("content.xml", "<office:document-content/>")
        for number in range(entries - 1):
            archive.writestr(f"Pictures/{number}.png", b"")
    return out.getvalue()
