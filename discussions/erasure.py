"""What an erasure (config.privacy) leaves to the discussions: after the person's words and name were
replaced in posts and thread titles, derived copies follow — each post's search text is rebuilt, its
cached fragments are dropped, and open pages receive the changed post under a new sequence number
and token, so no live page, cache or search index still shows what was erased."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from discussions import events, fragments
from discussions.models import Post, Thread
from discussions.services import render_body


def refresh_after_erasure(*, post_ids: Iterable[int], thread_ids: Iterable[int]) -> None:
    """Caller is inside the erasure's transaction."""
    thread_ids = set(thread_ids)
    posts = Post.objects.filter(pk__in=set(post_ids)) | Post.objects.filter(thread_id__in=thread_ids)
    thread_ids |= set(posts.values_list("thread_id", flat=True))
    # A thread's row shows its title and last author: drop the rows cached before the erasure.
    for thread in Thread.objects.select_for_update().filter(pk__in=thread_ids):
        fragments.forget_thread(thread.pk, events.version(thread))
    for post in posts.order_by("thread_id", "pk"):
        _restamp(post)
    for thread in Thread.objects.filter(pk__in=thread_ids):
        transaction.on_commit(
            lambda t=thread: events.thread_row_changed(t.theme_id, t.pk, t.institution_id)  # type: ignore[misc]
        )


def _restamp(post: Post) -> None:
    fragments.forget_post(post.pk, post.seq, post.idempotency_key.hex)
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    thread.last_seq += 1
    thread.changed_at = timezone.now()
    thread.save(update_fields=["last_seq", "changed_at"])
    post.seq = thread.last_seq
    post.idempotency_key = uuid.uuid4()
    if post.body:
        # From the scrubbed Markdown: a name or sentence escaped in the HTML (O&#x27;Brien) goes too.
        post.body_html = render_body(post.body)
    post.search_text = "" if post.is_gone else f"{thread.title}\n{post.body}"
    post.save(update_fields=["seq", "idempotency_key", "body_html", "search_text"])
    token = post.idempotency_key.hex
    transaction.on_commit(lambda: events.post_changed(thread.pk, post.pk, post.seq, token))
