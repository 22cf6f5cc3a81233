"""Unread markers, follows and mentions, moderation, search, private threads, effective practice."""

from __future__ import annotations

import uuid

from cohort.models import EffectivePractice, Notification, NotificationKind
from discussions.models import Report, Subscription
from tests.discussions.factories import reply, start
from tests.factories import client_for


def test_a_thread_with_a_new_post_is_unread_on_the_theme_and_the_dashboard(world) -> None:
    thread = start(world.alice, world.cohort)
    client_for(world.bob).get(thread.get_absolute_url())  # Bob has read it
    reply(world.lena, thread, "Something new")
    bob = client_for(world.bob)
    index = bob.get("/c/gm/discussions/").content.decode()
    assert "1 thread with unread posts" in index.replace('<span class="visually-hidden"> ', " ").replace("</span>", "")
    dashboard = bob.get("/c/gm/").content.decode()
    assert "1 thread with unread posts" in dashboard
    page = bob.get(thread.get_absolute_url()).content.decode()
    assert "New since your last visit" in page
    assert "You are up to date." in bob.get("/c/gm/").content.decode()


def test_discussions_are_in_the_cohort_navigation(world) -> None:
    html = client_for(world.oscar).get("/c/gm/").content.decode()
    assert 'href="/c/gm/discussions/">Discussions</a>' in html


def test_followers_and_the_mentioned_are_notified_once_each(world) -> None:
    thread = start(world.alice, world.cohort)
    reply(world.bob, thread, "Me too")  # Bob now follows
    Notification.objects.all().delete()
    reply(world.lena, thread, "Hello @**Alice** and @**Oscar**")
    alice = Notification.objects.filter(user=world.alice)
    assert [n.kind for n in alice] == [NotificationKind.MENTION]
    assert Notification.objects.get(user=world.bob).kind == NotificationKind.DISCUSSION
    assert Notification.objects.get(user=world.oscar).kind == NotificationKind.MENTION
    assert not Notification.objects.filter(user=world.lena).exists()


def test_a_muted_thread_sends_nothing(world) -> None:
    thread = start(world.alice, world.cohort)
    client_for(world.alice).post(f"/c/gm/discussions/threads/{thread.pk}/subscription/", {"state": "mute"})
    reply(world.bob, thread, "Anyone?")
    assert Subscription.objects.get(user=world.alice, thread=thread).state == "mute"
    assert not Notification.objects.filter(user=world.alice).exists()


def test_a_private_thread_mentions_nobody_outside_the_institution(world) -> None:
    thread = start(world.alice, world.cohort, private=True)
    reply(world.lena, thread, "@**Bob** should not hear of this")
    assert not Notification.objects.filter(user=world.bob).exists()


def test_mention_suggestions_list_cohort_members(world) -> None:
    data = client_for(world.alice).get("/c/gm/discussions/people/", {"q": "bo"}).json()
    assert data == {"results": [{"name": "Bob", "detail": "Medlock"}]}


def test_a_report_reaches_the_facilitators_queue_and_hiding_closes_it(world) -> None:
    thread = start(world.alice, world.cohort)
    post = reply(world.bob, thread, "Off-topic rant")
    response = client_for(world.lena).post(f"/c/gm/discussions/posts/{post.pk}/report/", {"reason": "Rude"})
    assert response.status_code == 302
    queue = client_for(world.fran).get("/c/gm/discussions/reports/").content.decode()
    assert "Off-topic rant" in queue and "Rude" in queue
    assert Notification.objects.filter(user=world.fran, kind=NotificationKind.MODERATION).exists()
    client_for(world.fran).post(f"/c/gm/discussions/posts/{post.pk}/hide/", {"next": "reports"})
    assert Report.objects.get().outcome == Report.Outcome.HIDDEN
    html = client_for(world.alice).get(thread.get_absolute_url()).content.decode()
    assert "Off-topic rant" not in html


def test_a_report_needs_a_reason(world) -> None:
    thread = start(world.alice, world.cohort)
    response = client_for(world.bob).post(f"/c/gm/discussions/posts/{thread.posts.get().pk}/report/", {"reason": ""})
    assert response.status_code == 400
    assert "Say briefly what is wrong with this post." in response.content.decode()
    assert not Report.objects.exists()


def test_a_pinned_thread_comes_first_on_its_theme(world) -> None:
    pinned = start(world.alice, world.cohort, title="Read me first")
    start(world.alice, world.cohort, title="Newer thread")
    client_for(world.fran).post(f"/c/gm/discussions/threads/{pinned.pk}/moderate/", {"action": "pin"})
    html = client_for(world.bob).get(f"/c/gm/discussions/themes/{pinned.theme_id}/").content.decode()
    assert html.index("Read me first") < html.index("Newer thread")


def test_search_finds_posts_but_never_ones_the_user_may_not_see(world) -> None:
    start(world.alice, world.cohort, title="Bursaries", body="Our bursary for care leavers")
    start(world.alice, world.cohort, title="Irwell bursary plans", body="Private bursary budget", private=True)
    hidden = start(world.lena, world.cohort, title="Hidden", body="bursary rumours")
    client_for(world.fran).post(f"/c/gm/discussions/posts/{hidden.posts.get().pk}/hide/")
    bob = client_for(world.bob).get("/c/gm/discussions/search/", {"q": "bursary"}).content.decode()
    assert "Bursaries" in bob
    assert "Irwell bursary plans" not in bob and "rumours" not in bob
    alice = client_for(world.alice).get("/c/gm/discussions/search/", {"q": "bursary"}).content.decode()
    assert "Irwell bursary plans" in alice


def test_a_private_thread_is_listed_only_for_its_institution_and_the_facilitator(world) -> None:
    thread = start(world.lena, world.cohort, title="Irwell's draft numbers", private=True)
    theme = f"/c/gm/discussions/themes/{thread.theme_id}/"
    assert "Irwell's draft numbers" in client_for(world.alice).get(theme).content.decode().replace("&#x27;", "'")
    assert "Irwell's draft numbers" in client_for(world.fran).get(theme).content.decode().replace("&#x27;", "'")
    assert "draft numbers" not in client_for(world.bob).get(theme).content.decode()
    assert "draft numbers" not in client_for(world.oscar).get(theme).content.decode()


def test_a_facilitator_marks_a_post_as_effective_practice(world) -> None:
    thread = start(world.alice, world.cohort, body="We give every care leaver a named contact.")
    post = thread.posts.get()
    area = world.cohort.framework.areas.get(position=5)
    response = client_for(world.fran).post(
        f"/c/gm/discussions/posts/{post.pk}/practice/", {"area": area.pk, "title": "Named contacts"}
    )
    assert response.status_code == 302
    practice = EffectivePractice.objects.get()
    assert (practice.source, practice.area, practice.institution, practice.title) == (
        EffectivePractice.Source.DISCUSSION, area, world.irwell, "Named contacts"
    )  # fmt: skip
    assert "Effective practice" in client_for(world.bob).get(thread.get_absolute_url()).content.decode()


def test_an_observer_reads_but_cannot_post(world) -> None:
    thread = start(world.alice, world.cohort)
    oscar = client_for(world.oscar)
    page = oscar.get(thread.get_absolute_url()).content.decode()
    assert 'id="compose"' not in page
    assert "reply-link" not in page and "data-reader" in page  # no Reply link that would do nothing
    assert "reply-link" in client_for(world.bob).get(thread.get_absolute_url()).content.decode()
    assert (
        oscar.post(f"/c/gm/discussions/threads/{thread.pk}/posts/", {"body": "x", "key": str(uuid.uuid4())}).status_code
        == 404
    )
