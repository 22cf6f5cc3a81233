"""Make the media fixtures the clip tests use: real speech from espeak-ng, a small video carrying it,
and a corpus of files that must be refused.

    .venv/bin/python tests/media_feedback/make_fixtures.py [DIR]

Files are generated (never committed) into DIR (default: var/clip-fixtures). `make_all` is idempotent.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

SENTENCE = "The support team at my college helped me find a place to live before my first term."


def speech_wav(path: Path, text: str = SENTENCE) -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    subprocess.run([espeak, "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


def read_audio(path: Path, rate: int = 48000) -> np.ndarray:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    parts: list[np.ndarray] = []
    with av.open(str(path)) as c:
        for frame in c.decode(audio=0):
            frame.pts = None
            parts.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
    return np.concatenate(parts)


def video_with_audio(
    path: Path,
    audio: np.ndarray,
    *,
    width: int = 320,
    height: int = 240,
    fps: int = 10,
    seconds: float | None = None,
    rate: int = 48000,
    metadata: dict[str, str] | None = None,
) -> Path:
    """An MP4 (H.264 + AAC) with moving colour bars over the given audio (int16 mono at `rate`)."""
    seconds = seconds or len(audio) / rate
    with av.open(str(path), mode="w", format="mp4") as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "ultrafast"}
        a = out.add_stream("aac", rate=rate)
        a.layout = "mono"
        frames = int(seconds * fps)
        xs = np.arange(width, dtype=np.int32)
        for i in range(frames):
            img = np.zeros((height, width, 3), dtype=np.uint8)
            img[:, :, 0] = (xs + i * 8) % 256
            img[:, :, 1] = (xs * 2) % 256
            img[:, :, 2] = 128
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(v.encode(frame))
        out.mux(v.encode(None))
        total = int(seconds * rate)
        pcm = np.zeros(total, dtype=np.int16)
        pcm[: min(total, len(audio))] = audio[:total]
        step = 1024
        for start in range(0, total, step):
            chunk = pcm[start : start + step].reshape(1, -1)
            af = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            af.sample_rate = rate
            af.pts = start
            af.time_base = Fraction(1, rate)
            out.mux(a.encode(af))
        out.mux(a.encode(None))
    return path


def tone_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    with av.open(str(path), mode="w", format="wav") as out:
        s = out.add_stream("pcm_s16le", rate=rate)
        s.layout = "mono"
        t = np.arange(int(seconds * rate)) / rate
        pcm = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        for start in range(0, len(pcm), 4096):
            f = av.AudioFrame.from_ndarray(pcm[start : start + 4096].reshape(1, -1), format="s16", layout="mono")
            f.sample_rate = rate
            out.mux(s.encode(f))
        out.mux(s.encode(None))
    return path


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def bad_files(directory: Path, good_mp4: Path) -> dict[str, Path]:
    """Each file that must be refused, by name."""
    d = directory / "bad"
    d.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    files["renamed-executable.mp4"] = d / "renamed-executable.mp4"
    files["renamed-executable.mp4"].write_bytes(Path(sys.executable).resolve().read_bytes()[:200_000])
    files["polyglot.mp4"] = d / "polyglot.mp4"
    files["polyglot.mp4"].write_bytes(png_bytes() + b"<html><script>alert(1)</script></html>")
    files["archive.mp4"] = d / "archive.mp4"
    with zipfile.ZipFile(files["archive.mp4"], "w") as z:
        z.writestr("clip.mp4", good_mp4.read_bytes())
    data = good_mp4.read_bytes()
    files["truncated.mp4"] = d / "truncated.mp4"
    files["truncated.mp4"].write_bytes(data[: len(data) // 2])
    files["playlist.mp4"] = d / "playlist.mp4"
    files["playlist.mp4"].write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1:9/secret.ts\n#EXT-X-ENDLIST\n"
    )
    files["concat.mp4"] = d / "concat.mp4"
    files["concat.mp4"].write_text("ffconcat version 1.0\nfile /etc/passwd\nfile http://127.0.0.1:9/x.mp4\n")
    files["empty.mp4"] = d / "empty.mp4"
    files["empty.mp4"].write_bytes(b"")
    files["too-long.wav"] = tone_wav(d / "too-long.wav", seconds=75)  # tests use a 60-second limit
    return files


def make_all(directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    wav = directory / "speech.wav"
    if not wav.exists():
        speech_wav(wav)
    mp4 = directory / "speech.mp4"
    if not mp4.exists():
        video_with_audio(mp4, read_audio(wav), metadata={"location": "+53.4808-002.2426/", "title": "Private"})
    files = {"speech.wav": wav, "speech.mp4": mp4}
    files.update(bad_files(directory, mp4))
    return files


# The format corpus: one short spoken sentence in every format a student's phone, browser or recorder
# may send. Generated at test time (seconds, not megabytes in the repository).

CORPUS_SENTENCE = "My college helped me find a place to live."
CORPUS_WORDS = ("college", "helped", "find", "place", "live")


@dataclass(frozen=True)
class Sample:
    """One file of the corpus and what its rendition must be."""

    name: str
    kind: str  # "audio" or "video"
    make: Callable[[Path, np.ndarray], None]  # (path, speech as float32 mono at 48 kHz)
    upright: tuple[int, int] | None = None  # video: (width, height) the rendition must show


def _pcm(speech: np.ndarray, rate: int, channels: int) -> np.ndarray:
    """The speech at `rate` with `channels` channels, float32, shape (channels, samples)."""
    if rate != 48000:
        positions = np.arange(0, len(speech), 48000 / rate)
        speech = np.interp(positions, np.arange(len(speech)), speech).astype(np.float32)
    if channels == 1:
        return speech.reshape(1, -1)
    return np.vstack([speech, speech * 0.8]).astype(np.float32)  # not identical: a real stereo pair


def _write_audio(
    path: Path,
    speech: np.ndarray,
    *,
    container: str,
    codec: str,
    rate: int,
    channels: int = 1,
    sample_format: str | None = None,
    bit_rate: int | None = None,
    vbr_quality: int | None = None,
) -> None:
    layout = "mono" if channels == 1 else "stereo"
    with av.open(str(path), mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        assert isinstance(stream, av.AudioStream)
        stream.layout = layout
        if sample_format:
            stream.format = sample_format
        if bit_rate:
            stream.bit_rate = bit_rate
        if vbr_quality is not None:  # LAME's -V: variable bit rate
            stream.codec_context.qscale = True
            stream.codec_context.global_quality = vbr_quality * 118  # FF_QP2LAMBDA
        _mux_audio(out, stream, _pcm(speech, rate, channels), rate, layout)


def _mux_audio(out: Any, stream: Any, pcm: np.ndarray, rate: int, layout: str, *, start: int = 0) -> None:
    step = 960
    for offset in range(0, pcm.shape[1], step):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm[:, offset : offset + step]), format="fltp", layout=layout
        )
        frame.sample_rate, frame.pts, frame.time_base = rate, start + offset, Fraction(1, rate)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def _sox(path: Path, speech: np.ndarray, *args: str) -> None:
    """Let SoX write the file (its WAV and Ogg Vorbis writers are what many recorders use)."""
    sox = shutil.which("sox")
    if sox is None:
        raise RuntimeError("sox is not installed (apt-get install sox)")
    raw = path.with_suffix(".f32")
    raw.write_bytes(speech.astype("<f4").tobytes())
    subprocess.run(
        [sox, "-t", "raw", "-r", "48000", "-e", "floating-point", "-b", "32", "-c", "1", str(raw), *args, str(path)],
        check=True,
        capture_output=True,
    )
    raw.unlink()


def _wav(rate: int, bits: int, channels: int, floating: bool = False) -> Callable[[Path, np.ndarray], None]:
    encoding = ["-e", "floating-point"] if floating else (["-e", "unsigned-integer"] if bits == 8 else [])
    return lambda path, speech: _sox(
        path, speech, "-b", str(bits), *encoding, "-t", "wav", "-r", str(rate), "-c", str(channels)
    )


def _inverted_stereo(path: Path, speech: np.ndarray) -> None:
    """16-bit stereo WAV at 44.1 kHz whose right channel is the left one turned upside down."""
    pcm = _pcm(speech, 44100, 1)[0]
    with av.open(str(path), mode="w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=44100)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "stereo"
        _mux_audio(out, stream, np.vstack([pcm, -pcm]), 44100, "stereo")


def _phone_video(
    path: Path,
    speech: np.ndarray,
    *,
    container: str,
    codec: str,
    audio_codec: str,
    size: tuple[int, int],
    rotation: int = 0,
    variable_rate: bool = False,
    audio_rate: int = 48000,
    channels: int = 1,
) -> None:
    """A phone-like recording: coded `size`, a display rotation as phones write it (the picture is
    stored sideways), optionally a variable frame rate; a red band on the side that must end up at
    the top of the upright picture."""
    width, height = size
    seconds = len(speech) / 48000
    times: list[float] = []
    t = 0.0
    steps = [1 / 30, 1 / 30, 1 / 20, 1 / 60, 1 / 15] if variable_rate else [1 / 30]
    while t < seconds:
        times.append(t)
        t += steps[len(times) % len(steps)]
    top = {0: (slice(0, height // 8), slice(None)), -90: (slice(None), slice(0, width // 8))}[rotation]
    time_base = Fraction(1, 600) if container == "mov" else Fraction(1, 90000)
    with av.open(str(path), mode="w", format=container) as out:
        v = out.add_stream(codec, rate=30)
        assert isinstance(v, av.VideoStream)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.codec_context.time_base = time_base
        if codec == "libx264":
            v.options = {"preset": "ultrafast"}
        elif codec == "libx265":
            v.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        elif codec == "libvpx":
            v.options = {"deadline": "realtime", "cpu-used": "16", "lag-in-frames": "0", "threads": "1"}
        if rotation:
            v.set_display_rotation(rotation)
        layout = "mono" if channels == 1 else "stereo"
        a = out.add_stream(audio_codec, rate=audio_rate)
        assert isinstance(a, av.AudioStream)
        a.layout = layout
        xs = np.arange(width, dtype=np.int32)
        for i, at in enumerate(times):
            img = np.zeros((height, width, 3), dtype=np.uint8)
            img[:, :, 1] = (xs + i * 8) % 200
            img[:, :, 2] = 90
            img[top] = (255, 0, 0)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = round(at / time_base), time_base
            out.mux(v.encode(frame))
        out.mux(v.encode(None))
        _mux_audio(out, a, _pcm(speech, audio_rate, channels), audio_rate, layout)


def _video(**options: Any) -> Callable[[Path, np.ndarray], None]:
    return lambda path, speech: _phone_video(path, speech, **options)


def _audio(**options: Any) -> Callable[[Path, np.ndarray], None]:
    return lambda path, speech: _write_audio(path, speech, **options)


CORPUS = [
    Sample("wav-u8-8k-mono.wav", "audio", _wav(8000, 8, 1)),
    Sample("wav-s16-16k-mono.wav", "audio", _wav(16000, 16, 1)),
    Sample("wav-s16-11k-stereo.wav", "audio", _wav(11025, 16, 2)),
    Sample("wav-s16-44k-stereo.wav", "audio", _wav(44100, 16, 2)),
    Sample("wav-s24-22k-mono.wav", "audio", _wav(22050, 24, 1)),
    Sample("wav-s24-48k-stereo.wav", "audio", _wav(48000, 24, 2)),
    Sample("wav-f32-32k-mono.wav", "audio", _wav(32000, 32, 1, floating=True)),
    Sample("wav-f32-48k-stereo.wav", "audio", _wav(48000, 32, 2, floating=True)),
    # GarageBand's and the Mac's or iPhone's exports.
    Sample(
        "aiff-s16-44k-stereo.aiff",
        "audio",
        lambda path, speech: _sox(path, speech, "-b", "16", "-t", "aiff", "-r", "44100", "-c", "2"),
    ),
    # One channel wired or recorded with its polarity inverted: plays well, cancels out when mixed.
    Sample(
        "wav-s16-44k-stereo-inverted.wav",
        "audio",
        _inverted_stereo,
    ),
    Sample(
        "mp3-cbr-128k-44k-stereo.mp3",
        "audio",
        _audio(container="mp3", codec="libmp3lame", rate=44100, channels=2, bit_rate=128_000),
    ),
    Sample("mp3-vbr-22k-mono.mp3", "audio", _audio(container="mp3", codec="libmp3lame", rate=22050, vbr_quality=5)),
    Sample(
        "aac-44k-stereo.m4a", "audio", _audio(container="ipod", codec="aac", rate=44100, channels=2, bit_rate=128_000)
    ),
    Sample("aac-48k-mono-voice-memo.m4a", "audio", _audio(container="ipod", codec="aac", rate=48000, bit_rate=64_000)),
    Sample("aac-audio-only.mp4", "audio", _audio(container="mp4", codec="aac", rate=44100, bit_rate=96_000)),
    Sample("opus-48k-mono.webm", "audio", _audio(container="webm", codec="libopus", rate=48000, bit_rate=32_000)),
    Sample("opus-48k-mono.ogg", "audio", _audio(container="ogg", codec="libopus", rate=48000, bit_rate=32_000)),
    Sample(
        "vorbis-44k-stereo.ogg",
        "audio",
        lambda path, speech: _sox(path, speech, "-t", "vorbis", "-r", "44100", "-c", "2"),
    ),
    Sample("flac-16k-mono.flac", "audio", _audio(container="flac", codec="flac", rate=16000, sample_format="s16")),
    Sample(
        "phone-portrait-vfr.mp4",
        "video",
        _video(
            container="mp4",
            codec="libx264",
            audio_codec="aac",
            size=(320, 180),
            rotation=-90,
            variable_rate=True,
            audio_rate=44100,
        ),
        upright=(180, 320),
    ),
    Sample(
        "phone-portrait-hevc.mov",
        "video",
        _video(
            container="mov",
            codec="libx265",
            audio_codec="aac",
            size=(320, 180),
            rotation=-90,
            variable_rate=True,
            channels=2,
        ),
        upright=(180, 320),
    ),
    Sample(
        "phone-landscape.mov",
        "video",
        _video(container="mov", codec="libx264", audio_codec="aac", size=(320, 180)),
        upright=(320, 180),
    ),
    Sample(
        "browser-vp8-opus.webm",
        "video",
        _video(container="webm", codec="libvpx", audio_codec="libopus", size=(320, 180)),
        upright=(320, 180),
    ),
]


def corpus_speech(directory: Path) -> np.ndarray:
    wav = directory / "corpus-speech.wav"
    if not wav.exists():
        speech_wav(wav, CORPUS_SENTENCE)
    pcm = read_audio(wav).astype(np.float32) / 32768
    return np.concatenate([np.zeros(4800, dtype=np.float32), pcm])  # a tenth of a second before the voice


def make_corpus(directory: Path) -> dict[str, Path]:
    """Every file of the corpus, by name (made once: `make_corpus` is idempotent)."""
    d = directory / "corpus"
    d.mkdir(parents=True, exist_ok=True)
    speech = corpus_speech(d)
    files: dict[str, Path] = {}
    for sample in CORPUS:
        path = d / sample.name
        if not path.exists():
            part = path.with_name(f"part-{sample.name}")
            sample.make(part, speech)
            part.rename(path)
        files[sample.name] = path
    return files


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "var" / "clip-fixtures"
    for name, path in {**make_all(out), **make_corpus(out)}.items():
        print(f"{name}: {path} ({path.stat().st_size} bytes)")
