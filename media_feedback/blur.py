"""Face blurring: a copy of a video rendition in which every face is made unrecognisable.

Faces are found with OpenCV's Haar cascades (frontal and profile, shipped inside the
opencv-python-headless wheel: nothing is downloaded), on the luma plane scaled down to
DETECT_WIDTH pixels, every DETECT_EVERY seconds. Between two detections a frame is covered by the
boxes of both (so a face moving between them stays covered), and a face keeps its box for
HOLD_SECONDS after it was last found (a turned head or a missed detection does not reveal it).
Boxes are padded generously. Inside a box the picture is reduced to a coarse grid of a few cells
and smoothed back up: only those few averages are left, so nothing can be undone. The video is a
new H.264 encode of the decoded, blurred frames, so no frame of the original picture is in the
file; the audio is copied unchanged. Nothing here touches the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from media_feedback.media import open_input

DETECT_WIDTH = 640  # a face about 1/16 of the frame's width is still found (measured: at 400 px, 1/8 was missed)
DETECT_EVERY = 0.2  # seconds between two detections
HOLD_SECONDS = 0.8  # a face's box stays this long after the face was last found
PAD_X = 0.35  # padding each side, as a share of the box's width
PAD_TOP = 0.45  # more above (forehead and hair) ...
PAD_BOTTOM = 0.35  # ... and below (chin)
HELD_GROWTH = 0.15  # a held box grows by this share of its size each side at each missed detection
GRID = 6  # a blurred face keeps at most GRID × GRID colour averages
POSTER_AT = 1.0  # seconds, as in media.transcode

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in full-frame pixels, x1 and y1 exclusive
HAARCASCADES = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]  # inside the wheel (no stub)


def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(str(HAARCASCADES / name))
    if cascade.empty():  # pragma: no cover - the wheel always ships them (pinned below OpenCV 5)
        raise RuntimeError(f"OpenCV's {name} is missing: install opencv-python-headless 4.x")
    return cascade


class FaceDetector:
    """Finds faces in a greyscale frame; boxes in the frame's own pixels, padded."""

    def __init__(self) -> None:
        self.frontal = _cascade("haarcascade_frontalface_alt2.xml")
        self.profile = _cascade("haarcascade_profileface.xml")

    def detect(self, grey: np.ndarray, turn: int = 0) -> list[Box]:
        """Frontal faces every time; faces in profile turned one way on even turns, the other way
        on odd turns (the profile cascade is the slow one, and a held box bridges the gap)."""
        height, width = grey.shape
        scale = min(1.0, DETECT_WIDTH / width)
        small = cv2.resize(grey, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        small = cv2.equalizeHist(small)
        found: list[tuple[int, int, int, int]] = []
        found.extend(_found(self.frontal, small))
        if turn % 2 == 0:
            found.extend(_found(self.profile, small))
        else:  # the profile cascade knows faces turned one way only: look in the mirror image
            sw = small.shape[1]
            found.extend((sw - x - w, y, w, h) for x, y, w, h in _found(self.profile, cv2.flip(small, 1)))
        return [_pad((x / scale, y / scale, w / scale, h / scale), width, height) for x, y, w, h in found]


def _found(cascade: cv2.CascadeClassifier, grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=3, minSize=(20, 20))
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in found]


def _pad(box: tuple[float, float, float, float], width: int, height: int) -> Box:
    x, y, w, h = box
    x0 = max(0, math.floor(x - w * PAD_X)) // 2 * 2
    y0 = max(0, math.floor(y - h * PAD_TOP)) // 2 * 2
    x1 = min(width, math.ceil(x + w * (1 + PAD_X)))
    y1 = min(height, math.ceil(y + h * (1 + PAD_BOTTOM)))
    return x0, y0, x1 + (x1 - x0) % 2, y1 + (y1 - y0) % 2


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass
class Tracker:
    """The boxes held at each detection: found now, or found within the hold time and not replaced
    by an overlapping box found now. A held box grows at every detection that misses its face, since
    the face may have moved on meanwhile."""

    hold_frames: int
    width: int
    height: int
    held: list[tuple[Box, int]] = field(default_factory=list)  # (box, frame last found)

    def update(self, index: int, found: list[Box]) -> list[Box]:
        kept = [
            (self._grow(b), seen)
            for b, seen in self.held
            if index - seen <= self.hold_frames and not any(_overlap(b, f) for f in found)
        ]
        self.held = [*kept, *((f, index) for f in found)]
        return [b for b, _ in self.held]

    def _grow(self, box: Box) -> Box:
        x0, y0, x1, y1 = box
        dx, dy = round((x1 - x0) * HELD_GROWTH) // 2 * 2, round((y1 - y0) * HELD_GROWTH) // 2 * 2
        return max(0, x0 - dx), max(0, y0 - dy), min(self.width, x1 + dx), min(self.height, y1 + dy)


