"""Evidence: documents and images (checked by content) or links, each dated, served only through a
permission-checked view."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohort.assessment import evidence_files
from cohort.models import Evidence
from tests.cohort.assessment.factories import PDF_BYTES, PNG_BYTES, criterion
from tests.factories import World, client_for


def _add(world: World, user, **data):
    c1 = criterion(world.cohort, "1.1")
    url = reverse("cohort:add_evidence", kwargs={"cohort": "gm", "institution": "irwell", "criterion_id": c1.pk})
    return client_for(user).post(url, {"title": "Care leaver policy", "dated": "2025-09-01", **data})


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("policy.pdf", PDF_BYTES, "application/pdf"),
        ("photo.png", PNG_BYTES, "image/png"),
        ("report.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("figures.csv", b"year,count\n2025,41\n", "text/plain"),
    ],
)
def test_a_member_attaches_a_document_or_image_with_the_date_it_is_from(
    world: World, evidence_storage, name: str, content: bytes, content_type: str
) -> None:
    response = _add(world, world.alice, file=SimpleUploadedFile(name, content))

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.title, str(evidence.dated), evidence.original_name) == ("Care leaver policy", "2025-09-01", name)
    assert evidence.content_type == content_type
    assert (evidence_storage / evidence.file.name).read_bytes() == content
    assert evidence.response.status == "in_progress"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "not a document or image we accept"),
        ("photo.png", PDF_BYTES, "its content is not that kind of file"),
        ("run.exe", PDF_BYTES, "its content is not that kind of file"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 40, "not a document or image we accept"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_files_that_are_not_documents_or_images_are_refused_and_nothing_is_saved(
    world: World, evidence_storage, name: str, content: bytes, message: str
) -> None:
    response = _add(world, world.alice, file=SimpleUploadedFile(name, content))

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Evidence.objects.exists()
    assert not (evidence_storage / "evidence").exists() or not any((evidence_storage / "evidence").rglob("*.*"))


def test_a_file_over_the_size_limit_is_refused(world: World, monkeypatch) -> None:
    monkeypatch.setattr(evidence_files, "MAX_EVIDENCE_BYTES", 1024)
    response = _add(world, world.alice, file=SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048))
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_dated_in_the_future_or_with_neither_file_nor_link_is_refused(world: World) -> None:
    future = _add(world, world.alice, link="https://irwell.example/x", dated="2999-01-01")
    neither = _add(world, world.alice)
    assert "The date of the evidence cannot be in the future." in future.content.decode()
    assert "Attach a file or give a link (one of the two)." in neither.content.decode()
    assert not Evidence.objects.exists()


def test_a_link_can_be_evidence(world: World) -> None:
    _add(world, world.alice, link="https://irwell.example/strategy")
    assert Evidence.objects.get().link == "https://irwell.example/strategy"


def test_the_assessor_cannot_add_evidence(world: World) -> None:
    response = _add(world, world.alex, link="https://irwell.example/strategy")
    assert response.status_code == 400
    assert "Only the institution&#x27;s working group writes its self-assessment." in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_evidence_file_is_served_to_the_institution_its_assessor_and_the_facilitator_only(world: World) -> None:
    _add(world, world.alice, file=SimpleUploadedFile("policy.pdf", PDF_BYTES))
    evidence = Evidence.objects.get()
    url = reverse("cohort:evidence_file", kwargs={"cohort": "gm", "institution": "irwell", "evidence_id": evidence.pk})

    for user in (world.alice, world.lena, world.alex, world.fran):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
    for user in (world.bob, world.oscar, world.olga):
        assert client_for(user).get(url).status_code == 404
    # Another institution's URL with Irwell's evidence id: still 404.
    other = reverse(
        "cohort:evidence_file", kwargs={"cohort": "gm", "institution": "medlock", "evidence_id": evidence.pk}
    )
    assert client_for(world.fran).get(other).status_code == 404


def test_a_member_removes_evidence_and_its_file(
    world: World, evidence_storage, django_capture_on_commit_callbacks
) -> None:
    _add(world, world.alice, file=SimpleUploadedFile("policy.pdf", PDF_BYTES))
    evidence = Evidence.objects.get()
    path = evidence_storage / evidence.file.name
    url = reverse(
        "cohort:delete_evidence", kwargs={"cohort": "gm", "institution": "irwell", "evidence_id": evidence.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.lena).post(url)
    assert not Evidence.objects.exists()
    assert not path.exists()
