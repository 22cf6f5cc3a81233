"""The speech set: sentences students and staff might say, spoken by several synthetic voices.

    .venv/bin/python bench/speech_set.py [DIR]    # writes the WAV files and prints what they say

It gathers the sentences the repository already speaks (the clip tests' sentence, the pipeline
benchmark's passage, the demo clips) and adds sentences full of the field's words, from students and
from staff. Each is spoken by espeak-ng voices with different accents, pitches and speeds. Generated,
never committed: espeak-ng makes the whole set in a few seconds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# (group, text). "general": everyday words; "domain": the field's words, many of them rare for the model.
SENTENCES: list[tuple[str, str]] = [
    # Already spoken in the repository (tests/media_feedback/make_fixtures.py, bench/pipeline.py, the demo).
    ("general", "The support team at my college helped me find a place to live before my first term."),
    ("general", "In my first year the support team helped me find somewhere to live."),
    ("general", "My personal tutor checked in every week, and the bursary made a real difference."),
    ("general", "The hardest part was the summer, when the halls closed and I had nowhere to go."),
    ("general", "I would tell the next student to ask for help early, because people do want to help."),
    ("general", "My personal tutor checked in every week and that made me feel someone had my back."),
    ("general", "I wish someone had told me about the bursary before the first term started."),
    ("general", "The college found me a quiet place to study when things at home were hard."),
    # Added for the vocabulary: students.
    ("domain", "I applied for the care leavers' bursary and my personal adviser helped me fill in the form."),
    ("domain", "As an estranged student I had no family to act as a guarantor for my accommodation."),
    ("domain", "Being care-experienced, I was offered year-round accommodation so I could stay over the summer."),
    ("domain", "The hardship fund paid my deposit when my student finance was delayed."),
    ("domain", "I did not know I could disclose my estrangement after I arrived, so I waited until my second year."),
    ("domain", "My personal adviser from the local authority and my designated teacher talked every month."),
    # Added for the vocabulary: staff.
    ("domain", "Our university is working towards the NNECL Quality Mark for care leavers and estranged students."),
    ("domain", "We monitor continuation and attainment for care-experienced students against their peers."),
    ("domain", "Outreach with virtual schools helps children in care think about university."),
    ("domain", "As a corporate parent the council pays the bursary and funds accommodation in the vacations."),
    # Added with more voices: sentences dense in the field's words, students then staff.
    (
        "domain",
        "Without a guarantor I could not rent a flat, so my personal adviser asked the university to act as one.",
    ),
    (
        "domain",
        "The care leavers' bursary and the hardship fund covered my deposit while my student finance was delayed.",
    ),
    ("domain", "Estranged students told us that a named contact and year-round accommodation mattered most."),
    ("domain", "Our designated teacher and the virtual school head helped me apply to university as a care leaver."),
    (
        "domain",
        "We renewed the NNECL Quality Mark after our outreach with local authorities reached more care-experienced learners.",
    ),
    (
        "domain",
        "Every estranged or care-experienced student can ask for a guarantor, a bursary and a personal adviser.",
    ),
]


@dataclass(frozen=True)
class Voice:
    name: str
    espeak: str  # espeak-ng's -v argument: language, accent, variant
    speed: int  # words per minute
    pitch: int = 50


VOICES = [
    Voice("British", "en-gb", 150),
    Voice("American, quicker", "en-us", 170),
    Voice("Scottish, slower", "en-gb-scotland", 135),
    Voice("British, female", "en-gb+f3", 155, pitch=60),
    Voice("Lancastrian, quick", "en-gb-x-gbclan", 180),
    Voice("West Midlands, female, slow", "en-gb-x-gbcwmd+f2", 125, pitch=65),
    Voice("Received Pronunciation, female", "en-gb-x-rp+f4", 150, pitch=55),
    Voice("Caribbean", "en-029", 155),
]

# Words that carry no content: left out of the recall of content words.
# fmt: off
STOPWORDS = {
    "a", "an", "the", "and", "or", "but", "so", "if", "as", "at", "by", "for", "from", "in", "into", "of",
    "on", "onto", "to", "with", "about", "after", "before", "over", "until", "when", "while", "than",
    "then", "there", "here", "this", "that", "these", "those", "it", "its", "i", "me", "my", "we", "our",
    "us", "you", "your", "he", "him", "his", "she", "her", "they", "them", "their", "who", "whom",
    "which", "what", "where", "why", "how", "is", "am", "are", "was", "were", "be", "been", "being",
    "do", "does", "did", "done", "have", "has", "had", "having", "can", "could", "would", "should",
    "will", "shall", "may", "might", "must", "not", "no", "nor", "too", "very", "just", "also", "all",
    "any", "each", "every", "some", "such", "only", "own", "same", "other", "up", "out", "off", "down",
    "again", "once", "one", "two",
}
# fmt: on
# Spellings the model may choose that a reader takes for the same word.
SAME_WORD = {"advisor": "adviser", "advisors": "advisers"}


def words(text: str) -> list[str]:
    """Lower-case words, hyphens and possessives split off, spelling variants folded."""
    text = text.lower().replace("-", " ").replace("\u2019", "'")
    found = [w.strip("'") for w in re.findall(r"[a-z']+", text)]
    found = [w[:-2] if w.endswith("'s") else w for w in found]
    return [SAME_WORD.get(w, w) for w in found if w]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def recall(reference: str, heard: str) -> float:
    """Share of the reference's content words found in what was heard (each occurrence counts once)."""
    wanted = content_words(reference)
    pool = words(heard)
    found = 0
    for w in wanted:
        if w in pool:
            pool.remove(w)
            found += 1
    return found / len(wanted) if wanted else 1.0


def word_error_rate(reference: str, heard: str) -> float:
    ref, hyp = words(reference), words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref) if ref else 0.0


@dataclass(frozen=True)
class Item:
    path: Path
    text: str
    group: str
    voice: Voice


def make_speech_set(directory: Path) -> list[Item]:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    directory.mkdir(parents=True, exist_ok=True)
    items = []
    for s, (group, text) in enumerate(SENTENCES):
        for v, voice in enumerate(VOICES):
            path = directory / f"s{s:02d}-v{v}.wav"
            if not path.exists():
                subprocess.run(
                    [espeak, "-v", voice.espeak, "-s", str(voice.speed), "-p", str(voice.pitch), "-w", str(path), text],
                    check=True,
                    capture_output=True,
                )
            items.append(Item(path, text, group, voice))
    return items


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "var" / "speech-set"
    for item in make_speech_set(out):
        print(f"{item.path.name}  {item.voice.name:<28} {item.text}")
