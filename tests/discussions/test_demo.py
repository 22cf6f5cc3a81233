from __future__ import annotations

from cohort import demo
from discussions import demo as discussions_demo
from discussions.models import Post, Theme, Thread


def test_the_demo_has_themes_threads_replies_and_a_private_thread_and_running_it_twice_changes_nothing(db) -> None:
    world = demo.seed()
    discussions_demo.seed(world)
    state = (list(Post.objects.values_list("id", "seq", "body")), list(Thread.objects.values_list("id", "pinned")))
    discussions_demo.seed(world)
    assert (
        list(Post.objects.values_list("id", "seq", "body")),
        list(Thread.objects.values_list("id", "pinned")),
    ) == state
    assert Thread.objects.filter(institution__isnull=False).count() == 1
    assert Thread.objects.filter(pinned=True).count() == 1
    assert Post.objects.filter(depth__gte=2).exists()
    assert {"Data and definitions", "Target setting"} <= set(
        Theme.objects.filter(cohort=world.cohort).values_list("title", flat=True)
    )
