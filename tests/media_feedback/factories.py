"""Helpers the tests of this package share (imported by name; conftest.py holds only fixtures)."""

from __future__ import annotations

from dataclasses import dataclass
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


def tus_client_upload(
    client: Any, clip: Clip, data: bytes, *, chunk: int = 256 * 1024, language: str | None = None
) -> Any:
    """Speak tus to the app through Django's test client (fast, no server); returns the last response.
    `language`: the language the student says they speak in the clip (the upload page sends it)."""
    metadata = {"ticket": services.upload_ticket(clip), "filetype": "video/mp4"}
    if language is not None:
        metadata["language"] = language
    created = client.post(
        "/clips/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_METADATA=tus_metadata(**metadata),
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


# --- a video with a real face (scikit-image's astronaut photo) moving across a face-free scene ------

FACE_IN_PHOTO = (177, 66, 97, 97)  # x, y, w, h of the astronaut's face in data.astronaut()
FACE_CROP = (130, 10, 320, 210)  # x0, y0, x1, y1: the head with some helmet around it


@dataclass(frozen=True)
class FaceVideo:
    path: Path
    fps: int
    width: int
    height: int
    faces: dict[int, tuple[int, int, int, int]]  # frame index → the face's box (x0, y0, x1, y1)


def face_video(
    path: Path,
    *,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    seconds: float = 3.0,
    face_from: float = 1.0,
    face_px: tuple[int, int] | None = None,
) -> FaceVideo:
    """An H.264/AAC MP4 of a coffee-table scene (no face) into which, from `face_from` seconds on,
    the astronaut's head moves from left to right, bobbing up and down; a quiet tone as its sound.
    The face is about 11% of the frame's width, or with `face_px` grows from the first to the second
    width in pixels. Returns where the face is in each frame that shows it."""
    import av  # heavy: only the tests that make media load PyAV, NumPy and scikit-image
    import numpy as np
    from PIL import Image
    from skimage import data

    scene = np.asarray(Image.fromarray(data.coffee()).resize((width, height)))
    x0, y0, x1, y1 = FACE_CROP
    fx, fy, fw, fh = FACE_IN_PHOTO
    photo = Image.fromarray(data.astronaut()[y0:y1, x0:x1])

    def head_of(face_width: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        scale = face_width / fw
        head = np.asarray(photo.resize((round((x1 - x0) * scale), round((y1 - y0) * scale))))
        box = (
            round((fx - x0) * scale),
            round((fy - y0) * scale),
            round((fx - x0 + fw) * scale),
            round((fy - y0 + fh) * scale),
        )
        return head, box

    head, face_box = head_of(width * 0.22 * fw / (x1 - x0))
    frames = round(fps * seconds)
    first_face = round(fps * face_from)
    faces: dict[int, tuple[int, int, int, int]] = {}
    with av.open(str(path), mode="w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "18", "preset": "veryfast"}
        audio = out.add_stream("aac", rate=48000, layout="mono")
        for i in range(frames):
            picture = scene.copy()
            if i >= first_face:
                progress = (i - first_face) / max(1, frames - first_face - 1)
                if face_px is not None:
                    head, face_box = head_of(face_px[0] + (face_px[1] - face_px[0]) * progress)
                left = round(20 + progress * (width - head.shape[1] - 40))
                top = round((height - head.shape[0]) / 2 + np.sin(progress * 6) * height * 0.08)
                picture[top : top + head.shape[0], left : left + head.shape[1]] = head
                faces[i] = (left + face_box[0], top + face_box[1], left + face_box[2], top + face_box[3])
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = i
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        samples = (0.05 * np.sin(2 * np.pi * 220 * np.arange(round(48000 * seconds)) / 48000)).astype(np.float32)
        for offset in range(0, samples.size, 1024):
            chunk = av.AudioFrame.from_ndarray(samples[None, offset : offset + 1024], format="flt", layout="mono")
            chunk.sample_rate, chunk.pts = 48000, offset
            for packet in audio.encode(chunk):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)
    return FaceVideo(path=path, fps=fps, width=width, height=height, faces=faces)


def covered(face: tuple[int, int, int, int], boxes: list[tuple[int, int, int, int]]) -> float:
    """The share of the face's box inside the union of the blurred boxes (0 to 1)."""
    x0, y0, x1, y1 = face
    inside = [[False] * (x1 - x0) for _ in range(y1 - y0)]
    for bx0, by0, bx1, by1 in boxes:
        for y in range(max(y0, by0), min(y1, by1)):
            row = inside[y - y0]
            for x in range(max(x0, bx0), min(x1, bx1)):
                row[x - x0] = True
    return sum(map(sum, inside)) / max(1, (x1 - x0) * (y1 - y0))


def blurred_area(boxes: list[tuple[int, int, int, int]], width: int, height: int) -> float:
    """The share of the frame that is blurred (overlaps counted once)."""
    return covered((0, 0, width, height), boxes)
