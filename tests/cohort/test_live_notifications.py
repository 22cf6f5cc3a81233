"""The header's unread-notification count is live on every page: a socket per page (cohort.consumers)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings as django_settings

from cohort.models import NotificationKind, Role
from cohort.notifications import Sentence, mark_read, notify
from tests.discussions.factories import reply, start
from tests.discussions.live import communicator, own_loop
from tests.factories import client_for

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/ws/notifications/"


@pytest.fixture
def memory(settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def open_page(user, session: str | None = None):
    """A page's socket; returns it with the count it shows on connect."""
    comm = await communicator(user, PATH, session=session)
    connected, code = await comm.connect()
    assert connected, f"refused with {code}"
    return comm, await comm.receive_from(timeout=3)


@own_loop
async def test_a_reply_in_a_followed_thread_updates_the_count_in_every_tab_and_is_announced(world, memory) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)  # Alice follows what she starts
    tab1, first = await open_page(world.alice)
    tab2, _ = await open_page(world.alice)
    bob_page, _ = await open_page(world.bob)
    assert 'id="notification-link"' in first and 'id="unread-count"' not in first

    await sync_to_async(reply)(world.bob, thread, "We count anyone who was looked after")
    for tab in (tab1, tab2):
        html = await tab.receive_from(timeout=3)
        assert '<span class="badge" id="unread-count">1<span class="visually-hidden"> unread</span>' in html
        assert 'id="notification-news" hx-swap-oob="innerHTML">New notification: Bob' in html
        assert thread.title in html
    assert await bob_page.receive_nothing(timeout=0.3)  # the author is not told of his own post

    await sync_to_async(mark_read)(world.alice)  # read in another tab
    html = await tab1.receive_from(timeout=3)
    assert 'id="notification-link"' in html and 'id="unread-count"' not in html
    assert "notification-news" not in html  # reading is not announced
    for comm in (tab1, tab2, bob_page):
        await comm.disconnect()


@own_loop
async def test_the_socket_sends_the_count_on_connect_and_nothing_of_anyone_else(world, memory) -> None:
    await sync_to_async(notify)([world.alice, world.alice], kind=NotificationKind.DISCUSSION, title="Earlier")
    page, first = await open_page(world.alice)
    assert '<span class="badge" id="unread-count">1<' in first
    await sync_to_async(notify)([world.lena], kind=NotificationKind.DISCUSSION, title="For Lena only")
    assert await page.receive_nothing(timeout=0.3)
    await page.disconnect()


@own_loop
async def test_an_anonymous_socket_is_refused(memory) -> None:
    comm = await communicator(None, PATH)
    connected, code = await comm.connect()
    assert not connected and code == 4403


@own_loop
async def test_logging_out_closes_that_sessions_socket_and_deactivating_closes_them_all(world, memory) -> None:
    browser = await sync_to_async(client_for)(world.bob)
    laptop, _ = await open_page(world.bob, session=browser.cookies[django_settings.SESSION_COOKIE_NAME].value)
    phone, _ = await open_page(world.bob)
    response = await sync_to_async(browser.post)("/accounts/logout/")
    assert response.status_code == 302
    assert await laptop.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    assert await phone.receive_nothing(timeout=0.3)

    world.bob.is_active = False
    await sync_to_async(world.bob.save)(update_fields=["is_active"])
    assert await phone.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


@own_loop
async def test_a_new_notification_is_announced_in_each_readers_language(world, memory) -> None:
    world.alice.language = "cy"
    await sync_to_async(world.alice.save)()
    welsh, _ = await open_page(world.alice)
    english, _ = await open_page(world.lena)
    title = Sentence("Your role in %(cohort)s is now %(role)s", cohort=world.cohort.name, role=Role.OBSERVER.label)
    await sync_to_async(notify)([world.alice, world.lena], kind=NotificationKind.INVITATION, title=title)
    html = await welsh.receive_from(timeout=3)
    assert f"Hysbysiad newydd: Eich rôl yn {world.cohort.name} bellach yw Sylwedydd" in html
    assert '<span class="visually-hidden"> heb eu darllen</span>' in html and ">Hysbysiadau" in html
    html = await english.receive_from(timeout=3)
    assert f"New notification: Your role in {world.cohort.name} is now Observer" in html
    for comm in (welsh, english):
        await comm.disconnect()