def blur_boxes(picture: np.ndarray, width: int, height: int, boxes: list[Box]) -> None:
    """Blur the boxes in place in a yuv420p frame as PyAV lays it out: the Y plane (height × width),
    then the U and V planes (each height/2 × width/2), one after the other."""
    flat = picture.reshape(-1)  # a view: to_ndarray() gives a contiguous array
    luma, chroma = height * width, (height // 2) * (width // 2)
    y_plane = flat[:luma].reshape(height, width)
    u_plane = flat[luma : luma + chroma].reshape(height // 2, width // 2)
    v_plane = flat[luma + chroma : luma + 2 * chroma].reshape(height // 2, width // 2)
    for x0, y0, x1, y1 in boxes:
        _coarsen(y_plane[y0:y1, x0:x1])
        _coarsen(u_plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2])
        _coarsen(v_plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2])


def _coarsen(region: np.ndarray) -> None:
    """Reduce the region to a coarse grid of averages, then smooth it back to its size."""
    h, w = region.shape
    if h < 2 or w < 2:
        return
    cells_x = max(1, min(GRID, w // 4))
    cells_y = max(1, min(GRID, round(GRID * h / w), h // 4))
    coarse = cv2.resize(region, (cells_x, cells_y), interpolation=cv2.INTER_AREA)
    # Smoothed at a quarter of the size (the same look, a sixteenth of the work), then scaled up.
    small = cv2.resize(coarse, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_LINEAR)
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=max(1.0, w / GRID / 8))
    region[:] = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


@dataclass
class Blurred:
    path: Path
    poster: Path | None
    frames: int
    boxes: list[list[Box]]  # the blurred boxes of every frame, in order (for checks and figures)
    seconds: float


def blur_video(src: str | Path, out_dir: Path, *, name: str = "blurred.mp4") -> Blurred:
    """Write `name` in `out_dir`: `src` (a rendition: H.264 video, AAC audio or none) with every
    face blurred, and a poster frame of it; H.264/AAC MP4, faststart."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path = out_dir / name
    poster_path = out_dir / "blurred-poster.jpg"
    detector = FaceDetector()
    all_boxes: list[list[Box]] = []
    with open_input(src) as inp:
        in_video = inp.streams.video[0]
        in_video.thread_type = "AUTO"
        in_audio = inp.streams.audio[0] if inp.streams.audio else None
        rate = in_video.average_rate or Fraction(30, 1)
        every = max(1, round(float(rate) * DETECT_EVERY))
        width, height = in_video.codec_context.width // 2 * 2, in_video.codec_context.height // 2 * 2
        tracker = Tracker(hold_frames=math.ceil(float(rate) * HOLD_SECONDS), width=width, height=height)
        with av.open(str(out_path), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
            out_v = out.add_stream("libx264", rate=rate)
            out_v.width, out_v.height, out_v.pix_fmt = width, height, "yuv420p"
            out_v.options = {"preset": "superfast", "crf": "26"}
            out_v.codec_context.time_base = Fraction(1, 1000)
            out_a = out.add_stream_from_template(in_audio) if in_audio is not None else None
            pending: list[tuple[float, np.ndarray]] = []  # frames since the last detection, unwritten
            before: list[Box] = []  # boxes held at the last detection
            poster_done = False
            seconds = 0.0

            def flush(boxes: list[Box]) -> None:
                nonlocal poster_done
                for t, picture in pending:
                    blur_boxes(picture, width, height, boxes)
                    new = av.VideoFrame.from_ndarray(picture, format="yuv420p")
                    new.pts, new.time_base = round(t * 1000), Fraction(1, 1000)
                    if not poster_done and t >= POSTER_AT:
                        new.to_image().save(poster_path, "JPEG", quality=80)
                        poster_done = True
                    out.mux(out_v.encode(new))
                    all_boxes.append(list(boxes))
                pending.clear()

            index = 0
            first: float | None = None
            for packet in inp.demux([s for s in (in_video, in_audio) if s is not None]):
                if packet.stream is in_audio:  # the sound is kept as it is
                    if packet.dts is not None and out_a is not None:
                        packet.stream = out_a
                        out.mux(packet)
                    continue
                for frame in packet.decode():
                    if not isinstance(frame, av.VideoFrame):
                        continue
                    t = float(frame.time) if frame.time is not None else 0.0
                    first = t if first is None else first
                    t -= first
                    same = (frame.width, frame.height, frame.format.name) == (width, height, "yuv420p")
                    picture = (
                        frame if same else frame.reformat(width=width, height=height, format="yuv420p")
                    ).to_ndarray()
                    seconds = t
                    if index % every == 0:
                        grey = picture.reshape(-1)[: width * height].reshape(height, width)
                        now = tracker.update(index, detector.detect(grey, index // every))
                        flush(_bridge(before, now))  # frames since the last detection: both ends' boxes
                        before = now
                    pending.append((t, picture))
                    index += 1
            if len(pending) > 1:  # the last frames: look once more at the very last one
                grey = pending[-1][1].reshape(-1)[: width * height].reshape(height, width)
                before = _bridge(before, tracker.update(index - 1, detector.detect(grey, index)))
            flush(before)
            out.mux(out_v.encode(None))
    if not poster_done:
        _first_frame_poster(out_path, poster_path)
    return Blurred(
        path=out_path,
        poster=poster_path if poster_path.exists() else None,
        frames=len(all_boxes),
        boxes=all_boxes,
        seconds=seconds,
    )


def _bridge(before: list[Box], now: list[Box]) -> list[Box]:
    """The boxes for the frames between two detections: both ends' boxes, and for a face found at
    both ends (boxes less than a box's size apart) the box spanning both, which covers it wherever it
    moved in between."""
    boxes = [*before, *(box for box in now if box not in before)]
    for a in before:
        for b in now:
            if a != b and _near(a, b):
                boxes.append((min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])))
    return boxes


def _near(a: Box, b: Box) -> bool:
    size = max(a[2] - a[0], a[3] - a[1], b[2] - b[0], b[3] - b[1])
    return abs((a[0] + a[2]) - (b[0] + b[2])) / 2 < size and abs((a[1] + a[3]) - (b[1] + b[3])) / 2 < size


def _first_frame_poster(video: Path, poster: Path) -> None:
    with av.open(str(video)) as c:
        for frame in c.decode(video=0):
            frame.to_image().save(poster, "JPEG", quality=80)
            return
