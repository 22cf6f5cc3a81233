"""Evidence archives are looked into with bounded reads: a zip bomb is refused, not inflated."""

from __future__ import annotations

import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohort.assessment import evidence_files
from cohort.models import Evidence
from tests.cohort.assessment.factories import criterion, odt_bomb
from tests.factories import World, client_for

BOMB = 100 * 1024 * 1024  # inflated size of the bomb's `mimetype` entry


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return odt_bomb(BOMB)


def _add(world: World, upload: SimpleUploadedFile):
    c1 = criterion(world.cohort, "1.1")
    url = reverse("cohort:add_evidence", kwargs={"cohort": "gm", "institution": "irwell", "criterion_id": c1.pk})
    return client_for(world.alice).post(url, {"title": "Policy", "dated": "2025-09-01", "file": upload})


def test_a_zip_bomb_is_refused_with_a_plain_message_and_nothing_saved(world: World, evidence_storage, bomb) -> None:
    """Finding 3: an .odt whose `mimetype` entry inflates to hundreds of MB was read whole (a worker grew
    by 1 GB) and then accepted; now it is refused, in plain words, and nothing is saved."""
    assert len(bomb) < BOMB // 500
    response = _add(world, SimpleUploadedFile("report.odt", bomb))
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert "far larger than a document's, so it was not saved" in page
    assert "save it again (or export it as PDF)" in page
    assert not Evidence.objects.exists()
    assert not any(evidence_storage.rglob("*.odt"))


def test_looking_into_a_zip_bomb_allocates_little(bomb) -> None:
    """Finding 3: the check inflates at most a fixed number of bytes, whatever the archive declares."""
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            evidence_files.check_evidence_file(SimpleUploadedFile("report.odt", bomb))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1024**2:.1f} MB"


def test_an_archive_listing_too_many_files_is_refused(monkeypatch) -> None:
    """Finding 3: an archive's directory is only listed when its end record says it is small."""
    monkeypatch.setattr(evidence_files, "MAX_ARCHIVE_ENTRIES", 50)
    with pytest.raises(ValidationError, match="far larger than a document's"):
        evidence_files.check_evidence_file(SimpleUploadedFile("report.odt", odt_bomb(0, entries=60)))


def test_a_real_opendocument_file_is_still_accepted() -> None:
    checked = evidence_files.check_evidence_file(SimpleUploadedFile("report.odt", odt_bomb(0, entries=5)))
    assert checked.kind == "odf"


def test_an_archive_that_understates_an_entrys_size_is_refused() -> None:
    """Found by an outside tester: a `mimetype` entry declaring 39 bytes whose data inflates to many MB
    was read 39 bytes deep and stored as evidence (a zip bomb for whoever opens it)."""
    data = bytearray(odt_bomb(20 * 1024 * 1024))
    declared = len(b"application/vnd.oasis.opendocument.text").to_bytes(4, "little")
    data[22:26] = declared  # the local header's uncompressed size
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = declared  # the directory's
    with pytest.raises(ValidationError, match="far larger than a document's"):
        evidence_files.check_evidence_file(SimpleUploadedFile("report.odt", bytes(data)))
