"""Helpers the tests of this package share (imported by name; conftest.py holds only fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from media_feedback import services
from media_feedback.models import CallLink, Clip

# What a student sends on the institution's link to consent (16 or 17, may be quoted, staff may see it).
CONSENT = {
    "question": "What helped you most?",
    "visibility": "institutions",
    "may_quote": "on",
    "age_band": "16-17",
    "confirm": "on",
}


def consent(link: CallLink, *, share: bool = True, quote: bool = False) -> tuple[Clip, str]:
    return services.give_consent(
        link,
        question=link.call.question_list[0],
        share_with_institutions=share,
        may_quote=quote,
        age_band="18+",
    )


def stored_files(root: Path) -> list[str]:
    """Every file under the media root (the private store and partial uploads)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def tus_upload(server: str, clip: Clip, path: Path, *, chunk_size: int = 64 * 1024, **kwargs: Any) -> str:
    """Upload a whole file with tuspy; returns the upload URL."""
    from tusclient.client import TusClient

    client = TusClient(f"{server}/clips/tus/")
    uploader = client.uploader(
        file_path=str(path),
        chunk_size=chunk_size,
        metadata={"ticket": services.upload_ticket(clip), "filetype": "video/mp4"},
        **kwargs,
    )
    uploader.upload()
    return str(uploader.url)


def tus_client_upload(client: Any, clip: Clip, data: bytes, *, chunk: int = 256 * 1024) -> Any:
    """Speak tus to the app through Django's test client (fast, no server); returns the last response."""
    created = client.post(
        "/clips/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_METADATA=tus_metadata(ticket=services.upload_ticket(clip), filetype="video/mp4"),
    )
    if created.status_code != 201:
        return created
    url = created["Location"]
    offset = 0
    response = created
    while offset < len(data):
        piece = data[offset : offset + chunk]
        response = client.generic(
            "PATCH",
            url,
            piece,
            content_type="application/offset+octet-stream",
            HTTP_TUS_RESUMABLE="1.0.0",
            HTTP_UPLOAD_OFFSET=str(offset),
        )
        assert response.status_code == 204, response.content
        offset = int(response["Upload-Offset"])
    return response


def tus_metadata(**values: str) -> str:
    import base64

    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())
