"""Permission-checked getters for discussions, built on cohort.access: outside scope, 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from cohort.models import Membership
from discussions.models import Post, Report, Theme, Thread


def get_theme(membership: Membership, theme_id: int) -> Theme:
    return get_object_or_404(Theme.objects.select_related("area"), pk=theme_id, cohort_id=membership.cohort_id)


def get_thread(membership: Membership, thread_id: int) -> Thread:
    return get_object_or_404(
        Thread.objects.visible_to(membership).select_related("theme__cohort", "theme__area", "institution"),
        pk=thread_id,
    )


def get_post(membership: Membership, post_id: int) -> Post:
    """A post in a thread the member may read."""
    post = get_object_or_404(Post.objects.select_related("thread__theme__cohort", "thread__institution"), pk=post_id)
    if not Thread.objects.visible_to(membership).filter(pk=post.thread_id).exists():
        raise Http404("No such post.")
    return post


def get_own_post(membership: Membership, post_id: int) -> Post:
    """A post the member may edit or delete: their own, or any for the facilitator."""
    post = get_post(membership, post_id)
    if not (membership.is_facilitator or (post.author_id and post.author_id == membership.user_id)):
        raise Http404("No such post.")
    return post


def get_report(membership: Membership, report_id: int) -> Report:
    if not membership.is_facilitator:
        raise Http404("No such report.")
    return get_object_or_404(Report, pk=report_id, post__thread__theme__cohort_id=membership.cohort_id)
