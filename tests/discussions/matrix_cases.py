"""This app's rows of the access matrix (see tests/matrix.py).

Objects are built for Irwell: a shared thread started by Alice (member at Irwell), and a thread
private to Irwell's working group. Edit and delete belong to the author and the facilitator.
"""

from __future__ import annotations

import uuid

from discussions.models import Report
from tests.discussions.factories import start, theme_for
from tests.matrix import EVERYONE_IN_COHORT, FACILITATOR_ONLY, Case, WsCase

POSTERS = EVERYONE_IN_COHORT - {"observer"}
AUTHOR_OR_FACILITATOR = frozenset({"member", "facilitator"})
IRWELL_PRIVATE = frozenset({"member", "lead", "facilitator"})


def _thread(w, private: bool = False):
    return start(w.alice, w.cohort, title="Private at Irwell" if private else "Shared", private=private)


def _theme(w):
    return {"cohort": w.cohort.slug, "theme_id": theme_for(w.cohort).pk}


def _thread_kwargs(w):
    return {"cohort": w.cohort.slug, "thread_id": _thread(w).pk}


def _private_kwargs(w):
    return {"cohort": w.cohort.slug, "thread_id": _thread(w, private=True).pk}


def _post_kwargs(w):
    return {"cohort": w.cohort.slug, "post_id": _thread(w).posts.get().pk}


def _private_post_kwargs(w):
    return {"cohort": w.cohort.slug, "post_id": _thread(w, private=True).posts.get().pk}


def _report_kwargs(w):
    post = _thread(w).posts.get()
    report = Report.objects.create(post=post, reporter=w.bob, reason="Off topic")
    return {"cohort": w.cohort.slug, "report_id": report.pk}


def _post_data(w):
    return {"body": "A reply", "key": str(uuid.uuid4())}


CASES = [
    Case("discussions:index"),
    Case("discussions:add_theme", method="post", allowed=FACILITATOR_ONLY, data=lambda w: {"title": "Student voice"}),
    Case("discussions:theme", kwargs=_theme),
    Case("discussions:new_thread", kwargs=_theme, allowed=POSTERS),
    Case(
        "discussions:new_thread",
        kwargs=_theme,
        method="post",
        allowed=POSTERS,
        data=lambda w: {"title": "New", "body": "Hello", "key": str(uuid.uuid4())},
    ),
    Case("discussions:thread", kwargs=_thread_kwargs),
    Case("discussions:thread", kwargs=_private_kwargs, allowed=IRWELL_PRIVATE, id="private-thread"),
    Case("discussions:add_post", kwargs=_thread_kwargs, method="post", allowed=POSTERS, data=_post_data),
    Case(
        "discussions:add_post",
        kwargs=_private_kwargs,
        method="post",
        allowed=IRWELL_PRIVATE,
        data=_post_data,
        id="private-add-post",
    ),
    Case("discussions:mark_read", kwargs=_thread_kwargs, method="post"),
    Case("discussions:subscription", kwargs=_thread_kwargs, method="post", data=lambda w: {"state": "mute"}),
    Case(
        "discussions:moderate_thread",
        kwargs=_thread_kwargs,
        method="post",
        allowed=FACILITATOR_ONLY,
        data=lambda w: {"action": "lock"},
    ),
    Case("discussions:edit_post", kwargs=_post_kwargs, allowed=AUTHOR_OR_FACILITATOR),
    Case(
        "discussions:edit_post",
        kwargs=_post_kwargs,
        method="post",
        allowed=AUTHOR_OR_FACILITATOR,
        data=lambda w: {"body": "Changed"},
    ),
    Case("discussions:delete_post", kwargs=_post_kwargs, method="post", allowed=AUTHOR_OR_FACILITATOR),
    Case("discussions:report_post", kwargs=_post_kwargs),
    Case("discussions:report_post", kwargs=_private_post_kwargs, allowed=IRWELL_PRIVATE, id="private-report"),
    Case(
        "discussions:report_post",
        kwargs=_post_kwargs,
        method="post",
        data=lambda w: {"reason": "Rude"},
    ),
    Case("discussions:hide_post", kwargs=_post_kwargs, method="post", allowed=FACILITATOR_ONLY),
    Case("discussions:mark_practice", kwargs=_post_kwargs, allowed=FACILITATOR_ONLY),
    Case("discussions:reports", allowed=FACILITATOR_ONLY),
    Case("discussions:dismiss_report", kwargs=_report_kwargs, method="post", allowed=FACILITATOR_ONLY),
    Case("discussions:search", data=lambda w: {"q": "care"}),
    Case("discussions:mention_suggestions", data=lambda w: {"q": "a"}),
]


WS_CASES = [
    WsCase(
        route="ws/c/<slug:cohort>/threads/<id:thread_id>/",
        path=lambda w: f"/ws/c/{w.cohort.slug}/threads/{_thread(w).pk}/",
    ),
    WsCase(
        route="ws/c/<slug:cohort>/threads/<id:thread_id>/",
        path=lambda w: f"/ws/c/{w.cohort.slug}/threads/{_thread(w, private=True).pk}/",
        allowed=IRWELL_PRIVATE,
        id="private-thread",
    ),
    WsCase(
        route="ws/c/<slug:cohort>/themes/<id:theme_id>/",
        path=lambda w: f"/ws/c/{w.cohort.slug}/themes/{_theme(w)['theme_id']}/",
    ),
]
