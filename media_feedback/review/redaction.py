"""Redaction: the words everyone but facilitators sees, the captions, and the audio they hear.

Text: a redacted word is replaced by MARKER; a run of redacted words becomes one marker, so not even
the length of a name shows. Audio: with the word timings, the samples under redacted words (plus a
little padding either side) are replaced by a steady 1 kHz tone (with short fades, so it does not
click) in a separate rendition, re-encoded as AAC, so a listener hears where something was removed
and nothing of the voice; a video keeps its picture (copied packet by packet) with the new audio. Optionally the voice is disguised by a pitch
shift that keeps the duration (resample, then overlap-add time-stretch back to the original length).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# PyAV and NumPy are imported inside the media functions on purpose: web processes import this module
# for the text and captions, and only the worker renders media.
if TYPE_CHECKING:
    import numpy as np

    from media_feedback.models import Clip

MARKER = "[redacted]"
PAD_SECONDS = 0.08
SAMPLE_RATE = 48_000
DISGUISE_FACTOR = 1.25  # pitch up by about four semitones
TONE_HZ = 1000.0  # what a listener hears over a redacted span
TONE_LEVEL = 0.2  # peak amplitude (about -14 dBFS): clear, not harsh
TONE_FADE_SECONDS = 0.01

Word = dict[str, Any]


def redacted_indices(spans: Iterable[tuple[int, int]], word_count: int) -> set[int]:
    hidden: set[int] = set()
    for first, last in spans:
        hidden.update(range(max(first, 0), min(last, word_count - 1) + 1))
    return hidden


def words_of(clip: Clip) -> list[Word]:
    """The clip's transcript words with their timings (none before it is transcribed)."""
    transcript = getattr(clip, "transcript", None)
    return list(transcript.words) if transcript is not None else []


def hidden_words(clip: Clip, word_count: int | None = None) -> set[int]:
    """Indices of the clip's redacted words (uses prefetched redactions when there are some)."""
    count = len(words_of(clip)) if word_count is None else word_count
    return redacted_indices(((r.first_word, r.last_word) for r in clip.redactions.all()), count)


@dataclass(frozen=True)
class Token:
    index: int
    text: str
    start: float
    end: float
    redacted: bool


def tokens_for(words: Sequence[Word], hidden: set[int], *, reveal: bool) -> list[Token]:
    """The words as a reader sees them. With `reveal` (facilitators) every word is kept and marked;
    otherwise each run of redacted words becomes a single marker."""
    out: list[Token] = []
    for i, w in enumerate(words):
        is_hidden = i in hidden
        if is_hidden and not reveal:
            if out and out[-1].redacted:
                prev = out[-1]
                out[-1] = Token(prev.index, MARKER, prev.start, float(w["end"]), True)
                continue
            out.append(Token(i, MARKER, float(w["start"]), float(w["end"]), True))
            continue
        out.append(Token(i, str(w["word"]), float(w["start"]), float(w["end"]), is_hidden))
    return out


def redacted_text(words: Sequence[Word], hidden: set[int], first: int = 0, last: int | None = None) -> str:
    """The words first..last (inclusive) with redacted runs replaced by one marker."""
    last = len(words) - 1 if last is None else last
    chosen = list(words[first : last + 1])
    shifted = {i - first for i in hidden if first <= i <= last}
    return " ".join(t.text for t in tokens_for(chosen, shifted, reveal=False))


def _timestamp(seconds: float) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def webvtt(words: Sequence[Word], hidden: set[int], *, reveal: bool = False, max_words: int = 8) -> str:
    """WebVTT captions from the (corrected) words: short cues that break at sentence ends."""
    lines = ["WEBVTT", ""]
    cue: list[Token] = []

    def flush() -> None:
        if cue:
            lines.append(f"{_timestamp(cue[0].start)} --> {_timestamp(max(cue[-1].end, cue[0].start + 0.2))}")
            lines.append(" ".join(t.text for t in cue).replace("-->", "->"))
            lines.append("")
            cue.clear()

    for token in tokens_for(words, hidden, reveal=reveal):
        cue.append(token)
        if len(cue) >= max_words or token.text.endswith((".", "?", "!")) or cue[-1].end - cue[0].start > 4.0:
            flush()
    flush()
    return "\n".join(lines)


def redacted_spans(words: Sequence[Word], hidden: set[int], pad: float = PAD_SECONDS) -> list[tuple[float, float]]:
    """Time spans (seconds) to cover with the tone: each redacted run, padded, overlapping spans merged."""
    spans = sorted((max(float(words[i]["start"]) - pad, 0.0), float(words[i]["end"]) + pad) for i in hidden)
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- audio ------------------------------------------------------------------------------------------


def decode_audio(data: bytes, rate: int = SAMPLE_RATE) -> np.ndarray:
    """All the audio of a media file as float32 samples, shape (channels, n) at `rate`, mono or stereo."""
    import av
    import numpy as np

    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        layout = "stereo" if stream.channels and stream.channels > 1 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        chunks = []
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    channels = 2 if layout == "stereo" else 1
    if not chunks:
        return np.zeros((channels, 0), dtype=np.float32)
    return np.concatenate(chunks, axis=1).astype(np.float32)


