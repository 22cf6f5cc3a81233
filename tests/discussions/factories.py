"""Builders for discussion tests: themes, threads and posts made through the services.

Each runs what the service leaves for after commit (events, notifications), as a request would.
"""

from __future__ import annotations

import uuid

from django.test import TestCase

from cohort.access import get_membership
from cohort.models import Cohort, User
from discussions import services
from discussions.models import Post, Theme, Thread


def theme_for(cohort: Cohort, title: str = "Data and definitions") -> Theme:
    theme, _ = Theme.objects.get_or_create(cohort=cohort, title=title)
    return theme


def start(user: User, cohort: Cohort, title: str = "Defining care experience", body: str = "How do you count?",
          private: bool = False, theme: Theme | None = None) -> Thread:  # fmt: skip
    membership = get_membership(user, cohort.slug)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = services.start_thread(
            membership, theme or theme_for(cohort), title=title, body=body, key=uuid.uuid4(), private=private
        )
    return Thread.objects.select_related("theme__cohort").get(pk=result.post.thread_id)


def reply(user: User, thread: Thread, body: str = "We use the UCAS flag.", parent: Post | None = None) -> Post:
    membership = get_membership(user, thread.theme.cohort.slug)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = services.add_post(
            membership, thread, body=body, key=uuid.uuid4(), parent_id=parent.pk if parent else None
        )
    return result.post
