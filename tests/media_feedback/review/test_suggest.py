"""Area suggestions from the lexicon, measured on short labelled statements written for this test
(not taken from the lexicon's own wording)."""

from __future__ import annotations

from media_feedback.review.suggest import suggest_areas

LABELLED: list[tuple[str, str]] = [
    ("Nobody senior at the university seemed to know what being care experienced meant.", "culture-and-leadership"),
    ("There was a named contact for care leavers and she was brilliant.", "culture-and-leadership"),
    ("I felt judged when I told staff I was estranged from my family.", "culture-and-leadership"),
    ("The staff had clearly had training and never made assumptions about me.", "culture-and-leadership"),
    ("They sent a survey at the end of the year but nothing changed afterwards.", "continuous-improvement"),
    ("I was in a focus group and they actually improved the bursary process.", "continuous-improvement"),
    ("Nobody ever asked us what we thought of the support.", "continuous-improvement"),
    ("They should track how many of us finish the course.", "continuous-improvement"),
    ("An outreach summer school made me think I could go to university.", "pre-entry-activity"),
    ("At sixth form nobody helped me with my personal statement.", "pre-entry-activity"),
    ("The open day had a session just for young people in care.", "pre-entry-activity"),
    ("Before I applied I had no idea what support existed.", "pre-entry-activity"),
    ("I got a reduced offer because of my care experience.", "admissions"),
    ("The interview panel did not ask anything about my background.", "admissions"),
    ("Induction week was overwhelming and nobody explained the transition.", "admissions"),
    ("When I enrolled they already knew about my circumstances.", "admissions"),
    ("I had nowhere to go over Christmas when the halls closed.", "student-wellbeing"),
    ("The counselling waiting list was months long and my anxiety got worse.", "student-wellbeing"),
    ("Paying rent and food on a student loan was impossible.", "student-wellbeing"),
    ("I felt so lonely in my first term.", "student-wellbeing"),
    ("My tutor gave me an extension on my assignment when things were hard.", "student-success"),
    ("I nearly dropped out in the second year.", "student-success"),
    ("The careers service found me a paid placement.", "student-success"),
    ("Study skills sessions helped me pass my exams.", "student-success"),
    ("My social worker and the university never talked to each other.", "collaborative-and-partnership-working"),
    ("My personal adviser from the leaving care team came to campus.", "collaborative-and-partnership-working"),
    ("The council and the college worked together on my housing.", "collaborative-and-partnership-working"),
    ("My foster carer was not allowed to speak to student services.", "collaborative-and-partnership-working"),
    # Oblique statements, phrased without the obvious words.
    ("The vice-chancellor came to our drop-in and listened for an hour.", "culture-and-leadership"),
    ("It felt like the university cared what happened to people like me.", "culture-and-leadership"),
    ("They changed the deadline policy after we complained about it.", "continuous-improvement"),
    ("A student ambassador who had been in care visited my school.", "pre-entry-activity"),
    ("My grades were lower than they asked for but they still let me in.", "admissions"),
    ("I couldn't afford a laptop so I did everything on my phone.", "student-wellbeing"),
    ("I could not sleep for weeks and nobody noticed.", "student-wellbeing"),
    ("I got a first in my dissertation and I'm the first in my family to graduate.", "student-success"),
    (
        "Nobody passed my details on when I moved from the college to the university.",
        "collaborative-and-partnership-working",
    ),
]


def shares() -> tuple[float, float]:
    top = hit = 0
    for text, label in LABELLED:
        found = [s.area_slug for s in suggest_areas(text)]
        top += bool(found) and found[0] == label
        hit += label in found
    return top / len(LABELLED), hit / len(LABELLED)


def test_the_labelled_area_is_the_first_suggestion_for_most_statements() -> None:
    top, anywhere = shares()
    print(f"area suggestions: first suggestion right {top:.0%}, right area among suggestions {anywhere:.0%}")
    assert top >= 0.7
    assert anywhere >= 0.8


def test_each_suggestion_names_the_words_that_matched() -> None:
    [first, *_] = suggest_areas("I had nowhere to go over Christmas when the halls closed.")
    assert first.area_slug == "student-wellbeing"
    assert first.reason == "Mentions “nowhere to go”, “christmas”, “halls”"


def test_a_statement_about_nothing_in_the_framework_gets_no_suggestion() -> None:
    assert suggest_areas("The weather was grey and the trains were late.") == []