def tone_over(samples: np.ndarray, spans: Iterable[tuple[float, float]], rate: int = SAMPLE_RATE) -> np.ndarray:
    """The samples with everything under each span replaced by the redaction tone (TONE_HZ at
    TONE_LEVEL, faded in and out over TONE_FADE_SECONDS): none of the voice is left there."""
    import numpy as np

    out = samples.copy()
    for start, end in spans:
        first = max(int(start * rate), 0)
        last = min(int(np.ceil(end * rate)), out.shape[1])
        n = last - first
        if n <= 0:
            continue
        t = np.arange(n) / rate
        tone = TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * t)
        fade = min(int(TONE_FADE_SECONDS * rate), n // 2)
        if fade:
            ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
            tone[:fade] *= ramp
            tone[n - fade :] *= ramp[::-1]
        out[:, first:last] = tone.astype(np.float32)
    return out


def disguise(samples: np.ndarray, factor: float = DISGUISE_FACTOR) -> np.ndarray:
    """Raise the pitch by `factor` and keep the duration: resample shorter, then overlap-add it back
    to the original length (Hann windows, 50% overlap at the output)."""
    import numpy as np

    n = samples.shape[1]
    if n < 4096:
        return samples.copy()
    src = np.arange(0, n - 1, factor)
    shorter = np.stack([np.interp(src, np.arange(n), ch) for ch in samples]).astype(np.float32)
    frame, hop_out = 2048, 512
    hop_in = hop_out * shorter.shape[1] / n
    window = np.hanning(frame).astype(np.float32)
    out = np.zeros((samples.shape[0], n + frame), dtype=np.float32)
    norm = np.zeros(n + frame, dtype=np.float32)
    position = 0
    while position < n:
        at = int(position * hop_in / hop_out)
        piece = shorter[:, at : at + frame]
        if piece.shape[1] < frame:
            piece = np.pad(piece, ((0, 0), (0, frame - piece.shape[1])))
        out[:, position : position + frame] += piece * window
        norm[position : position + frame] += window
        position += hop_out
    norm[norm < 1e-3] = 1.0
    return (out / norm)[:, :n]


def _encode_audio(container: Any, samples: np.ndarray, rate: int) -> None:
    import av
    import numpy as np

    layout = "stereo" if samples.shape[0] == 2 else "mono"
    stream = container.add_stream("aac", rate=rate, layout=layout)
    stream.bit_rate = 96_000
    frame_size = 1024
    samples = np.ascontiguousarray(np.clip(samples, -1.0, 1.0), dtype=np.float32)
    for offset in range(0, samples.shape[1], frame_size):
        chunk = np.ascontiguousarray(samples[:, offset : offset + frame_size])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
        frame.sample_rate = rate
        frame.pts = offset
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def redacted_media(data: bytes, spans: Sequence[tuple[float, float]], *, disguise_voice: bool = False) -> bytes:
    """A copy of the media with the audio under `spans` replaced by the tone (and the voice disguised
    if asked).

    Audio in → AAC in MP4 (.m4a). Video in → its video packets copied unchanged, with the new audio."""
    import av

    samples = decode_audio(data)
    if disguise_voice:
        samples = disguise(samples)
    samples = tone_over(samples, spans)
    out_buffer = io.BytesIO()
    with av.open(io.BytesIO(data), mode="r") as source, av.open(out_buffer, mode="w", format="mp4") as target:
        video_in = source.streams.video[0] if source.streams.video else None
        video_out = target.add_stream_from_template(video_in) if video_in is not None else None
        _encode_audio(target, samples, SAMPLE_RATE)
        if video_in is not None and video_out is not None:
            for packet in source.demux(video_in):
                if packet.dts is None:
                    continue
                packet.stream = video_out
                target.mux(packet)
    return out_buffer.getvalue()


def rms(samples: np.ndarray, start: float, end: float, rate: int = SAMPLE_RATE) -> float:
    """Root-mean-square level of the samples between two times (for checks and tests)."""
    import numpy as np

    part = samples[:, int(start * rate) : int(end * rate)]
    return float(np.sqrt(np.mean(np.square(part)))) if part.size else 0.0


def tone_share(samples: np.ndarray, start: float, end: float, hz: float = TONE_HZ, rate: int = SAMPLE_RATE) -> float:
    """The share (0..1) of the energy between two times that lies within 50 Hz of `hz` (for checks and
    tests: over a redacted span the tone dominates)."""
    import numpy as np

    part = samples[:, int(start * rate) : int(end * rate)].mean(axis=0)
    if part.size == 0:
        return 0.0
    power = np.abs(np.fft.rfft(part * np.hanning(part.size))) ** 2
    freqs = np.fft.rfftfreq(part.size, 1 / rate)
    total = float(power.sum())
    return float(power[np.abs(freqs - hz) <= 50].sum()) / total if total else 0.0
