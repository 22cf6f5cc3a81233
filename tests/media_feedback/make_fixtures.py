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
from fractions import Fraction
from pathlib import Path

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


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "var" / "clip-fixtures"
    for name, path in make_all(out).items():
        print(f"{name}: {path} ({path.stat().st_size} bytes)")
