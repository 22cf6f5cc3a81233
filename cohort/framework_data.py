"""The first version of the Quality Mark framework as QM Cohort ships it.

Seven areas in the framework's order, each with criteria statements written for this product (a
paraphrase of what an institution is asked to show, not the official wording). Facilitators can edit
every word in the admin; a new version is a new FrameworkVersion row.
"""

from __future__ import annotations

FRAMEWORK_NAME = "NNECL Quality Mark"
FRAMEWORK_VERSION = "2024.1"

# (slug, title, summary, [(statement, {nation: note})])
AREAS: list[tuple[str, str, str, list[tuple[str, dict[str, str]]]]] = [
    (
        "culture-and-leadership",
        "Culture and leadership",
        "Senior commitment, named responsibility and an inclusive culture for care-experienced and estranged students.",
        [
            (
                "A senior leader is accountable for support for care-experienced and estranged students, and reports on it to the governing body.",
                {},
            ),
            (
                "Named contacts exist for these students and are easy to find from the institution's website and student services.",
                {},
            ),
            ("Staff across departments know who these students are, what they may need and where to refer them.", {}),
            (
                "The institution's strategy and policies name care-experienced and estranged students explicitly.",
                {
                    "scotland": "Link to the institution's Corporate Parenting Plan under the Children and Young People (Scotland) Act 2014.",
                    "wales": "Refer to the Welsh Government's commitments to care-experienced learners where they apply.",
                },
            ),
            ("Students' own voices shape the support on offer, through regular and safe ways to give feedback.", {}),
        ],
    ),
    (
        "continuous-improvement",
        "Continuous improvement",
        "Using data, evaluation and feedback to improve outcomes, with clear definitions and targets.",
        [
            (
                "The institution records how many care-experienced and estranged students it has, using a stated definition.",
                {
                    "northern-ireland": "Note where definitions differ from those used by the Department of Health's care statistics.",
                },
            ),
            (
                "Outcomes (continuation, attainment, progression) for these students are monitored and compared with their peers.",
                {},
            ),
            ("Support is evaluated and changed in the light of evidence and student feedback.", {}),
            (
                "Targets for these students appear in the institution's access and participation commitments and are reviewed.",
                {
                    "england": "Refer to the Access and Participation Plan agreed with the Office for Students.",
                    "scotland": "Refer to the Outcome Agreement with the Scottish Funding Council.",
                    "wales": "Refer to the Fee and Access Plan or its successor with Medr.",
                },
            ),
        ],
    ),
    (
        "pre-entry-activity",
        "Pre-entry activity",
        "Outreach, information and advice for care-experienced young people and adults before they apply.",
        [
            (
                "Outreach work reaches children in care, care leavers and those who support them, including virtual schools and carers.",
                {},
            ),
            (
                "Information about support, bursaries and accommodation is clear, current and published where applicants look.",
                {},
            ),
            ("Applicants can talk to a named person before applying and visit with someone they trust.", {}),
            ("The institution works with local authorities and other partners to raise aspiration and attainment.", {}),
        ],
    ),
    (
        "admissions",
        "Admissions",
        "Fair admissions that take account of care experience and estrangement, with support through transition.",
        [
            (
                "Admissions policy considers care experience and estrangement as context, and staff apply it consistently.",
                {},
            ),
            (
                "Students can disclose care experience or estrangement at any time, and know what happens when they do.",
                {},
            ),
            ("Offers of support are made promptly after disclosure, before the student arrives.", {}),
            ("Transition support covers arrival, year-round accommodation and the first weeks of study.", {}),
        ],
    ),
    (
        "student-wellbeing",
        "Student wellbeing",
        "Mental health, accommodation, money and a sense of belonging throughout the year.",
        [
            ("Accommodation is available all year round, including in vacations, for students who need it.", {}),
            ("Financial support (bursaries, hardship funds) is targeted at these students and easy to claim.", {}),
            (
                "Mental health and wellbeing support is accessible and understands the experience of care and estrangement.",
                {},
            ),
            ("Students have a consistent named contact who checks in with them proactively.", {}),
            ("Opportunities exist for peer support and community, on the student's own terms.", {}),
        ],
    ),
    (
        "student-success",
        "Student success",
        "Continuation, attainment and progression into work or further study.",
        [
            ("Academic staff and personal tutors know how to support these students' study and progress.", {}),
            ("Students at risk of withdrawing are identified early and offered help.", {}),
            ("Careers and employability support is tailored, including work experience and internships.", {}),
            ("Support continues into graduation and the move to work or further study.", {}),
        ],
    ),
    (
        "collaborative-and-partnership-working",
        "Collaborative and partnership working",
        "Working with local authorities, other institutions and sector bodies.",
        [
            ("The institution has working relationships with the local authorities whose care leavers it admits.", {}),
            (
                "It collaborates with other colleges and universities to share practice and smooth transitions between them.",
                {},
            ),
            ("It takes part in sector networks and contributes to improving practice beyond itself.", {}),
            ("Information is shared with partners only with the student's consent and for their benefit.", {}),
        ],
    ),
]

NATION_KEYS = {
    "england": "england",
    "scotland": "scotland",
    "wales": "wales",
    "northern-ireland": "northern_ireland",
}


def load_framework(apps: object = None) -> object:
    """Create the framework rows (idempotent). Used by the data migration with historical models."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    FrameworkVersion = apps.get_model("cohort", "FrameworkVersion")  # type: ignore[attr-defined]
    Area = apps.get_model("cohort", "Area")  # type: ignore[attr-defined]
    Criterion = apps.get_model("cohort", "Criterion")  # type: ignore[attr-defined]
    NationNote = apps.get_model("cohort", "NationNote")  # type: ignore[attr-defined]
    framework, created = FrameworkVersion.objects.get_or_create(
        name=FRAMEWORK_NAME, version=FRAMEWORK_VERSION, defaults={"is_current": True}
    )
    if not created:
        return framework
    for position, (slug, title, summary, criteria) in enumerate(AREAS, start=1):
        area = Area.objects.create(framework=framework, position=position, slug=slug, title=title, summary=summary)
        for c_position, (statement, notes) in enumerate(criteria, start=1):
            criterion = Criterion.objects.create(area=area, position=c_position, statement=statement)
            for nation, note in notes.items():
                NationNote.objects.create(criterion=criterion, nation=NATION_KEYS[nation], note=note)
    return framework
