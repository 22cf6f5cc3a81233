"""The personal-data map: every model field that holds personal data or a person's words, whose they
are, whether a subject-access export includes them, what erasure does to them and how long they are
kept. Export and erasure (config/privacy.py) are driven by it; tests/config/test_personal_data.py
fails when a model gains a text, JSON or file field that is classified nowhere here.

How long each holding is kept is declared here too (`Retention`): the retention task
(config/retention.py) deletes exactly the rows these declarations say are due, and the students'
notice (config/notice.py) and the facilitators' retention page print the same declarations, so what
they say and what is deleted cannot drift apart.

A `Holding` is a model whose rows can belong to a person: `people` are the user foreign keys that
make a row theirs (the author, the owner), `cohort` the lookup to the row's cohort (None: the row is
site-wide, so only the site operator's erasure of the whole account reaches it). Derived copies are
fields like any other: rendered HTML, search text, a denormalised name, a practice-library copy.

Besides what the person owns, erasure in a cohort replaces the person's name and address in every
text field of the cohort's rows listed here (`scrub`), and copies of their words in others' text only
where they really are copies (config/privacy.py says how they are told apart from words others wrote
themselves). For that each holding says when its rows' text was written and last changed (`written`,
`changed`) and whose private work a row is (`private_to`): text can only be copied from where its
writer could read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _, ngettext

type StrOrPromise = str | Promise  # text, or text put into the reader's language when shown


class Whose(StrEnum):
    PERSON = "person"  # about the person: their name, address, preferences
    AUTHOR = "author"  # words the person wrote
    INSTITUTION = "institution"  # the institution's work, written by its members
    COHORT = "cohort"  # the cohort's shared record (minutes, notes), which may name people
    STUDENT = "student"  # a student contributor's: media_feedback's withdrawal and retention decide
    SYSTEM = "system"  # produced by the platform from the above (tokens, file names, failure reasons)


class Erase(StrEnum):
    KEEP = "keep"  # stays (the cohort's record); names and the person's sentences in it are scrubbed
    BLANK = "blank"  # emptied
    REPLACE = "replace"  # replaced by REMOVED
    NAME = "name"  # a denormalised name: replaced by FORMER_MEMBER
    DELETE = "delete"  # the whole row goes (and its stored file)
    WITHDRAWAL = "withdrawal"  # a student's: withdrawal and the call's retention delete it, not member erasure


REMOVED = "[removed at the person's request]"
FORMER_MEMBER = "A former member"


@dataclass(frozen=True)
class Retention:
    """How long rows are kept. `wording` is what notices and the retention page say (translatable: it is
    put into the reader's language when it is shown). With `since`, the
    retention task deletes the holding's rows (those matching `where`) once `since` (a date on the row)
    is `after` ago. With `per_call`, the period is the feedback call's own setting instead: `since` is
    a date on the call (reached along the holding's cohort lookup) and the rows go `retention_days`
    after it. Without `since`, nothing deletes the rows on a schedule: they stay as long as `wording`
    says (erasure and withdrawal still reach them)."""

    wording: StrOrPromise
    since: str = ""
    after: timedelta = timedelta(0)
    per_call: bool = False
    where: tuple[tuple[str, Any], ...] = ()

    @property
    def scheduled(self) -> bool:
        return bool(self.since)


def _period(delta: timedelta) -> str:
    if delta % timedelta(days=1) == timedelta(0):
        days = delta.days
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    hours = int(delta.total_seconds() // 3600)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


def _after_wording(delta: timedelta, then: StrOrPromise) -> str:
    period = _period(delta)
    return str(then) % {"period": period} if then else period


# Made when it is shown, in the reader's language (the map is built once, at import).
_lazy_after_wording = lazy(_after_wording, str)


def after(
    delta: timedelta, *, since: str = "created_at", where: tuple[tuple[str, Any], ...] = (), then: StrOrPromise = ""
) -> Retention:
    """Deleted `delta` after the row's `since` date (the wording is made from the period; `then`, if
    given, is a sentence around it: "%(period)s after …")."""
    return Retention(_lazy_after_wording(delta, then), since=since, after=delta, where=where)


ALL_MEMBER_TIME = Retention(_("while the cohort's record is kept"))
ACCOUNT_TIME = Retention(_("until the operator erases the account"))
AUDIT_TIME = Retention(_("the audit log's retention"))
# An invitation can be accepted for 14 days; the row, with the address it went to, stays as the
# cohort's record of who was invited (nothing deletes it on a schedule; erasure does).
INVITATION_RETENTION = Retention(_("while the cohort's record is kept (an invitation can be accepted for 14 days)"))
# A student's clip and everything made from it: until they withdraw it, or until the call's retention
# period after its summary is published (the period is each call's own setting).
STUDENT_RETENTION = Retention(
    _("until withdrawal or the feedback call's retention period ends"),
    since="summary_published_at",
    per_call=True,
)
# An upload never finished by its deadline (set when the student consents: UPLOAD_LIFETIME later).
UNFINISHED_UPLOAD = Retention(
    _("until the upload's deadline if it is never finished"),
    since="upload_expires_at",
    where=(("status", "receiving"),),
)
# The reason a file was refused, for the student's receipt link; the file itself is never kept.
REFUSAL_RETENTION = after(timedelta(days=7), then=_("%(period)s after the file was refused"))
# Which quote a withdrawal removed from a summary (an id, never the words): the summary's own record.
WITH_THE_SUMMARY = Retention(_("as long as the summary is kept"))
MAIL_RETENTION = Retention(
    _("until the e-mail is sent (the row is deleted), or emptied once it has failed for good (about a day)")
)


@dataclass(frozen=True)
class Field:
    name: str
    whose: Whose
    erase: Erase
    export: bool = True
    retention: Retention = ALL_MEMBER_TIME


@dataclass(frozen=True)
class Holding:
    model: str  # app label.Model
    cohort: str | None  # lookup from the model to its cohort; None: site-wide
    people: tuple[str, ...] = ()  # user foreign keys that make a row the person's
    fields: tuple[Field, ...] = ()
    delete_rows: bool = False  # erasure deletes the person's rows outright
    scrub: bool = True  # names and the person's sentences in these rows' text fields are replaced
    not_personal: tuple[str, ...] = field(default=())  # text fields classified as holding no personal data
    # Rows are successive versions of a text several people write (grouped by this key): the person's
    # words are the sentences their versions added to the version before, not the whole text.
    revisions_of: str = ""
    # Extra rules that delete the holding's rows besides its fields' own (an unfinished upload).
    also_deleted: tuple[Retention, ...] = ()
    # Lookups to when a row's text was first written and last changed ("": the row has no such date;
    # a null `changed` means never changed). Text changed before the person wrote theirs holds no copy.
    written: str = "created_at"
    changed: str = ""
    # Lookup to the institution whose private work the row is (read only by its working group, its
    # assessor and the facilitator); "" or a null value: everyone in the cohort reads it.
    private_to: str = ""
    # The platform writes others' text into these rows (a notification names a thread by its title):
    # each whole text the person wrote (a title; config/privacy.py MIN_SENTENCE characters or more) is
    # replaced in them, however few words it has.
    platform_copies: bool = False

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def retentions(self) -> tuple[Retention, ...]:
        """Every retention declared for the holding's rows, its fields' first (no repeats)."""
        found: list[Retention] = []
        for rule in [*(f.retention for f in self.fields), *self.also_deleted]:
            if rule not in found:
                found.append(rule)
        return tuple(found)

    @property
    def scheduled(self) -> tuple[Retention, ...]:
        """The retentions the retention task applies to the holding's rows."""
        return tuple(r for r in self.retentions if r.scheduled)


def _author(name: str, erase: Erase = Erase.REPLACE, *, export: bool = True) -> Field:
    return Field(name, Whose.AUTHOR, erase, export)


def _cohort(name: str) -> Field:
    return Field(name, Whose.COHORT, Erase.KEEP, export=False)


def _student(name: str, retention: Retention = STUDENT_RETENTION) -> Field:
    return Field(name, Whose.STUDENT, Erase.WITHDRAWAL, export=False, retention=retention)


HOLDINGS: tuple[Holding, ...] = (
    # cohort: people and scope
    Holding(
        "cohort.User",
        cohort=None,
        fields=(
            Field("email", Whose.PERSON, Erase.DELETE, retention=ACCOUNT_TIME),
            Field("display_name", Whose.PERSON, Erase.DELETE, retention=ACCOUNT_TIME),
            Field("time_zone", Whose.PERSON, Erase.DELETE, retention=ACCOUNT_TIME),
            Field("language", Whose.PERSON, Erase.DELETE, retention=ACCOUNT_TIME),
            Field("password", Whose.PERSON, Erase.DELETE, export=False),
        ),
        scrub=False,
        written="date_joined",
    ),
    Holding("cohort.Membership", cohort="cohort", people=("user",), delete_rows=True, not_personal=("role",)),
    Holding(
        "cohort.FormerMembership",
        cohort="cohort",
        people=("user",),
        delete_rows=True,
        not_personal=("role",),
        written="removed_at",
    ),
    Holding("cohort.Participation", cohort="cohort", written=""),
    Holding(
        "cohort.Invitation",
        cohort="cohort",
        fields=(Field("email", Whose.PERSON, Erase.DELETE, retention=INVITATION_RETENTION),),
        not_personal=("role", "token_hash", "language"),
    ),
    Holding(
        "cohort.Notification",
        cohort="cohort",
        people=("user",),
        delete_rows=True,
        fields=(
            Field("title", Whose.PERSON, Erase.DELETE),
            Field("message", Whose.PERSON, Erase.DELETE),  # the title as a sentence to translate: names too
            Field("body", Whose.PERSON, Erase.DELETE),
            Field("url", Whose.PERSON, Erase.DELETE),
        ),
        not_personal=("kind", "delivery"),
        platform_copies=True,
    ),
    Holding(
        "cohort.NotificationPreference",
        cohort=None,
        people=("user",),
        delete_rows=True,
        not_personal=("kind", "delivery"),
        written="",
    ),
    Holding(
        "cohort.ActionItem",
        cohort="cohort",
        people=("owner",),
        fields=(
            Field("title", Whose.INSTITUTION, Erase.KEEP),
            Field("detail", Whose.INSTITUTION, Erase.KEEP),
            Field("owner_name", Whose.PERSON, Erase.NAME),
            Field("source_label", Whose.COHORT, Erase.KEEP, export=False),
        ),
        not_personal=("status", "source", "source_url"),
        changed="updated_at",
        private_to="institution",
    ),
    # An example in the practice library (perhaps shared with the sector) is its author's words: the
    # member who added it, or the writer of the post it was marked from (not the facilitator who marked it).
    Holding(
        "cohort.EffectivePractice",
        cohort="cohort",
        people=("author",),
        delete_rows=True,
        fields=(_author("title", Erase.DELETE), _author("description", Erase.DELETE)),
        not_personal=("source", "source_url"),
    ),
    # cohort.assessment: the institution's self-assessment, written by its members
    Holding(
        "cohort.SelfAssessment",
        cohort="cohort",
        people=("recommended_by",),
        fields=(_author("recommendation"),),
        not_personal=("status",),
        written="recommended_at",
        private_to="institution",
    ),
    # A narrative is written by several people in turn: it stays (the institution's work), and
    # erasing one writer removes the sentences their revisions added, from it and from every revision.
    Holding(
        "cohort.CriterionResponse",
        cohort="self_assessment__cohort",
        people=("updated_by",),
        fields=(Field("narrative", Whose.INSTITUTION, Erase.KEEP),),
        not_personal=("status", "practice"),
        written="",
        changed="updated_at",
        private_to="self_assessment__institution",
    ),
    Holding(
        "cohort.NarrativeRevision",
        cohort="response__self_assessment__cohort",
        people=("author",),
        delete_rows=True,
        fields=(_author("narrative", Erase.DELETE),),
        revisions_of="response",
        private_to="response__self_assessment__institution",
    ),
    Holding(
        "cohort.Evidence",
        cohort="response__self_assessment__cohort",
        people=("added_by",),
        delete_rows=True,
        fields=(
            _author("title", Erase.DELETE),
            _author("file", Erase.DELETE),
            _author("original_name", Erase.DELETE),
            _author("link", Erase.DELETE),
        ),
        not_personal=("content_type",),
        written="added_at",
        private_to="response__self_assessment__institution",
    ),
    Holding(
        "cohort.ResponseComment",
        cohort="response__self_assessment__cohort",
        people=("author",),
        fields=(_author("body"),),
        not_personal=("kind",),
        private_to="response__self_assessment__institution",
    ),
    Holding(
        "cohort.ActionProgress",
        cohort="action__cohort",
        people=("author",),
        fields=(_author("note"),),
        not_personal=("status",),
        private_to="action__institution",
    ),
    Holding(
        "cohort.DataDefinition",
        cohort="cohort",
        people=("updated_by",),
        fields=(_author("care_experienced"), _author("estranged"), _author("data_sources")),
        written="",
        changed="updated_at",
    ),
    Holding(
        "cohort.AppTarget",
        cohort="definition__cohort",
        not_personal=("group", "measure", "baseline", "target", "year"),
        written="",
    ),
    # cohort.audit: who did what, never content; the label is the actor's name
    Holding(
        "cohort.AuditEvent",
        cohort="cohort",
        people=("actor",),
        fields=(Field("actor_label", Whose.PERSON, Erase.NAME, retention=AUDIT_TIME),),
        not_personal=("action", "target_type", "target_id"),
        written="at",
    ),
    # meetings
    Holding(
        "meetings.MeetingSeries", cohort="cohort", fields=(_cohort("title"),), not_personal=("time_zone", "video_url")
    ),
    Holding(
        "meetings.Meeting",
        cohort="cohort",
        fields=(_cohort("title"), _cohort("minutes")),
        not_personal=("time_zone", "video_url", "status"),
        changed="updated_at",
    ),
    Holding("meetings.AgendaItem", cohort="meeting__cohort", fields=(_cohort("title"),), written=""),
    Holding(
        "meetings.Outcome",
        cohort="meeting__cohort",
        people=("owner",),
        fields=(_cohort("text"), Field("owner_name", Whose.PERSON, Erase.NAME)),
        not_personal=("kind",),
    ),
    Holding(
        "meetings.Attendance",
        cohort="meeting__cohort",
        people=("user",),
        delete_rows=True,
        not_personal=("response",),
        written="updated_at",
    ),
    Holding("meetings.CalendarFeed", cohort=None, people=("user",), delete_rows=True, not_personal=("key",)),
    Holding(
        "meetings.ConsultationSettings",
        cohort="cohort",
        people=("host",),
        delete_rows=True,
        not_personal=("time_zone", "video_mode", "video_url"),
        written="updated_at",
    ),
    Holding(
        "meetings.Consultation",
        cohort="cohort",
        people=("host", "booked_by"),
        fields=(_author("topic"), _author("notes")),
        not_personal=("time_zone", "video_url", "status"),
        changed="updated_at",
        private_to="institution",
    ),
    # discussions
    Holding("discussions.Theme", cohort="cohort", fields=(_cohort("title"), _cohort("description"))),
    Holding(
        "discussions.Thread",
        cohort="theme__cohort",
        people=("author",),
        fields=(_author("title"),),
        changed="changed_at",
        private_to="institution",
    ),
    Holding(
        "discussions.Post",
        cohort="thread__theme__cohort",
        people=("author",),
        fields=(
            Field("author_name", Whose.PERSON, Erase.NAME),
            _author("body"),
            _author("body_html", export=False),
            _author("search_text", export=False),
        ),
        changed="edited_at",
        private_to="thread__institution",
    ),
    Holding(
        "discussions.ReadState", cohort="thread__theme__cohort", people=("user",), delete_rows=True, written="read_at"
    ),
    Holding(
        "discussions.Subscription",
        cohort="thread__theme__cohort",
        people=("user",),
        delete_rows=True,
        not_personal=("state",),
        written="",
    ),
    Holding(
        "discussions.Report",
        cohort="post__thread__theme__cohort",
        people=("reporter",),
        delete_rows=True,
        fields=(_author("reason", Erase.DELETE),),
        not_personal=("outcome",),
    ),
    # media_feedback: students' material; members appear only as the staff who reviewed it
    Holding(
        "media_feedback.FeedbackCall",
        cohort="cohort",
        fields=(_cohort("title"), _cohort("title_cy"), _cohort("questions"), _cohort("questions_cy")),
        not_personal=("language",),
    ),
    Holding("media_feedback.CallLink", cohort="call__cohort", not_personal=("token",)),
    Holding(
        "media_feedback.Clip",
        cohort="call__cohort",
        fields=(
            _student("question"),
            _student("original_name"),
            _student("rendition_name"),
            _student("redacted_rendition_name"),
            _student("blurred_rendition_name"),
            _student("poster_name"),
            _student("captions_name"),
            _student("waveform"),
            _student("failure_reason"),
        ),
        not_personal=(
            "kind",
            "status",
            "language",
            "no_speech",
            "receipt_token_hash",
            "upload_key_hash",
            "upload_type",
            "s3_upload_id",
            "s3_parts",
        ),
        also_deleted=(UNFINISHED_UPLOAD,),
    ),
    Holding(
        "media_feedback.RefusedUpload",
        cohort="call__cohort",
        fields=(_student("reason", REFUSAL_RETENTION),),
        not_personal=("receipt_token_hash",),
    ),
    Holding(
        "media_feedback.Consent",
        cohort="clip__call__cohort",
        fields=(_student("age_band"), _student("text")),
        not_personal=("text_version", "language"),
        written="given_at",
    ),
    Holding(
        "media_feedback.Transcript",
        cohort="clip__call__cohort",
        fields=(_student("words"), _student("text")),
        not_personal=("language", "model_name"),
    ),
    Holding("media_feedback.Withdrawal", cohort="call__cohort", written="withdrawn_at"),
    Holding(
        "media_feedback.ClipReview",
        cohort="clip__call__cohort",
        not_personal=("rendition_error",),
        written="reviewed_at",
    ),
    Holding("media_feedback.Redaction", cohort="clip__call__cohort"),
    Holding(
        "media_feedback.ClipTag", cohort="clip__call__cohort", fields=(_student("reason"),), not_personal=("status",)
    ),
    Holding("media_feedback.Quote", cohort="clip__call__cohort"),
    Holding(
        "media_feedback.SummaryDocument",
        cohort="call__cohort",
        fields=(
            _cohort("title"),
            _cohort("body"),
            _cohort("title_cy"),
            _cohort("body_cy"),
            _student("withdrawn_quote_ids", WITH_THE_SUMMARY),
        ),
        not_personal=("flag_reason",),
        changed="updated_at",
    ),
    Holding(
        "media_feedback.SummaryVersion",
        cohort="document__call__cohort",
        fields=(
            *(_cohort(name) for name in ("title", "source", "content", "html")),
            *(_cohort(name) for name in ("title_cy", "source_cy", "content_cy", "html_cy")),
        ),
        not_personal=("note",),  # the platform's fixed history line ("A quote was removed at a student's request.")
        written="published_at",
    ),
    Holding("media_feedback.VersionQuote", cohort="version__document__call__cohort", written=""),
    # An e-mail on its way (cohort.mail): its addresses and contents stay only until it is sent.
    Holding(
        "cohort.OutgoingMail",
        cohort=None,
        fields=(
            Field("payload", Whose.SYSTEM, Erase.DELETE, export=False, retention=MAIL_RETENTION),
            Field(
                "subject",
                Whose.SYSTEM,
                Erase.DELETE,
                export=False,
                retention=Retention(
                    _("until the e-mail is sent; kept, without contents or addresses, if it failed for good")
                ),
            ),
        ),
        not_personal=("status", "last_error"),
    ),
)

# Reference data that names no one: the framework, institutions, cohorts.
REFERENCE: dict[str, tuple[str, ...]] = {
    "cohort.Institution": ("name", "short_name", "slug", "kind", "nation"),
    "cohort.FrameworkVersion": ("name", "version"),
    "cohort.Area": ("slug", "title", "summary", "title_cy", "summary_cy"),
    "cohort.Criterion": ("statement", "guidance", "statement_cy", "guidance_cy"),
    "cohort.NationNote": ("nation", "note", "note_cy"),
    "cohort.Cohort": ("name", "slug", "funder"),
    # An institution's identity provider (cohort.sso): addresses, certificates, a client secret; no one's data.
    "cohort.IdentityProvider": (
        "kind",
        "slug",
        "name",
        "metadata_url",
        "metadata_xml",
        "entity_id",
        "sso_url",
        "slo_url",
        "x509cert",
        "issuer",
        "tenant_id",
        "client_id",
        "client_secret",
        "mfa_acr",
    ),
    "cohort.ServedDomain": ("domain",),
    "meetings.AvailabilityWindow": (),
    "meetings.BlockedPeriod": (),
    "cohort.PeriodicJob": ("name", "last_error"),
}

# The apps whose models the map must classify completely.
MAPPED_APPS = ("cohort", "meetings", "discussions", "media_feedback")

BY_MODEL: dict[str, Holding] = {h.model: h for h in HOLDINGS}


def classified(label: str) -> set[str]:
    """The field names of a model that the map classifies (personal or explicitly not)."""
    if label in REFERENCE:
        return set(REFERENCE[label])
    holding = BY_MODEL.get(label)
    if holding is None:
        return set()
    return {f.name for f in holding.fields} | set(holding.not_personal)
