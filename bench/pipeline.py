"""Pipeline benchmark: a 3-minute 720p video and a 3-minute audio clip through each step.

    .venv/bin/python bench/pipeline.py [--seconds 180]

Makes real speech with espeak-ng (a passage repeated to length), a 720p H.264/AAC video carrying it,
and an audio file; then times each step the worker runs — check (probe), transcode (rendition,
poster, waveform), decode to 16 kHz, transcription (faster-whisper with the product's settings: beam
search and the vocabulary hints of the framework, the call's questions and the field's terms) — and
prints each step's time and real-time factor (processing time ÷ clip length), and the total.
Targets: audio < 0.3×, video < 1×. The model load is timed apart (once per worker process). The load
average is printed too: on a shared machine other work slows every step.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

PASSAGE = (
    "In my first year the support team helped me find somewhere to live. "
    "My personal tutor checked in every week, and the bursary made a real difference. "
    "The hardest part was the summer, when the halls closed and I had nowhere to go. "
    "I would tell the next student to ask for help early, because people do want to help. "
)


CPU: dict[str, float] = {}  # CPU seconds (all threads of this process) per step, beside the wall-clock ones


def timed(label: str, fn, results: dict[str, float]):  # type: ignore[no-untyped-def]
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    results[label] = time.perf_counter() - started
    CPU[label] = time.process_time() - cpu
    return value


def steps_for(kind: str, media, transcribe, hints: str, work: Path, args, blur_video=None):  # type: ignore[no-untyped-def]
    """The worker's steps for a clip of `kind`, in order, as (label, function of the previous step's
    result): the original's path → the same path → the Rendition → its 16 kHz samples → the words."""

    def check(path: Path) -> Path:
        media.probe(path, max_seconds=args.seconds + 10, max_bytes=2**31, allow_audio=True, allow_video=True)
        return path

    steps: list[tuple[str, Any]] = [
        ("check", check),
        ("transcode", lambda path: media.transcode(path, work / f"out-{kind}", kind)),
    ]
    if kind == "video" and blur_video is not None:
        # Faces blurred, as the worker does for an anonymous clip: it goes on with the same rendition.
        def blur(rendition):  # type: ignore[no-untyped-def]
            blur_video(rendition.path, work / "blurred")
            return rendition

        steps.append(("blur faces", blur))
    steps += [
        ("decode 16 kHz", lambda rendition: media.decode_audio(rendition.path)),
        ("transcribe", lambda samples: transcribe(samples, hints)),
    ]
    return steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=180)
    args = parser.parse_args()
    import django

    django.setup()
    from bench.transcripts import framework_hints
    from media_feedback import media
    from media_feedback.blur import blur_video
    from media_feedback.tasks import BEAM_SIZE, load_model, model_path, token_counter, transcribe_audio
    from tests.media_feedback.make_fixtures import read_audio, speech_wav, video_with_audio

    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    print("making 3-minute fixtures (espeak-ng, 720p H.264)…", flush=True)
    wav = speech_wav(work / "speech.wav", PASSAGE * 12)
    pcm = read_audio(wav)
    total = args.seconds * 48000
    import numpy as np

    pcm = np.tile(pcm, total // len(pcm) + 1)[:total]
    video = video_with_audio(work / "clip.mp4", pcm, width=1280, height=720, fps=25, seconds=args.seconds)
    # The audio clip: the same speech as AAC in M4A (what a phone's voice recorder sends).
    audio = work / "clip.m4a"
    import av

    with av.open(str(audio), mode="w", format="mp4") as out:
        stream = out.add_stream("aac", rate=48000)
        stream.layout = "mono"
        for start in range(0, total, 1024):
            frame = av.AudioFrame.from_ndarray(pcm[start : start + 1024].reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = 48000
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))

    load: dict[str, float] = {}
    model = timed("model load", lambda: load_model(model_path()), load)
    hints = framework_hints(token_counter(model))
    print(f"model: {model_path()} — load {load['model load']:.1f} s (once per worker)")
    print(f"transcription: beam size {BEAM_SIZE}, hints of {token_counter(model)(' ' + hints)} tokens")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")

    for kind, path in (("audio", audio), ("video", video)):
        r: dict[str, float] = {}
        value: Any = path
        for label, step in steps_for(kind, media, transcribe_audio, hints, work, args, blur_video):
            value = timed(label, lambda s=step, v=value: s(v), r)
            if label == "transcode":
                rendition = value
        seconds = rendition.duration
        total_s = sum(r.values())
        print(
            f"\n{kind}: {seconds:.0f} s, {path.stat().st_size / 2**20:.1f} MB in, "
            f"rendition {rendition.path.stat().st_size / 2**20:.1f} MB, {len(value)} words, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        for step, spent in r.items():
            print(
                f"  {step:<14} {spent:6.1f} s   {spent / seconds:5.2f}× real time"
                f"   (CPU {CPU[step]:6.1f} s, {CPU[step] / seconds:5.2f}×)"
            )
        target = 0.3 if kind == "audio" else 1.0
        print(f"  {'total':<14} {total_s:6.1f} s   {total_s / seconds:5.2f}× real time (target < {target}×)")


if __name__ == "__main__":
    main()
