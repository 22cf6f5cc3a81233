"""Posting through the pages: idempotency, bad input, nesting, edits and deletions."""

from __future__ import annotations

import uuid

import pytest

from cohort.models import Notification
from discussions import services
from discussions.models import MAX_DEPTH, Post, Thread
from tests.discussions.factories import reply, start, theme_for
from tests.factories import client_for


def post_url(thread: Thread) -> str:
    return f"/c/gm/discussions/threads/{thread.pk}/posts/"


def test_a_double_submitted_form_saves_one_post(world) -> None:
    thread = start(world.alice, world.cohort)
    client = client_for(world.bob)
    data = {"body": "Only once", "key": str(uuid.uuid4())}
    first = client.post(post_url(thread), data)
    second = client.post(post_url(thread), data, headers={"HX-Request": "true"})
    assert first.status_code == 302 and second.status_code == 200
    assert Post.objects.filter(body="Only once").count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something before you post."), ("   ", "Write something before you post."),
     ("x" * 20_001, "at most 20000 characters")],
)  # fmt: skip
def test_empty_or_oversized_posts_are_refused_with_a_message(world, body, message) -> None:
    thread = start(world.alice, world.cohort)
    response = client_for(world.bob).post(post_url(thread), {"body": body, "key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert message in response.content.decode().replace(",", "")
    assert Post.objects.count() == 1


def test_scripts_and_javascript_links_are_stripped(world) -> None:
    thread = start(world.alice, world.cohort)
    body = "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)> **bold**"
    client_for(world.bob).post(post_url(thread), {"body": body, "key": str(uuid.uuid4())})
    html = Post.objects.get(author=world.bob).body_html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "<strong>bold</strong>" in html


def test_a_reply_to_a_post_of_another_thread_is_refused(world) -> None:
    thread = start(world.alice, world.cohort)
    other = start(world.alice, world.cohort, title="Other")
    foreign = other.posts.get()
    response = client_for(world.bob).post(
        post_url(thread), {"body": "Sneaky", "key": str(uuid.uuid4()), "parent": foreign.pk}
    )
    assert response.status_code == 400
    assert "You can only reply to a post in this thread." in response.content.decode()
    assert not Post.objects.filter(body="Sneaky").exists()


def test_nobody_can_post_in_a_locked_thread(world) -> None:
    thread = start(world.alice, world.cohort)
    client_for(world.fran).post(f"/c/gm/discussions/threads/{thread.pk}/moderate/", {"action": "lock"})
    response = client_for(world.bob).post(post_url(thread), {"body": "Late", "key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "This thread is locked" in response.content.decode()
    assert not Post.objects.filter(body="Late").exists()


def test_replies_nest_to_a_maximum_depth_then_say_whom_they_answer(world) -> None:
    thread = start(world.alice, world.cohort)
    parent = thread.posts.get()
    chain = []
    for n in range(MAX_DEPTH + 2):
        parent = reply(world.bob if n % 2 else world.lena, thread, f"Level {n + 1}", parent=parent)
        chain.append(parent)
    assert [p.depth for p in chain] == [1, 2, 3, 4, 4, 4]
    html = client_for(world.alice).get(thread.get_absolute_url()).content.decode()
    assert html.count("In reply to") == 2
    assert f'id="replies-{chain[3].pk}"' in html


def test_authors_edit_their_posts_which_are_marked_edited(world) -> None:
    thread = start(world.alice, world.cohort)
    post = thread.posts.get()
    response = client_for(world.alice).post(f"/c/gm/discussions/posts/{post.pk}/edit/", {"body": "Better words"})
    assert response.status_code == 302
    html = client_for(world.bob).get(thread.get_absolute_url()).content.decode()
    assert "Better words" in html and "(edited)" in html


def test_a_deleted_post_with_replies_leaves_a_placeholder(world) -> None:
    thread = start(world.alice, world.cohort)
    first = reply(world.bob, thread, "To be deleted")
    reply(world.alice, thread, "An answer", parent=first)
    client_for(world.bob).post(f"/c/gm/discussions/posts/{first.pk}/delete/")
    html = client_for(world.alice).get(thread.get_absolute_url()).content.decode()
    assert "To be deleted" not in html
    assert "This post was deleted." in html and "An answer" in html


def test_a_facilitator_can_delete_anyones_post_but_a_member_cannot(world) -> None:
    thread = start(world.alice, world.cohort)
    post = reply(world.bob, thread, "Bob's words")
    assert client_for(world.lena).post(f"/c/gm/discussions/posts/{post.pk}/delete/").status_code == 404
    assert client_for(world.fran).post(f"/c/gm/discussions/posts/{post.pk}/delete/").status_code == 302
    post.refresh_from_db()
    assert post.deleted_at is not None and post.body == ""


def test_a_thread_page_of_300_posts_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries) -> None:
    thread = start(world.alice, world.cohort)
    root = thread.posts.get()
    rows = [
        Post(thread=thread, author=world.bob, author_name="Bob", institution=world.medlock, body=f"Post {n}",
             body_html=f"<p>Post {n}</p>", seq=n + 2, idempotency_key=uuid.uuid4(),
             parent=root if n % 2 else None, container=root if n % 2 else None, depth=1 if n % 2 else 0)
        for n in range(299)
    ]  # fmt: skip
    Post.objects.bulk_create(rows)
    Thread.objects.filter(pk=thread.pk).update(last_seq=300)
    client = client_for(world.alice)
    with django_assert_max_num_queries(14):
        response = client.get(thread.get_absolute_url())
    assert response.content.decode().count('class="post-node') == 300


def test_a_post_through_htmx_takes_a_fixed_number_of_queries(
    world, settings, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:
    # The post path competes with the fan-out of every post (bench/fanout.py): its queries are pinned,
    # with what runs after commit. Session, user, staff check, membership, thread; then, in a
    # transaction (two statements here, a savepoint), the thread's lock, the post (its idempotency key
    # is not looked up first), the thread row, follow, read state. After commit, once the events are
    # out: the followers who may read the thread (Alice and Bob) with their e-mail preferences, one
    # insert of both notifications, and the e-mail task: nothing per follower.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the e-mail task, as deployed
    thread = start(world.alice, world.cohort)
    reply(world.bob, thread, "First")
    client = client_for(world.lena)
    with django_assert_num_queries(15), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            post_url(thread), {"body": "Hello **all**", "key": str(uuid.uuid4())}, headers={"HX-Request": "true"}
        )
    assert sorted(Notification.objects.filter(title__contains="Lena").values_list("user__email", flat=True)) == [
        world.alice.email,
        world.bob.email,
    ]
    assert response.status_code == 200
    post = Post.objects.get(author=world.lena)
    assert f'id="post-{post.pk}"' in response.content.decode() and "<strong>all</strong>" in post.body_html


def test_deleting_through_htmx_answers_no_content(world) -> None:
    thread = start(world.alice, world.cohort)
    post = reply(world.bob, thread, "Gone soon")
    response = client_for(world.bob).post(f"/c/gm/discussions/posts/{post.pk}/delete/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    post.refresh_from_db()
    assert post.deleted_at is not None


def test_starting_a_thread_needs_a_title_and_a_first_post(world) -> None:
    theme = theme_for(world.cohort)
    response = client_for(world.alice).post(
        f"/c/gm/discussions/themes/{theme.pk}/new/", {"title": "", "body": "", "key": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert "Give the thread a title." in response.content.decode()
    assert not Thread.objects.exists()


def test_a_post_stands_when_its_notifications_fail(world, monkeypatch, django_capture_on_commit_callbacks) -> None:
    # Notifications are written after the post has committed and its events have gone out: a failure
    # there is logged, and the post, its page and the author's answer are unaffected.
    def broken(*args, **kwargs):
        raise RuntimeError("notification store unavailable")

    monkeypatch.setattr(services, "notify_ids", broken)
    thread = start(world.alice, world.cohort)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.bob).post(
            post_url(thread), {"body": "Still here", "key": str(uuid.uuid4())}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200 and "Still here" in response.content.decode()
    assert Post.objects.filter(author=world.bob, body="Still here").exists()
    assert not Notification.objects.filter(title__contains="Bob").exists()


def test_a_form_sent_again_with_new_text_posts_the_new_text(world) -> None:
    """Back after posting (without JavaScript), a new text in the same form: posted, never dropped."""
    thread = start(world.alice, world.cohort)
    client = client_for(world.bob)
    key = str(uuid.uuid4())
    client.post(post_url(thread), {"body": "First thoughts", "key": key})
    response = client.post(post_url(thread), {"body": "Second thoughts", "key": key}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Second thoughts" in response.content.decode()
    assert list(Post.objects.filter(author=world.bob).order_by("id").values_list("body", flat=True)) == [
        "First thoughts",
        "Second thoughts",
    ]


def test_the_new_text_sent_twice_with_the_reused_key_is_still_one_post(world) -> None:
    thread = start(world.alice, world.cohort)
    client = client_for(world.bob)
    key = str(uuid.uuid4())
    for body in ("First thoughts", "Second thoughts", "Second thoughts", "First thoughts"):
        client.post(post_url(thread), {"body": body, "key": key})
    assert Post.objects.filter(author=world.bob).count() == 2


def test_a_new_thread_form_sent_again_with_a_new_title_starts_a_second_thread(world) -> None:
    theme = theme_for(world.cohort)
    client = client_for(world.bob)
    url = f"/c/gm/discussions/themes/{theme.pk}/new/"
    key = str(uuid.uuid4())
    client.post(url, {"title": "Bursaries", "body": "Who pays?", "key": key})
    client.post(url, {"title": "Bursaries", "body": "Who pays?", "key": key})
    client.post(url, {"title": "Housing", "body": "Who pays?", "key": key})
    client.post(url, {"title": "Housing", "body": "Who pays?", "key": key})
    assert sorted(Thread.objects.filter(author=world.bob).values_list("title", flat=True)) == ["Bursaries", "Housing"]
