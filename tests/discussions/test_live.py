"""Live updates over websockets: delivery, catch-up after a reconnect, gaps, refusals."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from cohort.models import Membership
from discussions import events, fragments
from discussions.models import Post, Thread
from tests.discussions.factories import reply, start
from tests.discussions.live import communicator, open_thread, own_loop, thread_path
from tests.services import require_redis


def worker_prefix() -> str:
    return f"{os.environ.get('CHANNEL_PREFIX', 'discuss')}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


pytestmark = pytest.mark.django_db(transaction=True)


def _use_layer(kind: str, settings) -> str:
    if kind == "redis":
        url = require_redis()
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                # One prefix per xdist worker: the workers' test databases reuse ids, so their groups would meet.
                "CONFIG": {"hosts": [url], "prefix": worker_prefix()},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    fragments._memo.clear()
    return kind


@pytest.fixture(params=["memory", "redis"])
def layer(request, settings) -> str:
    """The delivery tests run on the in-memory layer and, with REDIS_URL set, on Redis pub/sub."""
    return _use_layer(request.param, settings)


@pytest.fixture
def memory(settings) -> str:
    """Scope and protocol tests: the layer does not matter, the in-memory one is quickest."""
    return _use_layer("memory", settings)


@own_loop
async def test_a_new_post_reaches_every_open_tab(world, layer) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab1 = await open_thread(world.bob, thread)
    tab2 = await open_thread(world.lena, thread)
    post = await sync_to_async(reply)(world.alice, thread, "Live hello")
    for tab in (tab1, tab2):
        message = await tab.receive_from(timeout=3)
        assert "Live hello" in message
        assert f'id="node-{post.pk}"' in message
        assert f'data-seq="{post.seq}"' in message
        await tab.disconnect()


@own_loop
async def test_a_live_post_arrives_as_ascii_that_reads_as_what_was_written(world, memory) -> None:
    import html

    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    await sync_to_async(reply)(world.alice, thread, "Zoë’s café data 🎓")
    message = await tab.receive_from(timeout=3)
    assert message.isascii()
    assert "Zoë’s café data 🎓" in html.unescape(message)
    await tab.disconnect()


@own_loop
async def test_edits_deletions_and_hiding_arrive_live(world, layer) -> None:
    from cohort.access import get_membership
    from discussions import services

    thread = await sync_to_async(start)(world.alice, world.cohort)
    post = await sync_to_async(reply)(world.alice, thread, "First version")
    tab = await open_thread(world.bob, thread)

    alice = await sync_to_async(get_membership)(world.alice, "gm")
    await sync_to_async(services.edit_post)(alice, post, body="Second version")
    message = await tab.receive_from(timeout=3)
    assert "Second version" in message and "(edited)" in message

    fran = await sync_to_async(get_membership)(world.fran, "gm")
    await sync_to_async(services.hide_post)(fran, post)
    message = await tab.receive_from(timeout=3)
    assert "Second version" not in message
    assert f'id="post-{post.pk}"' in message and "hidden" in message
    await tab.disconnect()


@own_loop
async def test_a_reconnecting_page_receives_exactly_what_it_missed(world, layer) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    seen = await sync_to_async(lambda: Thread.objects.get(pk=thread.pk).last_seq)()
    await tab.disconnect()

    for n in range(3):
        await sync_to_async(reply)(world.alice, thread, f"Missed {n}")

    comm = await communicator(world.bob, thread_path(thread))
    assert (await comm.connect())[0]
    await comm.send_to(text_data=json.dumps({"type": "resume", "seq": seen}))
    messages = [await comm.receive_from(timeout=3) for _ in range(4)]
    assert [m for m in messages if "Missed" in m] == messages[:3]
    assert ["Missed 0" in messages[0], "Missed 1" in messages[1], "Missed 2" in messages[2]] == [True] * 3
    assert 'id="thread-status"' in messages[3]
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


@own_loop
async def test_a_message_lost_by_the_layer_is_caught_up_from_the_database(world, layer) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    # Save two posts without their events (as if the layer dropped them), then signal only the third.
    with mock.patch.object(events, "_send"):
        await sync_to_async(reply)(world.alice, thread, "Dropped one")
        await sync_to_async(reply)(world.alice, thread, "Dropped two")
    await sync_to_async(reply)(world.alice, thread, "Delivered")
    bodies = [await tab.receive_from(timeout=3) for _ in range(3)]
    assert ["Dropped one" in bodies[0], "Dropped two" in bodies[1], "Delivered" in bodies[2]] == [True] * 3
    assert await tab.receive_nothing(timeout=0.3)
    await tab.disconnect()


def _count_catch_ups(monkeypatch) -> list[int]:
    from discussions import consumers

    calls: list[int] = []
    original = consumers._changes_after

    def counting(thread_id: int, after: int, **page):
        calls.append(after)
        return original(thread_id, after, **page)

    monkeypatch.setattr(consumers, "_changes_after", counting)
    return calls


@own_loop
async def test_events_arriving_out_of_order_are_delivered_in_order_without_a_query(world, layer, monkeypatch) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tabs = [await open_thread(user, thread) for user in (world.bob, world.lena, world.fran)]
    signals: list[tuple[str, dict]] = []
    with mock.patch.object(events, "_send", lambda group, message: signals.append((group, message))):
        await sync_to_async(reply)(world.alice, thread, "Written first")
        await sync_to_async(reply)(world.alice, thread, "Written second")
    catch_ups = _count_catch_ups(monkeypatch)
    posts = [(group, message) for group, message in signals if message["type"] == "post.created"]
    for group, message in reversed(posts):  # as when the second writer's signal overtakes the first's
        await get_channel_layer().group_send(group, message)
    for tab in tabs:
        first, second = await tab.receive_from(timeout=3), await tab.receive_from(timeout=3)
        assert "Written first" in first and "Written second" in second
        assert await tab.receive_nothing(timeout=0.3)
        await tab.disconnect()
    assert catch_ups == []


@own_loop
async def test_after_a_lost_event_the_open_pages_share_one_catch_up_query(world, memory, monkeypatch) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tabs = [await open_thread(user, thread) for user in (world.bob, world.lena, world.fran, world.oscar)]
    catch_ups = _count_catch_ups(monkeypatch)
    with mock.patch.object(events, "_send"):
        await sync_to_async(reply)(world.alice, thread, "Lost on the way")
    await sync_to_async(reply)(world.alice, thread, "Arrived")
    for tab in tabs:
        assert "Lost on the way" in await tab.receive_from(timeout=3)
        assert "Arrived" in await tab.receive_from(timeout=3)
        await tab.disconnect()
    assert len(catch_ups) == 1


@own_loop
async def test_a_shared_catch_up_survives_the_first_sockets_closing(world, memory, monkeypatch) -> None:
    from discussions import consumers

    thread = await sync_to_async(start)(world.alice, world.cohort)
    catch_ups = _count_catch_ups(monkeypatch)
    first = asyncio.create_task(consumers.shared_changes_after(thread.pk, 0))
    others = [asyncio.create_task(consumers.shared_changes_after(thread.pk, 0)) for _ in range(3)]
    await asyncio.sleep(0)
    first.cancel()  # its socket closed mid-query
    answers = await asyncio.gather(*others)
    assert all(answer == answers[0] and len(answer[1]) == 1 for answer in answers)
    assert len(catch_ups) == 1


@own_loop
async def test_a_broadcast_renders_once_whatever_the_number_of_subscribers(world, memory, monkeypatch) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tabs = [await open_thread(user, thread) for user in (world.bob, world.lena, world.fran, world.oscar, world.alex)]
    renders = []
    original = fragments.render_post_event

    def counting(post, seq):
        renders.append(seq)
        return original(post, seq)

    monkeypatch.setattr(fragments, "render_post_event", counting)
    await sync_to_async(reply)(world.alice, thread, "To everyone")
    for tab in tabs:
        assert "To everyone" in await tab.receive_from(timeout=3)
        await tab.disconnect()
    assert len(renders) == 1


@own_loop
async def test_an_event_is_looked_up_once_per_process_and_every_socket_sends_the_same_message(
    world, memory, monkeypatch
) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tabs = [await open_thread(user, thread) for user in (world.bob, world.lena, world.fran, world.oscar, world.alex)]
    with mock.patch.object(events, "_send"):
        post = await sync_to_async(reply)(world.alice, thread, "Posted elsewhere")
    # As in a process that neither rendered the fragment nor finds it in the cache.
    fragments._memo.clear()
    lookups: list[str] = []
    renders: list[int] = []
    original = fragments.render_post_event

    async def missing(key: str) -> None:
        lookups.append(key)

    def counting(post, seq):
        renders.append(seq)
        return original(post, seq)

    monkeypatch.setattr(fragments, "_cache_aget", missing)
    monkeypatch.setattr(fragments, "_cache_get", lambda key: None)
    monkeypatch.setattr(fragments, "render_post_event", counting)
    event = {
        "type": "post.created",
        "thread": thread.pk,
        "post": post.pk,
        "seq": post.seq,
        "key": post.idempotency_key.hex,
    }
    await get_channel_layer().group_send(events.thread_group(thread.pk), event)
    messages = [await tab.receive_output(timeout=3) for tab in tabs]
    assert "Posted elsewhere" in messages[0]["text"]
    assert all(message is messages[0] for message in messages)  # nothing built per socket
    assert len(lookups) == 1 and len(renders) == 1
    for tab in tabs:
        await tab.disconnect()


@own_loop
async def test_sockets_waiting_for_a_fragment_get_it_even_if_the_first_ones_socket_closes(memory, monkeypatch) -> None:
    lookups: list[str] = []
    gate = asyncio.Event()

    async def slow_cache_get(key: str) -> None:
        lookups.append(key)
        await gate.wait()

    monkeypatch.setattr(fragments, "_cache_aget", slow_cache_get)
    first = asyncio.create_task(fragments._shared("test:fragment", lambda: "<p>Shared</p>"))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(fragments._shared("test:fragment", lambda: "<p>Shared</p>")) for _ in range(3)]
    await asyncio.sleep(0)
    first.cancel()  # its socket closed mid-lookup
    gate.set()
    assert [message["text"] for message in await asyncio.gather(*waiting)] == ["<p>Shared</p>"] * 3
    assert len(lookups) == 2  # the first lookup, and one more for all three


@own_loop
async def test_strange_messages_over_the_socket_change_nothing_and_keep_the_socket(world, memory) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    before = await sync_to_async(Post.objects.count)()
    for junk in ["not json", "[]", '{"type": "post", "body": "sneaky"}', '{"type": "resume", "seq": -4}',
                 '{"type": "resume", "seq": "7"}', "x" * 5000]:  # fmt: skip
        await tab.send_to(text_data=junk)
    await tab.send_to(bytes_data=b"\x00\x01")
    assert await tab.receive_nothing(timeout=0.3)
    assert await sync_to_async(Post.objects.count)() == before
    await sync_to_async(reply)(world.alice, thread, "Still live")
    assert "Still live" in await tab.receive_from(timeout=3)
    await tab.disconnect()


@pytest.mark.parametrize(
    ("who", "private", "cohort_attr"),
    [
        ("olga", False, "cohort"),  # facilitator of another cohort
        ("bob", True, "cohort"),  # another institution's private thread
        (None, False, "cohort"),  # not signed in
        ("alice", False, "other_cohort"),  # the right thread under another cohort's slug
    ],
)
@own_loop
async def test_sockets_out_of_scope_are_refused(world, memory, who, private, cohort_attr) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort, private=private)
    user = getattr(world, who) if who else None
    slug = getattr(world, cohort_attr).slug
    comm = await communicator(user, f"/ws/c/{slug}/threads/{thread.pk}/")
    connected, _ = await comm.connect()
    assert not connected


@own_loop
async def test_a_socket_from_another_origin_is_refused(world, memory) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    comm = await communicator(world.alice, thread_path(thread), origin="https://evil.example")
    connected, _ = await comm.connect()
    assert not connected


@own_loop
async def test_revoking_a_users_sockets_closes_them_at_once(world, memory) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    await sync_to_async(events.revoke_sockets)(world.bob.pk)
    assert (await tab.receive_output(timeout=3))["type"] == "websocket.close"


@own_loop
async def test_removing_a_member_closes_their_sockets_at_once(world, memory) -> None:
    from cohort import services as cohort_services
    from cohort.access import get_membership

    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    other = await open_thread(world.lena, thread)
    fran, bob = [await sync_to_async(get_membership)(user, "gm") for user in (world.fran, world.bob)]
    await sync_to_async(cohort_services.remove_member)(fran, bob)
    assert await tab.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    assert await other.receive_nothing(timeout=0.3)
    await other.disconnect()


@own_loop
async def test_deactivating_or_erasing_an_account_closes_its_sockets_at_once(world, memory) -> None:
    from config.privacy import erase_in_cohort

    thread = await sync_to_async(start)(world.alice, world.cohort)
    bob_tab = await open_thread(world.bob, thread)
    alice_tab = await open_thread(world.alice, thread)
    other = await open_thread(world.lena, thread)

    world.bob.is_active = False
    await sync_to_async(world.bob.save)(update_fields=["is_active"])
    assert await bob_tab.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}

    fran = await sync_to_async(Membership.objects.get)(user=world.fran, cohort=world.cohort)
    await sync_to_async(erase_in_cohort)(fran, world.alice, confirm_email=world.alice.email)
    # Erasure in the cohort first rewrites the erased post on every open page, then closes her sockets.
    update = await alice_tab.receive_output(timeout=3)
    assert update["type"] == "websocket.send" and "A former member" in update["text"]
    assert await alice_tab.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    update = await other.receive_output(timeout=3)
    assert "A former member" in update["text"] and "Alice" not in update["text"]
    assert await other.receive_nothing(timeout=0.3)
    await other.disconnect()


@own_loop
async def test_a_member_moved_to_another_institution_loses_the_private_thread_at_once(world, memory) -> None:
    from cohort import services as cohort_services
    from cohort.access import get_membership
    from cohort.models import Role

    thread = await sync_to_async(start)(world.lena, world.cohort, private=True)
    tab = await open_thread(world.alice, thread)
    fran, alice = [await sync_to_async(get_membership)(user, "gm") for user in (world.fran, world.alice)]
    await sync_to_async(cohort_services.change_role)(fran, alice, role=Role.MEMBER, institution=world.medlock)
    assert await tab.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


@own_loop
async def test_a_member_whose_role_changed_is_reconnected_to_join_the_groups_of_the_new_role(world, memory) -> None:
    from cohort import services as cohort_services
    from cohort.access import get_membership
    from cohort.models import Role

    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    fran, bob = [await sync_to_async(get_membership)(user, "gm") for user in (world.fran, world.bob)]
    await sync_to_async(cohort_services.change_role)(fran, bob, role=Role.OBSERVER, institution=None)
    assert await tab.receive_output(timeout=3) == {"type": "websocket.close", "code": 1012}


@own_loop
async def test_logging_out_closes_that_sessions_sockets_at_once_and_no_others(world, memory) -> None:
    from django.conf import settings

    from tests.factories import client_for

    thread = await sync_to_async(start)(world.alice, world.cohort)
    browser = await sync_to_async(client_for)(world.bob)
    laptop = await open_thread(world.bob, thread, session=browser.cookies[settings.SESSION_COOKIE_NAME].value)
    phone = await open_thread(world.bob, thread)  # another session of Bob's
    response = await sync_to_async(browser.post)("/accounts/logout/")
    assert response.status_code == 302
    assert await laptop.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    assert await phone.receive_nothing(timeout=0.3)
    await phone.disconnect()


@own_loop
async def test_a_member_removed_from_the_cohort_is_disconnected_by_the_periodic_check(
    world, memory, monkeypatch
) -> None:
    from discussions import consumers

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.2)
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    await sync_to_async(Membership.objects.filter(user=world.bob).delete)()
    output = await tab.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}


@own_loop
async def test_logging_out_closes_the_socket(world, memory, monkeypatch) -> None:
    from django.contrib.sessions.models import Session

    from discussions import consumers

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.2)
    thread = await sync_to_async(start)(world.alice, world.cohort)
    tab = await open_thread(world.bob, thread)
    await sync_to_async(Session.objects.all().delete)()  # what logging out does to the session
    output = await tab.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}


def test_sockets_send_past_the_session_wrapper_only_while_it_saves_nothing_on_a_websocket() -> None:
    from channels.sessions import InstanceSessionWrapper

    from discussions.consumers import past_session_wrapper

    async def server_send(message: dict) -> None:
        pass

    wrapper = InstanceSessionWrapper({"cookies": {}}, server_send)
    assert past_session_wrapper(wrapper.send) is server_send
    wrapper.save_message_types = [*wrapper.save_message_types, "websocket.send"]  # a Channels that saved here
    assert past_session_wrapper(wrapper.send) == wrapper.send
    assert past_session_wrapper(server_send) is server_send  # no wrapper: nothing to pass


@own_loop
async def test_the_theme_page_hears_of_new_threads_but_not_of_other_institutions_private_ones(world, layer) -> None:
    thread = await sync_to_async(start)(world.alice, world.cohort)
    comm = await communicator(world.bob, f"/ws/c/gm/themes/{thread.theme_id}/")
    assert (await comm.connect())[0]
    await comm.send_to(text_data=json.dumps({"type": "resume", "since": 0}))
    assert "Defining care experience" in await comm.receive_from(timeout=3)
    await sync_to_async(start)(world.alice, world.cohort, title="Irwell only", private=True)
    await sync_to_async(start)(world.lena, world.cohort, title="For everyone")
    message = await comm.receive_from(timeout=3)
    assert "For everyone" in message
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()
    _ = get_channel_layer


@own_loop
async def test_a_row_is_neither_rendered_nor_sent_while_no_theme_page_is_open_and_a_page_opened_later_has_it(
    world, settings
) -> None:
    from django.core.cache import cache

    from cohort import live

    _use_layer("redis", settings)
    thread = await sync_to_async(start)(world.alice, world.cohort)
    theme_groups = events.theme_groups(thread.theme_id, None)
    assert not await sync_to_async(live.has_listeners)(theme_groups)
    await sync_to_async(reply)(world.bob, thread, "Nobody is looking")
    await sync_to_async(thread.refresh_from_db)()
    row = fragments.row_key(thread.pk, events.version(thread))
    assert row not in fragments._memo and await cache.aget(row) is None
    comm = await communicator(world.bob, f"/ws/c/gm/themes/{thread.theme_id}/")
    assert (await comm.connect())[0]
    assert await sync_to_async(live.has_listeners)(theme_groups)
    await comm.send_to(text_data=json.dumps({"type": "resume", "since": 0}))
    assert "1 reply " in await comm.receive_from(timeout=3)  # the row as it is now, from the database
    await sync_to_async(reply)(world.lena, thread, "Now somebody is")
    assert "2 replies " in await comm.receive_from(timeout=3)  # live
    await comm.disconnect()


def test_dispatch_in_turn_handles_one_message_at_a_time_in_order_and_stops_on_stop_consumer() -> None:
    from channels.exceptions import StopConsumer

    from discussions.consumers import dispatch_in_turn
    from tests.discussions.live import run_in_own_loop

    async def scenario() -> tuple[list[str], int, list[asyncio.Task]]:
        client: asyncio.Queue[dict] = asyncio.Queue()
        layer: asyncio.Queue[dict] = asyncio.Queue()
        for n in range(3):
            layer.put_nowait({"type": f"layer.{n}"})
            client.put_nowait({"type": f"client.{n}"})
        seen: list[str] = []
        busy = 0
        most = 0

        async def dispatch(message: dict) -> None:
            nonlocal busy, most
            busy += 1
            most = max(most, busy)
            await asyncio.sleep(0.01)  # a handler that awaits: the other source must still wait its turn
            seen.append(message["type"])
            busy -= 1
            if len(seen) == 6:
                raise StopConsumer

        with contextlib.suppress(StopConsumer):
            await dispatch_in_turn([client.get, layer.get], dispatch)
        return seen, most, [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]

    seen, most, left = run_in_own_loop(scenario())
    assert most == 1
    assert [m for m in seen if m.startswith("client")] == ["client.0", "client.1", "client.2"]
    assert [m for m in seen if m.startswith("layer")] == ["layer.0", "layer.1", "layer.2"]
    assert left == []  # both readers are gone
