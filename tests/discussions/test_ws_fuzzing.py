"""Property-based: whatever a client sends over a discussion websocket, the consumer neither crashes
nor saves anything, and the socket keeps delivering posts."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from hypothesis import HealthCheck, given, settings, strategies as st

from discussions.models import Post
from tests.discussions.factories import reply, start
from tests.discussions.live import open_thread, run_in_own_loop
from tests.discussions.test_live import memory  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["resume", "post", "post.created", "thread.status", "ping", ""]),
)
json_frames = st.dictionaries(
    st.sampled_from(["type", "seq", "body", "thread", "key", "post", "version"]), values, max_size=5
).map(json.dumps)
frames = st.lists(st.one_of(st.text(max_size=300), json_frames, st.binary(max_size=64)), min_size=1, max_size=15)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(batch=frames)
def test_no_websocket_message_crashes_the_consumer_or_saves_anything(world, memory, batch) -> None:  # noqa: F811
    async def run() -> None:
        thread = await sync_to_async(start)(world.alice, world.cohort)
        tab = await open_thread(world.bob, thread)
        before = await sync_to_async(Post.objects.count)()
        for frame in batch:
            # Raw frames: the test client's send_to() refuses empty ones, a real browser does not.
            key = "bytes" if isinstance(frame, bytes) else "text"
            await tab.send_input({"type": "websocket.receive", key: frame})
        assert await sync_to_async(Post.objects.count)() == before
        await sync_to_async(reply)(world.alice, thread, "Still live")
        for _ in range(50):  # valid "resume" frames may have asked for catch-up first
            if "Still live" in await tab.receive_from(timeout=3):
                break
        else:
            pytest.fail("the socket stopped delivering posts")
        await tab.disconnect()

    run_in_own_loop(run())
