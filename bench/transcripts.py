"""How well, and how fast, clips are transcribed: the speech set through the bundled model, with the
settings the product used first (greedy, no hints), next ("previous": beam search and hints, with
sampled retries and every stretch kept) and now ("product": media_feedback.tasks.transcribe_audio).

    .venv/bin/python bench/transcripts.py [--only greedy,previous,product] [--show] [--dir var/speech-set]

For each setting: recall of content words (share of the sentence's content words that appear in the
transcript; min and mean over the files, and for the general and the domain sentences apart), word
error rate, words heard that were never said (content words, and of those the hint words: a hint
must not put words in a student's mouth; nor may silence, noise or a tone come back as words),
and the real-time factor of transcription (seconds of work per second of speech, wall clock; the
load average is printed with it, since other work on the machine slows it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

QUESTIONS = ["What helped you most in your first year?", "What would you change for the next student like you?"]


def framework_hints(count_tokens):  # type: ignore[no-untyped-def]
    """The hints the product would give for a call with the demo's questions about the whole
    framework as it ships (no database needed)."""
    from cohort.framework_data import AREAS
    from media_feedback import vocabulary

    return vocabulary.hint_text(
        questions=QUESTIONS,
        areas=[(title, [statement for statement, _ in criteria]) for _, title, _, criteria in AREAS],
        count_tokens=count_tokens,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "speech-set")
    parser.add_argument("--only", default="", help="comma-separated settings to run (default: all)")
    parser.add_argument("--show", action="store_true", help="print each transcript")
    args = parser.parse_args()
    import django

    django.setup()
    from bench.speech_set import content_words, make_speech_set, recall, word_error_rate, words
    from media_feedback import media, tasks

    items = make_speech_set(args.dir)
    model = tasks.load_model(tasks.model_path())
    hints = framework_hints(tasks.token_counter(model))
    hint_words = set(words(hints))
    print(f"model {tasks.model_path()}; {len(items)} files; hints ({tasks.token_counter(model)(' ' + hints)} tokens):")
    print(f"  {hints}\n")
    audio = [(item, media.decode_audio(item.path)) for item in items]
    speech_seconds = sum(len(a) for _, a in audio) / media.SAMPLE_RATE
    import ctranslate2
    import numpy as np

    rng = np.random.default_rng(1)
    t = np.arange(media.SAMPLE_RATE * 8) / media.SAMPLE_RATE
    no_speech = {
        "8 s silence": np.zeros(len(t), dtype=np.float32),
        "8 s noise": (rng.standard_normal(len(t)) * 0.05).astype(np.float32),
        "8 s tone": (np.sin(2 * np.pi * 440 * t) * 0.3).astype(np.float32),
    }

    def run(beam_size: int, **extra: object):  # type: ignore[no-untyped-def]
        def transcribe(samples):  # type: ignore[no-untyped-def]
            segments, _ = model.transcribe(
                samples, language="en", word_timestamps=True, beam_size=beam_size, vad_filter=False, **extra
            )
            return " ".join(w.word.strip() for s in segments for w in s.words or [])

        return transcribe

    settings = {
        "greedy": run(1),  # what the product did first
        "beam5": run(5),
        "beam5+prompt": run(5, initial_prompt=hints),
        "beam5+hotwords": run(5, hotwords=hints),  # and the text before as context (faster-whisper's default)
        # What the product did next: beam search and hints, with faster-whisper's sampled retries and
        # every stretch of a clip kept.
        "previous": run(5, hotwords=hints, condition_on_previous_text=False),
        "product": lambda samples: " ".join(w["word"] for w in tasks.transcribe_audio(samples, hints)),
    }
    chosen = [s for s in args.only.split(",") if s] or list(settings)
    transcribe = tasks.transcribe_audio  # warm up (first call allocates)
    transcribe(audio[0][1][: media.SAMPLE_RATE])
    print(f"{len(items)} files, {speech_seconds:.0f} s of speech")
    header = (
        f"{'setting':<14} {'recall min':>10} {'mean':>6} {'general':>8} {'domain':>7} {'WER':>6} "
        f"{'unsaid hint words':>17} {'extra/file':>10} {'RTF':>6} {'load':>5}"
    )
    print(header)
    for name in chosen:
        fn = settings[name]
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        cpu_started = time.process_time()
        results = []
        for item, samples in audio:
            ctranslate2.set_random_seed(1)  # sampled retries, where a setting has them, repeat run to run
            heard = fn(samples)
            results.append((item, heard))
            if args.show:
                print(f"    {item.path.name} [{item.voice.name}] {heard}")
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        load = (load_before + os.getloadavg()[0]) / 2
        recalls = [recall(item.text, heard) for item, heard in results]
        by_group = {
            g: statistics.mean(r for (item, _), r in zip(results, recalls, strict=True) if item.group == g)
            for g in ("general", "domain")
        }
        wer = statistics.mean(word_error_rate(item.text, heard) for item, heard in results)
        extra = sum(
            len([w for w in content_words(heard) if w not in words(item.text)]) for item, heard in results
        ) / len(results)
        unsaid = sum(
            len([w for w in content_words(heard) if w in hint_words and w not in words(item.text)])
            for item, heard in results
        )
        print(
            f"{name:<14} {min(recalls):>10.2f} {statistics.mean(recalls):>6.3f} {by_group['general']:>8.3f} "
            f"{by_group['domain']:>7.3f} {wer:>6.3f} {unsaid:>17d} {extra:>10.2f} {elapsed / speech_seconds:>6.3f} {load:>5.1f}"
            f"   (cpu {cpu / speech_seconds:.3f} s per s)",
            flush=True,
        )
        by_voice: dict[str, list[float]] = {}
        for (item, _), r in zip(results, recalls, strict=True):
            by_voice.setdefault(item.voice.name, []).append(r)
        print(
            "    by voice (min/mean): "
            + "; ".join(f"{v} {min(rs):.2f}/{statistics.mean(rs):.2f}" for v, rs in by_voice.items())
        )
        worst = sorted(zip(recalls, results, strict=True), key=lambda x: x[0])[:5]
        for r, (item, heard) in worst:
            print(f"    worst {r:.2f} {item.path.name} [{item.voice.name}]: {heard}")
        # No speech at all: whatever comes back was never said.
        invented = {what: fn(samples) for what, samples in no_speech.items()}
        print("    no speech: " + "; ".join(f"{what}: {heard.strip()!r}" for what, heard in invented.items()))


if __name__ == "__main__":
    main()
