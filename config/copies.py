"""Copies of an erased person's words in others' text, told apart from words others wrote themselves.

The person's own rows and fields are erased as the personal-data map says; this finds where others'
text repeats theirs. Two texts often share words without one being copied from the other: a stock
sentence ("Agreed, see the minutes."), a template that several institutions filled in, a criterion's
statement that everyone quotes, the same evidence title written in two institutions. So a passage of
someone else's text counts as a copy only when

- it repeats a run of at least RUN_WORDS consecutive words, and RUN_CHARS characters, of the person's
  text (words are compared without case, punctuation, Markdown or HTML tags between them);
- the run is the person's own: no text changed before they wrote theirs holds it, wherever it is in
  scope, and the framework's reference text (which everyone quotes) does not;
- the text holding it was changed after the person's was written (or carries no date), and
- its writer could have read the person's text: the same cohort, and the same institution when the
  person's text is that institution's private work (its self-assessment, its private threads).

A reply to one of the person's posts that quotes it (Markdown "> " lines whose words are in the post)
is a copy too, however short the quote: the reply names the post it answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

RUN_WORDS = 10
RUN_CHARS = 50

_TAG = re.compile(r"<[^<>]*>")
_APOSTROPHE = r"(?:['’]|&#x27;|&#39;|&apos;|&rsquo;)"
_WORD = re.compile(rf"\w+(?:{_APOSTROPHE}\w+)*")
_APOSTROPHES = re.compile(_APOSTROPHE)
# Emphasis and code markers hugging a removed passage would be left unpaired ("**[removed …]").
_MARKERS = "*_~`"

type Key = tuple[str, ...]


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each word of the text, HTML tags left out."""
    masked = _TAG.sub(lambda m: " " * len(m.group()), text)
    return [(m.start(), m.end(), _APOSTROPHES.sub("'", m.group()).casefold()) for m in _WORD.finditer(masked)]


def runs(text: str) -> Iterable[tuple[int, int, Key]]:
    """(start, end, words) of each run of RUN_WORDS consecutive words."""
    found = words(text)
    for i in range(len(found) - RUN_WORDS + 1):
        window = found[i : i + RUN_WORDS]
        yield window[0][0], window[-1][1], tuple(w for _, _, w in window)


@dataclass(frozen=True)
class Place:
    """Where a text is and when it was written or last changed (None: not known)."""

    when: datetime | None
    cohort_id: int | None
    private_to: int | None  # the institution whose private work it is; None: the whole cohort reads it

    def could_read(self, source: Place) -> bool:
        """Could the writer of a text here have read the source?"""
        if source.cohort_id is not None and self.cohort_id is not None and source.cohort_id != self.cohort_id:
            return False
        return source.private_to is None or self.private_to is None or source.private_to == self.private_to


@dataclass
class CopyFinder:
    """Feed it the person's texts (`add`), the reference text (`common`), then every other text in scope
    (`scan`); `copies()` gives, for each scanned text holding a copy, the spans to remove."""

    sources: list[Place] = field(default_factory=list)
    index: dict[Key, set[int]] = field(default_factory=dict)
    prior: set[tuple[Key, int]] = field(default_factory=set)  # (run, source) found in text older than the source
    hits: dict[object, list[tuple[int, int, Key, int]]] = field(default_factory=dict)

    def add(self, text: str, place: Place) -> None:
        number = len(self.sources)
        self.sources.append(place)
        for _start, _end, key in runs(text or ""):
            self.index.setdefault(key, set()).add(number)

    def common(self, text: str) -> None:
        """Text everyone may quote (the framework's): no run of it is anyone's own."""
        for _start, _end, key in runs(text or ""):
            self.index.pop(key, None)

    def scan(self, ref: object, text: str, place: Place) -> None:
        if not self.index or not text:
            return
        for start, end, key in runs(text):
            for number in self.index.get(key, ()):
                source = self.sources[number]
                if place.when is not None and source.when is not None and place.when < source.when:
                    self.prior.add((key, number))  # written before theirs: the run was not theirs first
                elif place.could_read(source):
                    self.hits.setdefault(ref, []).append((start, end, key, number))

    def copies(self) -> dict[object, list[tuple[int, int]]]:
        """{ref: [(start, end), …]} of the passages to remove, in order, each at least RUN_CHARS long."""
        found: dict[object, list[tuple[int, int]]] = {}
        for ref, hits in self.hits.items():
            merged: list[list[int]] = []
            for start, end in sorted({(s, e) for s, e, key, n in hits if (key, n) not in self.prior}):
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            spans = [(s, e) for s, e in merged if e - s >= RUN_CHARS]
            if spans:
                found[ref] = spans
        return found


def cut(text: str, spans: list[tuple[int, int]], replacement: str) -> str:
    """The text with each span replaced; markers hugging a span and a full stop ending it go too, and
    HTML tags inside it stay (the markup stays balanced)."""
    for start, end in reversed(spans):
        while start > 0 and text[start - 1] in _MARKERS:
            start -= 1
        if end < len(text) and text[end] in ".!?":
            end += 1
        while end < len(text) and text[end] in _MARKERS:
            end += 1
        tags = "".join(_TAG.findall(text[start:end]))
        text = text[:start] + replacement + tags + text[end:]
    return text


def remove_sentences(text: str, sentences: Iterable[str], replacement: str) -> str:
    """The text with each of the sentences (whole, in any case) replaced, markers hugging it too."""
    for sentence in sorted(set(sentences), key=len, reverse=True):
        pattern = rf"(?<![\w{_MARKERS}])[{_MARKERS}]*{re.escape(sentence)}[{_MARKERS}]*(?!\w)"
        text = re.sub(pattern, lambda _m: replacement, text, flags=re.IGNORECASE)
    return text


def _folded(text: str) -> str:
    return " ".join(w for _, _, w in words(text))


def remove_quotes(reply: str, post: str, replacement: str) -> str:
    """A reply with each quoted line ("> …") whose words are all in the post it answers replaced."""
    said = f" {_folded(post)} "
    lines = reply.split("\n")
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*(?:>\s*)+)(.*)$", line)
        if match is None:
            continue
        quoted = _folded(match.group(2))
        if quoted and f" {quoted} " in said:
            lines[i] = match.group(1) + replacement
    return "\n".join(lines)
