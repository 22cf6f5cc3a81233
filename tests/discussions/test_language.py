"""Discussions in each reader's language: pages, errors and notifications (issue #21)."""

from __future__ import annotations

import html

from cohort.models import Notification, User
from tests.discussions.factories import reply, start
from tests.factories import client_for


def speaks_welsh(user: User) -> User:
    User.objects.filter(pk=user.pk).update(language="cy")
    user.refresh_from_db()
    return user


def test_each_person_is_notified_in_their_own_language(world) -> None:
    thread = start(world.alice, world.cohort)
    reply(world.bob, thread, "Me too")  # Bob now follows
    speaks_welsh(world.bob)
    speaks_welsh(world.oscar)
    Notification.objects.all().delete()
    reply(world.lena, thread, "Hello @**Alice** and @**Oscar**")
    lena, title = str(world.lena), thread.title
    assert Notification.objects.get(user=world.bob).title == f"Atebodd {lena} yn “{title}”"
    assert Notification.objects.get(user=world.oscar).title == f"Soniodd {lena} amdanoch chi yn “{title}”"
    assert Notification.objects.get(user=world.alice).title == f"{lena} mentioned you in “{title}”"


def test_a_welsh_reader_reads_the_thread_and_the_errors_in_welsh(world) -> None:
    thread = start(world.alice, world.cohort)
    client = client_for(speaks_welsh(world.bob))
    page = html.unescape(client.get(thread.get_absolute_url()).content.decode())
    assert '<html lang="cy">' in page
    assert "Ychwanegu neges" in page and "Ateb<span" in page
    refused = client.post(f"/c/gm/discussions/threads/{thread.pk}/posts/", {"body": " ", "key": ""})
    assert refused.status_code == 400
    assert "Ysgrifennwch rywbeth cyn anfon." in html.unescape(refused.content.decode())
    assert thread.posts.count() == 1
