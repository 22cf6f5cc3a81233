"""Live updates in each reader's language: the interface around a post is the socket's reader's, not the poster's."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from cohort.models import User
from discussions import fragments
from discussions.consumers import socket_language
from tests.discussions.factories import reply, start
from tests.discussions.live import _session_cookie, communicator, open_thread, own_loop, thread_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def memory(settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    fragments._memo.clear()


def speaks(user: User, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return user


@own_loop
async def test_a_welsh_reader_and_an_english_reader_each_get_the_post_in_their_own_language(world, memory) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    await sync_to_async(speaks)(world.bob, "cy")
    welsh = await open_thread(world.bob, thread)
    english = await open_thread(world.lena, thread)
    await sync_to_async(speaks)(world.alice, "cy")  # the poster's language decides nothing
    await sync_to_async(reply)(world.alice, thread, "Diolch yn fawr")
    to_bob = await welsh.receive_from(timeout=3)
    to_lena = await english.receive_from(timeout=3)
    assert "Diolch yn fawr" in to_bob and "Diolch yn fawr" in to_lena
    assert ">Ateb<" in to_bob and ">Reply<" not in to_bob
    assert ">Reply<" in to_lena and ">Ateb<" not in to_lena
    for tab in (welsh, english):
        await tab.disconnect()


@own_loop
async def test_a_person_who_has_not_chosen_gets_the_language_of_their_cookie(world, memory) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    cookie = await sync_to_async(_session_cookie)(world.bob)
    from config.asgi import application

    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.LANGUAGE_COOKIE_NAME}=cy".encode()),
    ]
    tab = WebsocketCommunicator(application, thread_path(thread), headers=headers)
    assert (await tab.connect())[0]
    await tab.send_to(text_data=json.dumps({"type": "resume", "seq": 0}))
    first = await tab.receive_from(timeout=3)  # the catch-up: the thread's first post
    assert ">Ateb<" in first
    await tab.disconnect()


def test_a_socket_speaks_the_persons_choice_then_the_cookie_then_the_browser(world) -> None:
    cookie = {"cookies": {settings.LANGUAGE_COOKIE_NAME: "cy"}, "headers": []}
    browser = {"cookies": {}, "headers": [(b"accept-language", b"cy-GB,cy;q=0.9,en;q=0.5")]}
    assert socket_language(cookie, world.bob) == "cy"
    assert socket_language(browser, world.bob) == "cy"
    assert socket_language({"cookies": {}, "headers": []}, world.bob) == "en-gb"
    assert socket_language(browser, speaks(world.bob, "en-gb")) == "en-gb"
    assert socket_language({"cookies": {}, "headers": []}, speaks(world.lena, "cy")) == "cy"


@own_loop
async def test_a_welsh_theme_page_gets_its_rows_in_welsh_and_an_english_one_in_english(world, memory) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    await sync_to_async(speaks)(world.bob, "cy")
    pages = []
    for user in (world.bob, world.lena):
        comm = await communicator(user, f"/ws/c/gm/themes/{thread.theme_id}/")
        assert (await comm.connect())[0]
        await comm.send_to(text_data=json.dumps({"type": "resume", "since": 0}))
        await comm.receive_from(timeout=3)  # the row as it is
        pages.append(comm)
    await sync_to_async(reply)(world.alice, thread, "A reply moves the row")
    welsh, english = [await comm.receive_from(timeout=3) for comm in pages]
    assert "1 ateb" in welsh and "y gweithgarwch diwethaf" in welsh
    assert "1 reply" in english and "last activity" in english
    for comm in pages:
        await comm.disconnect()
