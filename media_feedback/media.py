"""Media work with PyAV: check an upload, make the web rendition, poster and waveform, decode for speech.

Only local files are read. Every container is opened with a whitelist of demuxers and of protocols
(`file` only), so a playlist or concat file that points at other files or URLs is refused instead of
followed. The check of an untrusted upload runs in a child process of its own (`probe_isolated`),
with a wall-clock limit, a CPU limit and a memory cap: a file crafted to hang, exhaust or crash the
demuxer costs that child, never the worker. Nothing here touches the database.

    python -m media_feedback.media probe FILE LIMITS_JSON   # what the child runs
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from django.utils.translation import gettext, gettext_noop

log = logging.getLogger(__name__)

# Demuxers a phone or a browser recording comes in. Anything else (images, HTML, archives, HLS, concat,
# raw streams) is not opened at all.
# AIFF is what GarageBand and Mac or iPhone exports write: the same PCM as WAV in another wrapper.
DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,ogg,wav,aiff,mp3,flac,aac"
OPEN_OPTIONS = {"format_whitelist": DEMUXERS, "protocol_whitelist": "file", "probesize": "20000000"}
PROBE_SECONDS = 60.0  # wall-clock limit on checking one file (the child process is killed after it)
PROBE_MEMORY_BYTES = 1024**3  # address-space cap of the checking process
PROJECT_ROOT = Path(__file__).resolve().parents[1]
TOO_SLOW = gettext_noop("The file took too long to check. Please send a shorter clip.")
DURATION_TOLERANCE = 2.0
MAX_HEIGHT = 720
PEAKS = 200
SAMPLE_RATE = 16_000

NOT_MEDIA = gettext_noop(
    "This file is not a recording we can play. Please record again, or choose an audio or "
    "video file (for example MP4, MOV, WebM, M4A, MP3 or WAV)."
)
DAMAGED = gettext_noop("The file seems damaged or incomplete. Please try sending it again.")
INCOMPLETE = gettext_noop("The file seems incomplete: it stops before its end. Please try sending it again.")
# Quieter than this at its loudest (about -50 dBFS), a recording has no sound anyone could hear: a
# muted or covered microphone, or a camera's video with its sound turned off.
SILENT_PEAK = 0.003
# A stereo recording whose mono mix keeps less than this share of its louder channel's energy has
# channels that cancel out (one wired or recorded with its polarity inverted): it is heard through
# that channel alone.
CANCELLED_SHARE = 0.25


class Refused(Exception):
    """The file cannot be used; the message is for the student, in plain words. It is kept as its
    English message (a catalogue msgid) and its values, so that the worker can write it in the
    student's language (`translated`); `str()` is the English."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        self.message = message
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)

    def translated(self) -> str:
        """In the active language."""
        text = gettext(self.message)
        return text % self.params if self.params else text


@dataclass
class Probe:
    kind: str  # "audio" or "video"
    duration: float


def open_input(path: str | Path) -> av.container.InputContainer:
    return av.open(str(path), mode="r", options=OPEN_OPTIONS, timeout=10.0)


def probe(path: str | Path, *, max_seconds: int, max_bytes: int, allow_audio: bool, allow_video: bool) -> Probe:
    """Accept only real audio or video within the limits; raise Refused with a reason otherwise."""
    size = Path(path).stat().st_size
    if size == 0:
        raise Refused(gettext_noop("The file is empty. Please record again or choose another file."))
    if size > max_bytes:
        raise Refused(
            gettext_noop("The file is larger than %(megabytes)s MB. Please send a shorter clip."),
            {"megabytes": max_bytes // (1024 * 1024)},
        )
    try:
        container = open_input(path)
    except (av.error.FFmpegError, OSError, ValueError):
        raise Refused(NOT_MEDIA) from None
    with container:
        audio = [s for s in container.streams.audio if s.codec_context is not None]
        video = [
            s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)
        ]  # cover art in an MP3 is a picture, not a video
        if not audio and not video:
            raise Refused(NOT_MEDIA)
        kind = "video" if video else "audio"
        if kind == "video" and not allow_video:
            raise Refused(gettext_noop("This call asks for audio only. Please send an audio recording."))
        if kind == "audio" and not allow_audio:
            raise Refused(gettext_noop("This call asks for video. Please send a video recording."))
        streams = [*(video[:1]), *(audio[:1])]
        duration = _read_through(container, streams, max_seconds)
        if container.format.name == "wav" and wav_missing_seconds(path) > 1:
            raise Refused(INCOMPLETE)
    if duration <= 0.2:
        raise Refused(gettext_noop("The recording has no sound or picture we could read. Please record again."))
    if duration > max_seconds + DURATION_TOLERANCE:
        raise _too_long(max_seconds)
    return Probe(kind=kind, duration=duration)


