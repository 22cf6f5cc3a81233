"""This app's rows of the access matrix (see tests/matrix.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from django.utils import timezone

from tests.factories import CONFIRMED
from tests.matrix import ANY_SIGNED_IN, FACILITATOR_ONLY, Case, WsCase

CLIP_LIST = frozenset({"facilitator", "lead", "member", "other_member"})
IRWELL_SHARED_CLIP = frozenset({"facilitator", "lead", "member"})


def _call(w):
    from cohort.access import get_membership
    from media_feedback.services import open_call

    existing = w.cohort.feedback_calls.first()
    if existing:
        return existing
    now = timezone.now()
    return open_call(
        get_membership(w.fran, w.cohort.slug),
        title="How was your first year?",
        questions="What helped you most?",
        areas=[],
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
    )


def _link(w):
    return _call(w).links.get(institution=w.irwell)


def _clip(w, **fields):
    from media_feedback.services import give_consent

    clip, token = give_consent(
        _link(w), question="What helped you most?", share_with_institutions=True, may_quote=False, age_band="18+"
    )
    for key, value in fields.items():
        setattr(clip, key, value)
    clip.save()
    return clip, token


def _receipt(w):
    return {"token": _clip(w, status="received")[1]}  # a receipt exists once the upload has completed


def _clip_kwargs(w, **fields):
    return {"cohort": w.cohort.slug, "clip_id": _clip(w, **fields)[0].public_id}


def _clip_with_captions(w):
    from media_feedback import storage

    clip, _ = _clip(w, status="ready")
    with TemporaryDirectory() as tmp:
        vtt = Path(tmp) / "captions.vtt"
        vtt.write_text("WEBVTT\n")
        clip.captions_name = storage.put(f"{clip.storage_prefix}captions.vtt", vtt)
    clip.save()
    return {"cohort": w.cohort.slug, "clip_id": clip.public_id, "what": "captions"}


CASES: list[Case] = [
    # The student's side: the link and the receipt carry their own secrets; anyone holding them is served.
    Case("media_feedback:call_link", kwargs=lambda w: {"token": _link(w).token}, public=True, allowed=ANY_SIGNED_IN),
    Case(
        "media_feedback:upload",
        kwargs=lambda w: {"token": _link(w).token},
        public=True,
        public_status=302,
        allowed=ANY_SIGNED_IN,
    ),
    Case(
        "media_feedback:upload_done",
        kwargs=lambda w: {"token": _link(w).token},
        public=True,
        public_status=302,
        allowed=ANY_SIGNED_IN,
    ),
    Case("media_feedback:receipt", kwargs=_receipt, public=True, allowed=ANY_SIGNED_IN),
    Case(
        "media_feedback:receipt_email",
        kwargs=_receipt,
        method="post",
        data=lambda w: {"email": "student@example.org"},
        public=True,
        public_status=302,
        allowed=ANY_SIGNED_IN,
    ),
    Case("media_feedback:withdraw", kwargs=_receipt, public=True, allowed=ANY_SIGNED_IN),
    Case(
        "media_feedback:withdraw",
        kwargs=_receipt,
        method="post",
        public=True,
        allowed=ANY_SIGNED_IN,
        data=lambda w: CONFIRMED,
    ),
    # The privacy notice under the institution's link (mounted by config/urls.py): public like the link.
    Case("privacy_notice", kwargs=lambda w: {"token": _link(w).token}, public=True, allowed=ANY_SIGNED_IN),
    Case(
        "privacy_notice",
        kwargs=lambda w: {"token": "no-such-link"},
        public=True,
        public_status=404,
        allowed=frozenset(),
        id="privacy_notice:bad-token",
    ),
    # The tus endpoint: a signed ticket in the metadata, or the secret upload URL, is the permission.
    Case(
        "media_feedback:tus_endpoint",
        kwargs=lambda w: {},
        method="post",
        public=True,
        public_status=412,
        allowed=ANY_SIGNED_IN,
    ),
    Case(
        "media_feedback:tus_upload",
        kwargs=lambda w: {"key": "no-such-upload"},
        public=True,
        public_status=405,
        allowed=ANY_SIGNED_IN,
    ),
    # The cohort's side. The list: facilitators, and institution staff (their own shared clips only).
    Case("media_feedback:clips", allowed=CLIP_LIST),
    Case("media_feedback:calls", allowed=FACILITATOR_ONLY),
    Case(
        "media_feedback:calls",
        method="post",
        allowed=FACILITATOR_ONLY,
        id="media_feedback:calls:create",
        data=lambda w: {
            "title": "Second call",
            "questions": "Anything else?",
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2026-02-01T09:00",
            "allow_audio": "on",
            "max_minutes": "5",
            "max_megabytes": "500",
            "retention_days": "90",
        },
    ),
    Case(
        "media_feedback:call",
        kwargs=lambda w: {"cohort": w.cohort.slug, "call_id": _call(w).pk},
        allowed=FACILITATOR_ONLY,
    ),
    Case(
        "media_feedback:link_qr",
        kwargs=lambda w: {"cohort": w.cohort.slug, "link_id": _link(w).pk},
        allowed=FACILITATOR_ONLY,
    ),
    Case(
        "media_feedback:link_toggle",
        kwargs=lambda w: {"cohort": w.cohort.slug, "link_id": _link(w).pk},
        method="post",
        allowed=FACILITATOR_ONLY,
    ),
    # An Irwell clip whose student shared it with their institution, released by a facilitator (the
    # release rule in every state: tests/media_feedback/review/test_release_matrix.py).
    Case(
        "media_feedback:clip",
        kwargs=lambda w: _clip_kwargs(w, status="ready", released_at=timezone.now()),
        allowed=IRWELL_SHARED_CLIP,
    ),
    Case(
        "media_feedback:clip_retry",
        kwargs=lambda w: _clip_kwargs(w, status="failed", original_name="clips/x/original"),
        method="post",
        allowed=FACILITATOR_ONLY,
    ),
    # The unredacted captions (and rendition) are the facilitators' alone; staff get the redacted ones.
    Case("media_feedback:clip_file", kwargs=_clip_with_captions, allowed=FACILITATOR_ONLY),
    # A Welsh clip the English-only model left for a facilitator to type.
    Case(
        "media_feedback:type_transcript",
        kwargs=lambda w: _clip_kwargs(w, status="ready", language="cy", transcript_needed=True),
        allowed=FACILITATOR_ONLY,
    ),
    Case(
        "media_feedback:type_transcript",
        kwargs=lambda w: _clip_kwargs(w, status="ready", language="cy", transcript_needed=True),
        method="post",
        data=lambda w: {"text": "Helo"},
        allowed=FACILITATOR_ONLY,
    ),
]
WS_CASES: list[WsCase] = []
