"""Suggesting framework areas for a transcript: a weighted phrase lexicon and a sentence classifier.

The lexicon lists phrases per area in three weights: 3 for phrases that on their own say the area (a
guarantor, an open day, a personal adviser), 2 for phrases that usually do, 1 for hints. A transcript is
read left to right and, at each word, the longest phrase that starts there wins and uses up its words:
that is the context rule, so "attainment gap" counts for continuous improvement and not also
"attainment" for student success, and a care "placement" is not a work placement. `NEUTRAL` lists
phrases that use up words without counting for any area: the words every statement shares ("care
experienced", "estranged", "students like me"), which say who is speaking, not what about. An area's
lexicon score is the sum of the weights of the distinct phrases found for it; one hint alone counts
for nothing.

The classifier reads each sentence: its embedding (embedding.py, all-MiniLM-L6-v2 run with NumPy) goes
through a logistic regression over the seven areas and "nothing in the framework" (classifier.py),
fitted on the examples in examples.csv. It catches what the lexicon has no phrase for; the lexicon
keeps its say where a phrase settles the matter. How the two are added up is described above
`suggest_areas`.

A suggestion carries its reason: the phrases that led to it and the sentence that speaks most to the
area, shown to the facilitator. Phrases are lower case; a trailing `*` matches any ending
("accommodat*" matches "accommodation"); a phrase of several words matches those words in a row.
`bench/suggest.py` measures the whole on the labelled statements in
tests/media_feedback/review/area_statements.csv.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from media_feedback.review import classifier, embedding

# slug -> weight -> phrases
LEXICON: dict[str, dict[int, list[str]]] = {
    "culture-and-leadership": {
        3: [
            "senior", "senior leader*", "senior management", "senior team", "executive team", "vice chancellor",
            "governors", "governing body", "board of governors", "principal", "accountable", "accountability",
            "named contact", "named person", "designated lead", "designated contact", "champion*", "culture",
            "strategy", "strategic", "pledge", "commitment", "committed", "equality policy", "stigma*", "judged",
            "judg*", "assum*", "staff training",
            "across departments", "every department", "who to refer", "where to send",
            "frontline staff", "taken seriously",
            "falls between", "fall between",
        "vice principal", "pro vice", "head of the institution", "senior staff", "management", "trustees", "institution wide", "whole institution", "stereotyp*", "prejudice*", "discriminat*", "treated differently", "treated like", "ashamed", "shame", "taboo", "covenant", "charter", "ethos", "priority", "prioritis*", "staff development", "all staff", "e learning", "responsible for", "responsibility", "point of contact", "go to person", "key contact", "dedicated contact", "dedicated member of staff", "awareness", "unaware", "insensitive", "didn't understand", "did not understand", "didn't get it"],
        2: [
            "policy", "policies", "training", "trained", "inclusive", "welcoming", "listened", "leadership",
            "leaders", "executive", "homepage", "institution wide", "member of staff",
            "departments", "understood",
        "aware", "sensitive", "values", "pity", "embarrass*", "terminology", "the language", "ownership", "board", "director"],
        1: ["staff", "lead", "dean", "respect*", "attitude*"],
    },
    "continuous-improvement": {
        3: [
            "questionnaire*", "survey*", "feedback", "evaluat*", "focus group*", "student panel", "our panel",
            "student voice", "data", "dashboard*", "figures", "statistic*", "definition*",
            "target*", "monitor*", "track*", "compar*", "attainment gap*", "continuation", "access and participation",
            "outcomes", "how many of us", "how many", "numbers", "counted", "heard nothing back",
            "nothing changed", "what they did with", "what we told them", "rewritten", "rewrote",
            "look back", "what worked", "whether it helped", "lessons",
            "pilot*", "shaped",
        "analys*", "metric*", "kpi*", "indicator*", "benchmark*", "trend*", "you said we did", "close the loop", "impact", "what difference", "effective*", "headcount", "self declared", "student records", "hesa", "office for students", "annual report", "retention rate*", "completion rate*", "progression rate*", "degree outcomes", "good honours", "audit*", "poll*", "learned from", "learnt from", "spreadsheet*"],
        2: [
            "changed", "improv*", "evidence", "measur*", "results", "report*", "review*", "annually", "views",
            "comments", "complained", "asked us", "asked for our", "patchy", "gap", "gaps",

        "count", "counts", "records", "adjust*", "tweak*", "refin*", "report back", "reported back", "listened and", "working or not", "declar*"],
        1: ["plan", "publish*", "each year", "change"],
    },
    "pre-entry-activity": {
        3: [
            "outreach", "widening participation", "summer school", "residential", "taster*", "open day*",
            "open evening*", "information evening*", "campus visit*", "school visit*", "came to my school",
            "visited my school", "sixth form", "year nine", "year ten", "year eleven", "year twelve",
            "year thirteen", "ucas", "personal statement", "before i applied", "before applying",
            "thinking of applying", "before deciding", "before i decided", "before i chose",
            "applicants", "applicant", "looked after children", "young people in care",
            "children in care", "kids in care", "virtual school*", "mature applicants", "returning to education",
            "an option for me", "wish someone had told me", "aspiration*", "guide for applicants", "prospectus",
            "higher education", "out of date", "application deadline",

        "year 9", "year 10", "year 11", "year 12", "year 13", "gcse*", "a level*", "btec*", "access course", "prospective", "would be students", "thinking about uni", "thinking about going", "consider university", "considering university", "leaflet*", "brochure*", "booklet*", "web page*", "webpage*", "online information", "information online", "going to university", "going to uni", "role model*", "ambassador*", "campus tour*", "day on campus", "pupils", "designated teacher*", "summer programme*", "saturday club*", "primary school*", "secondary school*", "uni wasn't for", "not for people like"],
        2: [
            "school", "schools", "at school", "visit", "visited", "a visit", "mentor", "website", "fifteen",
            "sixteen", "advice",

        "apply to", "applying to", "when applying", "find out", "found out about", "heard about", "tour", "workshop*", "teachers"],
        1: ["information", "guide", "events"],
    },
    "admissions": {
        3: [
            "lower offer", "reduced offer", "contextual offer*", "conditional offer*", "made me an offer", "contextual", "as context", "interview panel*",
            "interview guidance", "entry requirement*", "minimum requirements", "clearing", "enrol*", "my application",
            "ticked the box", "tick the box", "flagged", "application", "disclos*", "arrival", "early arrival",
            "before arrival", "moving in", "move in", "moved in", "first few weeks",
            "first week*", "welcome week", "welcome team", "freshers", "induction", "before i started",
            "let me in", "guarantee a place",

            "bedding", "gaps in education", "admissions tutors",
        "predicted grades", "tariff", "conditional", "unconditional", "firm choice", "insurance choice", "results day", "deferr*", "selection", "shortlist*", "rejected", "turned down", "tick box", "checkbox", "told them i was", "proof of", "evidence of estrangement", "letter from", "documentation", "paperwork", "verif*", "moving day", "move in day", "my first day", "first day", "settle in", "settling in", "orientation", "start of term", "beginning of term", "pre arrival", "transition"],
        2: [
            "offer", "offers", "an offer", "admitted", "accepted", "applied", "started", "starting", "grades",

            "what happens next",
        "decision*", "confirmed", "arrived", "got there", "the form", "ucas form"],
        1: ["welcome", "decision"],
    },
    "student-wellbeing": {
        3: [
            "mental health", "wellbeing", "counsell*", "anxi*", "depress*", "panic*", "lonely", "loneliness",
            "alone", "isolat*", "stress*", "accommodation", "halls", "nowhere to stay", "nowhere to go",
            "52 weeks", "all year", "year round", "christmas", "holidays", "winter break", "vacation*", "rent",
            "guarantor", "tenancy", "money", "bursar*", "hardship", "emergency fund", "afford*", "food", "eat",
            "hungry", "bus fare", "bills", "debt", "homeless*", "belong", "belonging", "belonged", "fit in",
            "support group", "buddy", "social events", "check in", "checked in",
            "out of hours", "at night", "no one to call", "crisis", "trauma", "therap*", "waiting list",
            "sleep", "instalments", "loan payment", "income",
        "mental", "struggling", "struggled", "cope", "coping", "overwhelm*", "breakdown", "self harm", "suicid*", "counsellor*", "gp", "somewhere to live", "place to live", "housing", "landlord*", "deposit", "council tax", "cost of living", "was broke", "always broke", "being broke", "so broke", "skint", "overdraft", "maintenance loan", "student loan", "fund", "funds", "funding", "payment*", "pay for", "paying", "laptop", "peer support", "community", "societ*", "friendship*", "isolated", "on my own", "no family", "no parents", "go home to", "going home", "check on me", "checked on me", "keep in touch", "trusted adult", "exhausted", "unsafe", "easter", "term time", "out of term", "holiday*"],
        2: ["family", "friends", "flat", "support worker", "safe", "cost*", "worried", "scared", "loan", "grant", "budget*", "social", "club*", "mates", "tired", "live"],
        1: ["summer", "weekend", "appointments", "room", "home", "low", "down"],
    },
    "student-success": {
        3: [
            "personal tutor*", "tutor", "tutors", "academic skills", "study skills", "study habits", "essay*",
            "assignment*", "coursework", "exam*", "resat", "resit*", "module*", "deadline*", "extension*",
            "extra time", "catch up", "caught up", "degree", "graduat*", "graduate scheme", "postgraduate",
            "master's", "masters", "further study", "careers", "career*", "internship*", "work experience",
            "employ*", "part time job*", "graduate job*", "job application*", "job interview*", "get a job", "find a job", "first job", "mock interview", "cv", "alumni", "dropped out", "drop out", "nearly left",
            "withdraw*", "at risk", "attendance", "stopped turning up", "finish a degree", "progress*",
            "attainment", "marks", "lecture*", "what to do next",
        "revision", "revise", "failed", "fail", "fail*", "resubmi*", "repeat the year", "repeat*", "interrupt*", "suspend*", "intermit*", "leave the course", "left the course", "quit", "give up", "gave up", "stay on", "on track", "falling behind", "fell behind", "behind", "missed lectures", "seminar*", "learning support", "dyslexi*", "neurodiver*", "adhd", "reasonable adjustments", "mitigating circumstances", "extenuating circumstances", "year in industry", "placement year", "work placement*", "industry placement*", "interview skills", "graduate job*", "phd", "postgrad*", "next step*", "after uni", "after university", "after i finish", "when i finish", "classification", "first class", "2 1", "honours", "distinction", "achiev*", "completed my", "finish my course", "finished my"],
        2: ["placement", "placements", "job", "jobs", "academic*", "studies", "study", "lecturer*", "peer mentors", "first term", "first year", "mentoring", "disabilit*", "future", "ambition*", "results", "employers", "cv"],
        1: ["course", "classes", "pass", "library"],
    },
    "collaborative-and-partnership-working": {
        3: [
            "social worker*", "local authorit*", "council", "leaving care", "leaving care worker",
            "leaving care team*", "personal adviser*", "my pa", "pa from", "charit*", "partner*", "partnership*",
            "other universities", "different universities", "neighbouring colleges", "colleges and universities",
            "from college to university", "handover", "passed on", "pass information",
            "passing information", "share practice", "sharing agreement", "data sharing", "network", "regional",
            "national guidance", "sector body", "sector", "joint", "nhs", "referral route",
            "never spoke", "never talked", "pass messages",

        "children's services", "social services", "social care", "corporate parent*", "leaving care service", "aftercare", "after care", "pathway plan", "personal advisor*", "caseworker*", "case worker*", "key worker*", "keyworker*", "youth worker*", "outside agencies", "agenc*", "external organisation*", "organisations", "voluntary sector", "third sector", "nnecl", "propel", "consortium", "consortia", "uni connect", "other institutions", "another university", "another college", "feeder college*", "fe college*", "further education college*", "share* information", "shared information", "information sharing", "data protection", "gdpr", "camhs", "police", "job centre", "dwp", "universal credit", "permission", "without asking me", "consent"],
        2: ["together", "came with me", "worked with", "work with", "foster carer*", "carer*", "trust", "shared", "external", "forum", "contacted my", "told my", "hospital", "employer"],
        1: ["agreement", "city"],
    },
}  # fmt: skip

# Phrases that say who is speaking, not what about: they use up their words and count for no area.
NEUTRAL: list[str] = [
    "care experienced", "care experience", "care leaver*", "estranged", "estrangement", "in care",
    "been in care", "been through care", "left care", "these students", "students like me", "people like me",
    "young people", "children's home", "care placement*", "foster placement*", "placement broke down", "placement breakdown", "on offer", "support offer", "good job", "great job", "whose job", "their job", "my job", "children's homes", "local authority care", "student services",
    "the university", "university",
]  # fmt: skip

# A hint on its own (weight 1) is not enough for a suggestion.
MINIMUM_SCORE = 2

_WORD = re.compile(r"[a-z0-9']+")


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'").replace("‘", "'"))


@dataclass(frozen=True)
class _Term:
    words: tuple[str, ...]
    weights: dict[str, int]  # area slug -> weight; empty for a neutral phrase

    def matches_at(self, words: list[str], at: int) -> bool:
        if at + len(self.words) > len(words):
            return False
        for offset, pattern in enumerate(self.words):
            word = words[at + offset]
            if pattern.endswith("*"):
                if not word.startswith(pattern[:-1]):
                    return False
            elif word != pattern:
                return False
        return True


def _compile() -> tuple[dict[str, list[_Term]], list[_Term]]:
    """Terms by their exact first word, and the terms whose first word has a wildcard."""
    weights: dict[tuple[str, ...], dict[str, int]] = {}
    for phrase in NEUTRAL:
        weights.setdefault(_pattern(phrase), {})
    for slug, tiers in LEXICON.items():
        for weight, phrases in tiers.items():
            for phrase in phrases:
                key = weights.setdefault(_pattern(phrase), {})
                key[slug] = max(weight, key.get(slug, 0))
    exact: dict[str, list[_Term]] = {}
    wild: list[_Term] = []
    for words, by_area in weights.items():
        term = _Term(words, by_area)
        if words[0].endswith("*"):
            wild.append(term)
        else:
            exact.setdefault(words[0], []).append(term)
    return exact, wild


def _pattern(phrase: str) -> tuple[str, ...]:
    """A phrase as the words it matches, keeping a trailing `*` on a word as its wildcard."""
    words = []
    for part in phrase.lower().replace("’", "'").split():
        star = part.endswith("*")
        words += tokens(part.rstrip("*"))
        if star:
            words[-1] += "*"
    return tuple(words)


_EXACT, _WILD = _compile()


def read(words: list[str]) -> list[tuple[str, _Term]]:
    """The phrases found in `words`, left to right, each the longest term starting where it starts."""
    found: list[tuple[str, _Term]] = []
    at = 0
    while at < len(words):
        word = words[at]
        candidates = _EXACT.get(word, []) + [t for t in _WILD if word.startswith(t.words[0][:-1])]
        hits = [t for t in candidates if t.matches_at(words, at)]
        if not hits:
            at += 1
            continue
        longest = max(len(t.words) for t in hits)
        for term in hits:
            if len(term.words) == longest and term.weights:
                found.append((" ".join(words[at : at + longest]), term))
        at += longest
    return found


@dataclass(frozen=True)
class Suggestion:
    area_slug: str
    matched: tuple[str, ...]  # distinct phrases of the transcript that led to it, in order
    score: float  # the lexicon's weights plus the classifier's share (see suggest_areas)
    sentence: str = ""  # the sentence that speaks most to the area

    @property
    def reason(self) -> str:
        shown = self.matched[:6]
        more = len(self.matched) - len(shown)
        phrases = ", ".join(f"“{m}”" for m in shown)
        quoted = _quote(self.sentence)
        if phrases and more:
            phrases = _("%(phrases)s and %(more)s more") % {"phrases": phrases, "more": more}
        if phrases and quoted:
            return _("Mentions %(phrases)s, in “%(sentence)s”") % {"phrases": phrases, "sentence": quoted}
        if phrases:
            return _("Mentions %(phrases)s") % {"phrases": phrases}
        return _("Speaks to it in “%(sentence)s”") % {"sentence": quoted}


def _quote(sentence: str, limit: int = 160) -> str:
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def matches(words: list[str], slug: str) -> list[str]:
    """The distinct phrases of `words` that count for the area, in the order they occur."""
    found: list[str] = []
    for phrase, term in read(words):
        if slug in term.weights and phrase not in found:
            found.append(phrase)
    return found


# --- the classifier's part ------------------------------------------------------------------------
#
# Each sentence of the transcript is embedded (all-MiniLM-L6-v2) and read by a logistic regression
# over the seven areas and "nothing in the framework" (classifier.py, fitted on examples.csv).
#
# Whether to suggest anything: some sentence must be about the framework, by the classifier, with a
# probability of at least RELEVANT_AT (the lexicon alone decides this only for a text the classifier
# cannot read: see suggest_areas).
# Which areas: an area's score is its lexicon score (when at least MINIMUM_SCORE) plus
# CLASSIFIER_WEIGHT times the highest probability any one sentence gives it; that sentence is shown
# in the reason. The strongest area is suggested, and up to two more whose score reaches SECOND_AT.
# These four numbers were chosen on the validation part of the labelled statements (written apart
# from both the lexicon and the classifier's examples), never on the held-out part.
CLASSIFIER_WEIGHT = 12.0
RELEVANT_AT = 0.7
SECOND_AT = 2.0
MOST = 3
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+")
LONGEST_SENTENCE = 40  # words; a longer stretch (a transcript without punctuation) is read in parts
CLAUSES_OVER = 16  # words; a longer sentence is read clause by clause (see sentences)
_CLAUSE_END = re.compile(r"(?<=[,;:–—])\s+")
# A phrase counts only in a sentence the classifier finds about the framework at least this likely, so
# "my parcel arrived" or "the form for the gym" do not count for admissions.
PHRASES_COUNT_AT = 0.5


def sentences(text: str) -> list[str]:
    """The text's sentences, in order. A transcript often runs on with commas where a writer would end
    a sentence, so a sentence of more than CLAUSES_OVER words is cut at its commas and semicolons into
    parts of at most that many words (a clause longer than LONGEST_SENTENCE is cut by count)."""
    parts: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if len(sentence.split()) <= CLAUSES_OVER:
            parts.append(sentence)
            continue
        current: list[str] = []
        for clause in _CLAUSE_END.split(sentence):
            words = clause.split()
            if current and len(current) + len(words) > CLAUSES_OVER:
                parts.append(" ".join(current))
                current = []
            current += words
            while len(current) > LONGEST_SENTENCE:
                parts.append(" ".join(current[:LONGEST_SENTENCE]))
                current = current[LONGEST_SENTENCE:]
        if current:
            parts.append(" ".join(current))
    return [p.strip() for p in parts if tokens(p)]


def reads(language: str) -> bool:
    """Whether the classifier can read text in this language (its model is English only)."""
    return language.lower().split("-")[0] == "en"


def suggest_areas(text: str, *, only: Iterable[str] | None = None, language: str = "en") -> list[Suggestion]:
    """Areas the text speaks to, strongest first (highest score, then framework order), at most MOST.

    For a text in a language the classifier cannot read, the lexicon decides alone, as it did before
    the classifier: every area with a lexicon score of MINIMUM_SCORE; its phrases are English, so such
    a text gets few suggestions."""
    slugs = list(only) if only is not None else list(LEXICON)
    order = {slug: i for i, slug in enumerate(LEXICON)}
    units = sentences(text)
    best: dict[str, tuple[float, str]] = {slug: (0.0, "") for slug in slugs}
    if units and reads(language):
        model = classifier.load()
        about = model.probabilities(embedding.encode([classifier.without_who(u) for u in units]))
        nothing = model.classes.index(classifier.NOTHING)
        relevance = [1.0 - float(row[nothing]) for row in about]
        for unit, row in zip(units, about.tolist(), strict=True):
            for slug, p in zip(model.classes, row, strict=True):
                if slug in best and p > best[slug][0]:
                    best[slug] = (p, unit)
        if max(relevance) < RELEVANT_AT:
            return []
        counted = [u for u, r in zip(units, relevance, strict=True) if r >= PHRASES_COUNT_AT]
        share = CLASSIFIER_WEIGHT
    else:
        counted, share = units, 0.0
    # The lexicon's phrases, per sentence counted, and for the whole text.
    found_in: dict[str, list[tuple[str, list[str]]]] = {slug: [] for slug in slugs}
    phrases: dict[str, dict[str, int]] = {slug: {} for slug in slugs}
    for unit in counted:
        by_area: dict[str, list[str]] = {}
        for phrase, term in read(tokens(unit)):
            for slug, weight in term.weights.items():
                if slug in phrases:
                    phrases[slug].setdefault(phrase, weight)
                    by_area.setdefault(slug, []).append(phrase)
        for slug, found in by_area.items():
            found_in[slug].append((unit, found))
    lexicon = {slug: sum(found.values()) for slug, found in phrases.items()}
    if not share and not any(score >= MINIMUM_SCORE for score in lexicon.values()):
        return []
    scores = {slug: (lexicon[slug] if lexicon[slug] >= MINIMUM_SCORE else 0) + share * best[slug][0] for slug in slugs}
    ranked = sorted(slugs, key=lambda slug: (-scores[slug], order.get(slug, 99)))
    if share:
        chosen = [s for i, s in enumerate(ranked) if scores[s] > 0 and (i == 0 or scores[s] >= SECOND_AT)][:MOST]
    else:
        chosen = [slug for slug in ranked if lexicon[slug] >= MINIMUM_SCORE]
    suggestions = []
    for slug in chosen:
        counts = lexicon[slug] >= MINIMUM_SCORE
        # The sentence quoted holds the phrases named (the one with most of them), else it is the one
        # the classifier found most about the area.
        unit = max(found_in[slug], key=lambda f: len(set(f[1])))[0] if counts else best[slug][1]
        suggestions.append(Suggestion(slug, tuple(phrases[slug]) if counts else (), round(scores[slug], 2), unit))
    return suggestions