def probe_isolated(
    path: str | Path,
    *,
    max_seconds: int,
    max_bytes: int,
    allow_audio: bool,
    allow_video: bool,
    time_limit: float = PROBE_SECONDS,
) -> Probe:
    """`probe` in a child process killed after `time_limit` seconds; same answers, same refusals."""
    limits = {
        "max_seconds": max_seconds,
        "max_bytes": max_bytes,
        "allow_audio": allow_audio,
        "allow_video": allow_video,
        "cpu_seconds": max(1, int(time_limit) + 1),
    }
    command = [sys.executable, "-m", "media_feedback.media", "probe", str(path), json.dumps(limits)]
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module; the path is an argument
            command, cwd=PROJECT_ROOT, capture_output=True, timeout=time_limit, check=False
        )
    except subprocess.TimeoutExpired:
        log.warning("a clip check was stopped after %.0f s", time_limit)
        raise Refused(TOO_SLOW) from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict):
        # Killed by its CPU or memory limit, or crashed inside the demuxer: the file is the cause.
        log.warning("a clip check ended abnormally (exit %s)", done.returncode)
        raise Refused(DAMAGED)
    if "refused" in answer:
        params = answer.get("params")
        raise Refused(str(answer["refused"]), params if isinstance(params, dict) else None)
    return Probe(kind=str(answer["kind"]), duration=float(answer["duration"]))


