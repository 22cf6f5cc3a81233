"""The first version of the Quality Mark framework as QM Cohort ships it, in English and in Welsh.

Seven areas in the framework's order, each with criteria statements written for this product (a
paraphrase of what an institution is asked to show, not the official wording). Facilitators can edit
every word, in both languages, in the admin; a new version is a new FrameworkVersion row.

The Welsh (WELSH, beside AREAS: the same areas, criteria and nation notes in the same order) goes into
the `_cy` fields (cohort.i18n): load_framework() writes it with the English, and add_welsh() writes it
into a framework loaded before there was any (the data migration 0011_framework_in_welsh).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

# The name is marked for translation so that pages can show it in the reader's language
# (`{% translate cohort.framework.name %}`); the row keeps the English.
FRAMEWORK_NAME = gettext_noop("NNECL Quality Mark")
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

# The Welsh of each area (by slug): (title, summary, [(statement, {nation: note})]), in AREAS' order.
# Written plainly, in the words of locale/GLOSSARY.md.
WELSH: dict[str, tuple[str, str, list[tuple[str, dict[str, str]]]]] = {
    "culture-and-leadership": (
        "Diwylliant ac arweinyddiaeth",
        "Ymrwymiad gan uwch arweinwyr, cyfrifoldeb wedi'i enwi a diwylliant cynhwysol i fyfyrwyr â phrofiad o ofal "
        "a myfyrwyr sydd wedi ymddieithrio oddi wrth eu teulu.",
        [
            (
                "Mae uwch arweinydd yn atebol am y cymorth i fyfyrwyr â phrofiad o ofal a myfyrwyr sydd wedi "
                "ymddieithrio, ac mae'n adrodd arno i'r corff llywodraethu.",
                {},
            ),
            (
                "Mae gan y myfyrwyr hyn bobl gyswllt wedi'u henwi, ac mae'n hawdd dod o hyd iddynt ar wefan y "
                "sefydliad a thrwy'r gwasanaethau myfyrwyr.",
                {},
            ),
            (
                "Mae staff ym mhob adran yn gwybod pwy yw'r myfyrwyr hyn, beth allai fod ei angen arnynt ac at bwy i'w "
                "cyfeirio.",
                {},
            ),
            (
                "Mae strategaeth a pholisïau'r sefydliad yn enwi myfyrwyr â phrofiad o ofal a myfyrwyr sydd wedi "
                "ymddieithrio yn benodol.",
                {
                    "scotland": "Cysylltwch hyn â Chynllun Rhianta Corfforaethol y sefydliad o dan Ddeddf Plant a "
                    "Phobl Ifanc (yr Alban) 2014.",
                    "wales": "Cyfeiriwch at ymrwymiadau Llywodraeth Cymru i ddysgwyr â phrofiad o ofal lle maent yn "
                    "berthnasol.",
                },
            ),
            (
                "Mae lleisiau'r myfyrwyr eu hunain yn llywio'r cymorth sydd ar gael, drwy ffyrdd rheolaidd a diogel o "
                "roi adborth.",
                {},
            ),
        ],
    ),
    "continuous-improvement": (
        "Gwella parhaus",
        "Defnyddio data, gwerthuso ac adborth i wella canlyniadau, gyda diffiniadau a thargedau clir.",
        [
            (
                "Mae'r sefydliad yn cofnodi faint o fyfyrwyr â phrofiad o ofal a myfyrwyr sydd wedi ymddieithrio sydd "
                "ganddo, gan ddefnyddio diffiniad sydd wedi'i nodi.",
                {
                    "northern-ireland": "Nodwch ble mae'r diffiniadau'n wahanol i'r rhai a ddefnyddir yn ystadegau "
                    "gofal yr Adran Iechyd.",
                },
            ),
            (
                "Caiff canlyniadau'r myfyrwyr hyn (parhau â'u hastudiaethau, cyrhaeddiad, dilyniant) eu monitro a'u "
                "cymharu â chanlyniadau eu cyfoedion.",
                {},
            ),
            ("Caiff y cymorth ei werthuso a'i newid yng ngoleuni tystiolaeth ac adborth gan fyfyrwyr.", {}),
            (
                "Mae targedau ar gyfer y myfyrwyr hyn yn ymrwymiadau mynediad a chyfranogiad y sefydliad, ac maent yn "
                "cael eu hadolygu.",
                {
                    "england": "Cyfeiriwch at y Cynllun Mynediad a Chyfranogiad a gytunwyd gyda'r Swyddfa Myfyrwyr.",
                    "scotland": "Cyfeiriwch at y Cytundeb Canlyniadau gyda Chyngor Cyllido'r Alban.",
                    "wales": "Cyfeiriwch at y Cynllun Ffioedd a Mynediad, neu'r cynllun sy'n dod yn ei le, gyda Medr.",
                },
            ),
        ],
    ),
    "pre-entry-activity": (
        "Gweithgarwch cyn mynediad",
        "Allgymorth, gwybodaeth a chyngor i bobl ifanc ac oedolion â phrofiad o ofal cyn iddynt wneud cais.",
        [
            (
                "Mae gwaith allgymorth yn cyrraedd plant mewn gofal, pobl sy'n gadael gofal a'r rhai sy'n eu cefnogi, "
                "gan gynnwys ysgolion rhithwir a gofalwyr.",
                {},
            ),
            (
                "Mae gwybodaeth am gymorth, bwrsariaethau a llety yn glir ac yn gyfredol, ac wedi'i chyhoeddi lle mae "
                "ymgeiswyr yn chwilio.",
                {},
            ),
            (
                "Gall ymgeiswyr siarad ag unigolyn wedi'i enwi cyn gwneud cais, ac ymweld â rhywun y maent yn "
                "ymddiried ynddo.",
                {},
            ),
            (
                "Mae'r sefydliad yn gweithio gydag awdurdodau lleol a phartneriaid eraill i godi dyheadau a "
                "chyrhaeddiad.",
                {},
            ),
        ],
    ),
    "admissions": (
        "Derbyn myfyrwyr",
        "Derbyn teg sy'n ystyried profiad o ofal ac ymddieithrio, gyda chymorth drwy'r cyfnod pontio.",
        [
            (
                "Mae'r polisi derbyn yn ystyried profiad o ofal ac ymddieithrio fel cyd-destun, ac mae staff yn ei "
                "ddefnyddio'n gyson.",
                {},
            ),
            (
                "Gall myfyrwyr ddweud wrthym am brofiad o ofal neu ymddieithrio ar unrhyw adeg, ac maent yn gwybod beth "
                "sy'n digwydd wedyn.",
                {},
            ),
            ("Cynigir cymorth yn brydlon ar ôl i fyfyriwr ddweud wrthym, cyn iddo gyrraedd.", {}),
            (
                "Mae'r cymorth pontio'n cynnwys cyrraedd, llety drwy gydol y flwyddyn ac wythnosau cyntaf yr astudio.",
                {},
            ),
        ],
    ),
    "student-wellbeing": (
        "Llesiant myfyrwyr",
        "Iechyd meddwl, llety, arian ac ymdeimlad o berthyn drwy gydol y flwyddyn.",
        [
            (
                "Mae llety ar gael drwy gydol y flwyddyn, gan gynnwys yn ystod y gwyliau, i fyfyrwyr sydd ei angen.",
                {},
            ),
            (
                "Mae cymorth ariannol (bwrsariaethau, cronfeydd caledi) wedi'i dargedu at y myfyrwyr hyn ac mae'n "
                "hawdd ei hawlio.",
                {},
            ),
            (
                "Mae cymorth iechyd meddwl a llesiant yn hygyrch ac yn deall y profiad o fod mewn gofal ac o "
                "ymddieithrio.",
                {},
            ),
            (
                "Mae gan fyfyrwyr un person cyswllt cyson, wedi'i enwi, sy'n cysylltu â nhw'n rheolaidd, heb aros "
                "iddyn nhw ofyn, i weld sut maen nhw.",
                {},
            ),
            (
                "Mae cyfleoedd i gael cymorth gan gyfoedion ac i fod yn rhan o gymuned, ar delerau'r myfyriwr ei hun.",
                {},
            ),
        ],
    ),
    "student-success": (
        "Llwyddiant myfyrwyr",
        "Parhau â'r astudiaethau, cyrhaeddiad a dilyniant i waith neu i astudio pellach.",
        [
            (
                "Mae staff academaidd a thiwtoriaid personol yn gwybod sut i gefnogi astudiaethau a chynnydd y "
                "myfyrwyr hyn.",
                {},
            ),
            ("Caiff myfyrwyr sydd mewn perygl o adael eu cwrs eu nodi'n gynnar a chynigir help iddynt.", {}),
            (
                "Mae cymorth gyrfaoedd a chyflogadwyedd wedi'i deilwra, gan gynnwys profiad gwaith ac interniaethau.",
                {},
            ),
            ("Mae'r cymorth yn parhau hyd at raddio a'r cam i waith neu i astudio pellach.", {}),
        ],
    ),
    "collaborative-and-partnership-working": (
        "Cydweithio a gweithio mewn partneriaeth",
        "Gweithio gydag awdurdodau lleol, sefydliadau eraill a chyrff y sector.",
        [
            (
                "Mae gan y sefydliad berthynas waith â'r awdurdodau lleol sy'n gyfrifol am y bobl sy'n gadael gofal y "
                "mae'n eu derbyn.",
                {},
            ),
            (
                "Mae'n cydweithio â cholegau a phrifysgolion eraill i rannu arferion ac i wneud y symud rhyngddynt yn "
                "haws.",
                {},
            ),
            (
                "Mae'n cymryd rhan yn rhwydweithiau'r sector ac yn helpu i wella arferion y tu hwnt i'r sefydliad ei "
                "hun.",
                {},
            ),
            ("Dim ond gyda chydsyniad y myfyriwr, ac er ei les, y caiff gwybodaeth ei rhannu â phartneriaid.", {}),
        ],
    ),
}

NATION_KEYS = {
    "england": "england",
    "scotland": "scotland",
    "wales": "wales",
    "northern-ireland": "northern_ireland",
}


def _models(apps: Any) -> tuple[Any, Any, Any, Any]:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    return tuple(apps.get_model("cohort", name) for name in ("FrameworkVersion", "Area", "Criterion", "NationNote"))  # type: ignore[return-value]


def _keeps_welsh(Area: Any) -> bool:
    """Whether the (historical) model has the Welsh fields yet: the migration that first loads the
    framework (0002) runs before they exist (0010)."""
    return any(f.name == "title_cy" for f in Area._meta.get_fields())


def load_framework(apps: Any = None) -> Any:
    """Create the framework rows, in English and (once the fields exist) in Welsh. Idempotent: a
    framework version already loaded is returned as it is. Used by the data migration with historical
    models, by the demo seed and by the tests."""
    FrameworkVersion, Area, Criterion, NationNote = _models(apps)
    framework, created = FrameworkVersion.objects.get_or_create(
        name=FRAMEWORK_NAME, version=FRAMEWORK_VERSION, defaults={"is_current": True}
    )
    if not created:
        return framework
    welsh = _keeps_welsh(Area)
    for position, (slug, title, summary, criteria) in enumerate(AREAS, start=1):
        title_cy, summary_cy, criteria_cy = WELSH[slug]
        area = Area.objects.create(
            framework=framework,
            position=position,
            slug=slug,
            title=title,
            summary=summary,
            **({"title_cy": title_cy, "summary_cy": summary_cy} if welsh else {}),
        )
        for c_position, ((statement, notes), (statement_cy, notes_cy)) in enumerate(
            zip(criteria, criteria_cy, strict=True), start=1
        ):
            criterion = Criterion.objects.create(
                area=area,
                position=c_position,
                statement=statement,
                **({"statement_cy": statement_cy} if welsh else {}),
            )
            for nation, note in notes.items():
                NationNote.objects.create(
                    criterion=criterion,
                    nation=NATION_KEYS[nation],
                    note=note,
                    **({"note_cy": notes_cy[nation]} if welsh else {}),
                )
    return framework


def add_welsh(apps: Any = None) -> int:
    """Write the shipped Welsh into the shipped framework version where a row has none yet and its
    English is still the shipped English (a facilitator's own wording, in either language, is kept).
    Returns how many rows were changed. Used by the data migration 0011_framework_in_welsh."""
    FrameworkVersion, Area, Criterion, NationNote = _models(apps)
    framework = FrameworkVersion.objects.filter(name=FRAMEWORK_NAME, version=FRAMEWORK_VERSION).first()
    if framework is None:
        return 0
    changed = 0
    areas = {area.slug: area for area in Area.objects.filter(framework=framework)}
    for slug, title, summary, criteria in AREAS:
        area = areas.get(slug)
        if area is None:
            continue
        title_cy, summary_cy, criteria_cy = WELSH[slug]
        fields: list[str] = []
        if not area.title_cy.strip() and area.title == title:
            area.title_cy, fields = title_cy, [*fields, "title_cy"]
        if not area.summary_cy.strip() and area.summary == summary:
            area.summary_cy, fields = summary_cy, [*fields, "summary_cy"]
        if fields:
            area.save(update_fields=fields)
            changed += 1
        rows = {c.position: c for c in Criterion.objects.filter(area=area)}
        for position, ((statement, notes), (statement_cy, notes_cy)) in enumerate(
            zip(criteria, criteria_cy, strict=True), start=1
        ):
            criterion = rows.get(position)
            if criterion is None:
                continue
            if not criterion.statement_cy.strip() and criterion.statement == statement:
                criterion.statement_cy = statement_cy
                criterion.save(update_fields=["statement_cy"])
                changed += 1
            for nation, note in notes.items():
                changed += NationNote.objects.filter(
                    criterion=criterion, nation=NATION_KEYS[nation], note=note, note_cy=""
                ).update(note_cy=notes_cy[nation])
    return changed