def _probe_child(path: str, limits: dict) -> int:
    """The child side of `probe_isolated`: cap itself, check the file, print one JSON answer."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PROBE_MEMORY_BYTES, PROBE_MEMORY_BYTES))
    cpu = int(limits.pop("cpu_seconds"))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    try:
        found = probe(path, **limits)
    except Refused as refused:
        answer: dict = {"refused": refused.message, "params": refused.params}
    else:
        answer = asdict(found)
    sys.stdout.write(json.dumps(answer))
    return 0


def _too_long(max_seconds: int) -> Refused:
    minutes = max_seconds / 60
    if minutes == 1:
        return Refused(gettext_noop("The recording is longer than 1 minute. Please send a shorter clip."))
    return Refused(
        gettext_noop("The recording is longer than %(minutes)s minutes. Please send a shorter clip."),
        {"minutes": f"{minutes:g}"},
    )


def _read_through(container: av.container.InputContainer, streams: list, max_seconds: int) -> float:
    """Demux every packet (decoding the first frames of each stream) to prove the file is whole.

    Returns the duration actually present. A truncated file fails here: its packets stop short of
    what its header declares, or the decoder meets broken data.
    """
    deadline = time.monotonic() + PROBE_SECONDS
    end = 0.0
    decoded: dict[int, int] = {s.index: 0 for s in streams}
    try:
        for packet in container.demux(streams):
            if time.monotonic() > deadline:
                raise Refused(TOO_SLOW)
            if packet.pts is not None and packet.time_base is not None:
                tail = packet.duration or 0
                end = max(end, float((packet.pts + tail) * packet.time_base))
            if end > max_seconds + 60:
                break  # far beyond the limit: no need to read the rest
            if decoded[packet.stream_index] < 3 and packet.size:
                frames = packet.decode()
                decoded[packet.stream_index] += len(frames)
    except av.error.FFmpegError:
        raise Refused(DAMAGED) from None
    if not any(decoded.values()):
        raise Refused(NOT_MEDIA)
    start = float(container.start_time or 0) / av.time_base
    declared = float(container.duration or 0) / av.time_base
    present = max(0.0, end - max(0.0, start))
    if declared and present < declared * 0.9 - 1:
        raise Refused(INCOMPLETE)
    return present


def wav_missing_seconds(path: str | Path) -> float:
    """How much sound a WAV file's header declares beyond the bytes the file holds, in seconds.

    FFmpeg plays a WAV cut short without complaint, reckoning its length from what is there, so a
    file that lost its second half would pass as a shorter recording. 0 when the header declares no
    length (the 0 or 0xFFFFFFFF of a recorder that streamed it) or cannot be read.
    """
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(0)
        riff = f.read(12)
        if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            return 0.0
        byte_rate = 0
        while True:
            header = f.read(8)
            if len(header) < 8:
                return 0.0
            chunk, length = header[:4], int.from_bytes(header[4:], "little")
            if chunk == b"fmt " and length >= 16:
                fmt = f.read(16)
                byte_rate = int.from_bytes(fmt[8:12], "little")
                f.seek(length - 16 + (length & 1), os.SEEK_CUR)
            elif chunk == b"data":
                if not byte_rate or length in (0, 0xFFFFFFFF):
                    return 0.0
                return max(0, f.tell() + length - size) / byte_rate
            else:
                f.seek(length + (length & 1), os.SEEK_CUR)


@dataclass
class Rendition:
    path: Path
    poster: Path | None
    duration: float
    peaks: list[float]
    content_type: str


AUDIO_RATE = 48_000  # the rendition's audio: AAC at 48 kHz
AAC_FRAME = 1024  # samples per AAC frame: the encoder takes exactly this many (the last may be short)
AUDIO_GAP = 0.1  # a hole in the input's audio longer than this (seconds) is filled with silence
MAX_LONG_SIDE = 1280  # with MAX_HEIGHT on the short side: 720p, landscape or portrait


def _even(n: float) -> int:
    return max(2, int(n) // 2 * 2)


def _frame_size(width: int, height: int) -> tuple[int, int]:
    """At most 720p: 720 on the short side and 1280 on the long one, never enlarged, even numbers."""
    if not width or not height:
        return _even(width or 2), _even(height or 2)
    scale = min(1.0, MAX_HEIGHT / min(width, height), MAX_LONG_SIDE / max(width, height))
    return _even(width * scale), _even(height * scale)


def _turns(rotation: float) -> int:
    """Clockwise quarter turns that show a frame upright, from its display matrix (PyAV gives the
    counter-clockwise angle; phones write -90 for a portrait recording)."""
    return round(-rotation / 90) % 4


class _AudioTrack:
    """Decoded audio in, AAC packets out. Every frame is resampled to the rendition's format and cut
    into encoder-sized frames whose timestamps are counted in samples (time base 1/48000) from the
    first one: right by construction, whatever timestamps the input carried or lacked. A hole in the
    input longer than `AUDIO_GAP` becomes silence, so the sound stays in step with the picture."""

    def __init__(self, stream: av.audio.stream.AudioStream, layout: str, start: float) -> None:
        self.stream = stream
        self.layout = layout
        self.channels = 1 if layout == "mono" else 2
        self.fifo = av.AudioFifo()
        self.resampler: av.AudioResampler | None = None
        self.source: tuple[str, str, int] | None = None
        self.written = round(start * AUDIO_RATE)  # samples handed to the encoder (the next pts)
        self.queued = self.written  # samples in or through the FIFO
        self.in_samples = 0  # input samples fed to the current resampler
        self.peaks: list[float] = []

    def add(self, frame: av.AudioFrame, t: float | None) -> list[av.Packet]:
        if t is not None:
            gap = t - self.queued / AUDIO_RATE
            if gap > AUDIO_GAP:
                self._silence(round(gap * AUDIO_RATE))
        source = (frame.format.name, frame.layout.name, frame.sample_rate)
        if source != self.source:  # first frame, or the input changed its format mid-stream
            self._drain()
            self.resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=AUDIO_RATE)
            self.source, self.in_samples = source, 0
        frame.pts, frame.time_base = self.in_samples, Fraction(1, frame.sample_rate)
        self.in_samples += frame.samples
        assert self.resampler is not None
        for out in self.resampler.resample(frame):
            self._queue(out)
        return self._encode()

    def finish(self) -> list[av.Packet]:
        self._drain()
        return [*self._encode(final=True), *self.stream.encode(None)]

    @property
    def seconds(self) -> float:
        return self.written / AUDIO_RATE

    def _drain(self) -> None:
        if self.resampler is not None:
            for out in self.resampler.resample(None):
                self._queue(out)
            self.resampler = None

    def _queue(self, frame: av.AudioFrame) -> None:
        frame.pts = None  # the FIFO and `_encode` count samples instead
        self.fifo.write(frame)
        self.queued += frame.samples

    def _silence(self, samples: int) -> None:
        while samples > 0:
            n = min(samples, AUDIO_RATE)
            frame = av.AudioFrame.from_ndarray(
                np.zeros((self.channels, n), dtype=np.float32), format="fltp", layout=self.layout
            )
            frame.sample_rate = AUDIO_RATE
            self._queue(frame)
            samples -= n

    def _encode(self, *, final: bool = False) -> list[av.Packet]:
        packets: list[av.Packet] = []
        while self.fifo.samples >= AAC_FRAME or (final and self.fifo.samples):
            frame = self.fifo.read(min(AAC_FRAME, self.fifo.samples))
            assert frame is not None  # the FIFO holds at least that many samples
            samples = frame.to_ndarray()
            self.peaks.append(float(np.abs(samples).max()) if samples.size else 0.0)
            frame.pts, frame.time_base = self.written, Fraction(1, AUDIO_RATE)
            self.written += frame.samples
            packets.extend(self.stream.encode(frame))
        return packets


class _VideoTrack:
    """Decoded pictures in, H.264 packets out: turned upright (the display matrix of a phone
    recording is applied, since no metadata is copied), scaled to at most 720p, with timestamps in
    milliseconds that always increase (variable frame rates kept, missing or repeated ones mended)."""

    def __init__(self, stream: av.video.stream.VideoStream, width: int, height: int, turns: int) -> None:
        self.stream = stream
        self.width, self.height, self.turns = width, height, turns
        self.graph: av.filter.Graph | None = None
        self.source: tuple[int, int, str] | None = None
        self.last_pts = -1
        step = stream.codec_context.framerate or Fraction(30, 1)
        self.step_ms = max(1, round(1000 / step))

    def add(self, frame: av.VideoFrame, t: float | None) -> tuple[av.VideoFrame, list[av.Packet]]:
        pts = round(t * 1000) if t is not None else self.last_pts + self.step_ms
        pts = max(pts, self.last_pts + 1)
        self.last_pts = pts
        picture = self._convert(frame)
        picture.pts, picture.time_base = pts, Fraction(1, 1000)
        return picture, self.stream.encode(picture)

    def finish(self) -> list[av.Packet]:
        return self.stream.encode(None)

    def _convert(self, frame: av.VideoFrame) -> av.VideoFrame:
        if not self.turns:
            if (frame.width, frame.height, frame.format.name) == (self.width, self.height, "yuv420p"):
                return frame
            return frame.reformat(width=self.width, height=self.height, format="yuv420p")
        source = (frame.width, frame.height, frame.format.name)
        if self.graph is None or source != self.source:
            self.graph, self.source = self._rotator(frame), source
        frame.pts = None
        self.graph.push(frame)
        picture = self.graph.pull()
        assert isinstance(picture, av.VideoFrame)
        return picture

    def _rotator(self, frame: av.VideoFrame) -> av.filter.Graph:
        graph = av.filter.Graph()
        turn: dict[int, list[tuple[str, str | None]]] = {
            1: [("transpose", "clock")],
            2: [("hflip", None), ("vflip", None)],
            3: [("transpose", "cclock")],
        }
        nodes = [
            graph.add_buffer(width=frame.width, height=frame.height, format=frame.format, time_base=Fraction(1, 1000))
        ]
        for name, arg in turn[self.turns]:
            nodes.append(graph.add(name, arg))
        nodes.append(graph.add("scale", f"{self.width}:{self.height}"))
        nodes.append(graph.add("format", "yuv420p"))
        nodes.append(graph.add("buffersink"))
        graph.link_nodes(*nodes).configure()
        return graph


def _first_rotation(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    for frame in container.decode(stream):
        return float(frame.rotation or 0)
    return 0.0


def transcode(src: str | Path, out_dir: Path, kind: str) -> Rendition:
    """Write the web rendition (video: H.264/AAC MP4 at most 720p, upright; audio: AAC in M4A),
    faststart, with no metadata copied from the original; a poster frame for video; waveform peaks."""
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".mp4" if kind == "video" else ".m4a"
    out_path = out_dir / f"rendition{suffix}"
    poster_path = out_dir / "poster.jpg" if kind == "video" else None
    turns = 0
    if kind == "video":
        with open_input(src) as peek:
            first = _picture_stream(peek)
            if first is not None:
                turns = _turns(_first_rotation(peek, first))
    with open_input(src) as inp:
        in_video = _picture_stream(inp) if kind == "video" else None
        in_audio = inp.streams.audio[0] if inp.streams.audio else None
        streams = [s for s in (in_video, in_audio) if s is not None]
        origin = float(inp.start_time or 0) / av.time_base  # the earliest stream's start: 0 in the rendition
        with av.open(str(out_path), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
            video = audio = None
            if in_video is not None:
                in_video.thread_type = "AUTO"
                w, h = in_video.codec_context.width, in_video.codec_context.height
                if turns % 2:
                    w, h = h, w
                width, height = _frame_size(w, h)
                rate = in_video.average_rate or Fraction(30, 1)
                if rate > 60:
                    rate = Fraction(30, 1)
                out_v = out.add_stream("libx264", rate=rate)
                out_v.width, out_v.height, out_v.pix_fmt = width, height, "yuv420p"
                out_v.options = {"preset": "superfast", "crf": "26"}
                out_v.codec_context.time_base = Fraction(1, 1000)
                video = _VideoTrack(out_v, width, height, turns)
            if in_audio is not None:
                out_a = out.add_stream("aac", rate=AUDIO_RATE)
                out_a.layout = "mono" if in_audio.codec_context.channels == 1 else "stereo"
                out_a.bit_rate = 96_000
                first_audio = in_audio.start_time * in_audio.time_base if in_audio.start_time is not None else origin
                audio = _AudioTrack(out_a, out_a.layout.name, max(0.0, float(first_audio) - origin))
            poster_done = poster_path is None
            for packet in inp.demux(streams):
                for frame in packet.decode():
                    if not isinstance(frame, av.VideoFrame | av.AudioFrame):
                        continue
                    t = float(frame.time) - origin if frame.time is not None else None
                    if isinstance(frame, av.VideoFrame) and video is not None:
                        picture, packets = video.add(frame, t)
                        if not poster_done and video.last_pts >= 1000:
                            picture.to_image().save(poster_path, "JPEG", quality=80)
                            poster_done = True
                        out.mux(packets)
                    elif isinstance(frame, av.AudioFrame) and audio is not None:
                        out.mux(audio.add(frame, t))
            if video is not None:
                out.mux(video.finish())
            if audio is not None:
                out.mux(audio.finish())
    if poster_path is not None and not poster_path.exists():
        _poster_from_rendition(out_path, poster_path)
    return Rendition(
        path=out_path,
        poster=poster_path if poster_path is not None and poster_path.exists() else None,
        duration=audio.seconds if audio is not None else 0.0,
        peaks=waveform_peaks(np.array(audio.peaks if audio is not None else [], dtype=np.float32)),
        content_type="video/mp4" if kind == "video" else "audio/mp4",
    )


def _picture_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream | None:
    """The first video stream that is a moving picture (cover art in an MP3 is not)."""
    return next((s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)), None)


def _poster_from_rendition(rendition: Path, poster: Path) -> None:
    """Clips shorter than a second: the first frame will do."""
    with av.open(str(rendition)) as c:
        for frame in c.decode(video=0):
            frame.to_image().save(poster, "JPEG", quality=80)
            return


def waveform_peaks(samples: np.ndarray, buckets: int = PEAKS) -> list[float]:
    if samples.size == 0:
        return []
    buckets = min(buckets, samples.size)
    chunks = np.array_split(samples, buckets)
    top = float(max(samples.max(), 1e-6))
    return [round(float(c.max()) / top, 3) for c in chunks]


def decode_audio(path: str | Path, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole audio track as float32 mono at `rate` (what faster-whisper expects): the two
    channels mixed, or the louder one alone when mixing them cancels the sound (`CANCELLED_SHARE`)."""
    both = _decode_channels(path, rate)
    if both.shape[0] == 1 or both.shape[1] == 0:
        return np.ascontiguousarray(both.reshape(-1), dtype=np.float32)
    mixed = both.mean(axis=0)
    energy = (both.astype(np.float64) ** 2).sum(axis=1)
    if float((mixed.astype(np.float64) ** 2).sum()) < CANCELLED_SHARE * float(energy.max()):
        log.info("the channels of a clip cancel out when mixed: the louder one is used")
        return np.ascontiguousarray(both[int(energy.argmax())], dtype=np.float32)
    return mixed.astype(np.float32)


def is_silent(audio: np.ndarray) -> bool:
    """No sound anyone could hear (or no sound track at all): see `SILENT_PEAK`."""
    return audio.size == 0 or float(np.abs(audio).max()) < SILENT_PEAK


def _decode_channels(path: str | Path, rate: int) -> np.ndarray:
    """The whole audio track as float32 at `rate`, shape (channels, samples): one channel for a
    mono track, two for any other (more than two folded down to two)."""
    parts: list[np.ndarray] = []
    with open_input(path) as c:
        if not c.streams.audio:
            return np.zeros((1, 0), dtype=np.float32)
        layout = "mono" if c.streams.audio[0].codec_context.channels == 1 else "stereo"
        resampler: av.AudioResampler | None = None
        source: tuple[str, str, int] | None = None
        fed = 0
        for frame in c.decode(audio=0):
            if (frame.format.name, frame.layout.name, frame.sample_rate) != source:
                if resampler is not None:  # the format changed mid-stream: finish with the old one
                    parts.extend(f.to_ndarray() for f in resampler.resample(None))
                resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
                source, fed = (frame.format.name, frame.layout.name, frame.sample_rate), 0
            frame.pts, frame.time_base = fed, Fraction(1, frame.sample_rate)  # counted, never taken on trust
            fed += frame.samples
            parts.extend(f.to_ndarray() for f in resampler.resample(frame))  # type: ignore[union-attr]
        if resampler is not None:
            parts.extend(f.to_ndarray() for f in resampler.resample(None))
    return np.concatenate(parts, axis=1).astype(np.float32) if parts else np.zeros((1, 0), dtype=np.float32)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "probe":
        os.nice(5)  # checking is background work: let pages and sockets go first
        sys.exit(_probe_child(sys.argv[2], json.loads(sys.argv[3])))
    sys.exit("usage: python -m media_feedback.media probe FILE LIMITS_JSON")
