"""The discussion consumers on Channels' own machinery, for bench/fanout.py --consumers.

discussions.consumers.LiveConsumer re-implements three pieces of Channels to save about 20 µs per
delivery: `__call__` (to send beneath the session wrapper), the dispatch loop (dispatch_in_turn
instead of channels.utils.await_many_dispatch) and `dispatch` (without its close_old_connections
hop). These classes are the same consumers with those three taken back from Channels, as a plain
consumer has them: AsyncConsumer.__call__ (await_many_dispatch, and base_send the send the session
middleware wraps), AsyncConsumer.dispatch. Every handler and every message is the production one.
"""

from __future__ import annotations

from channels.consumer import AsyncConsumer

from discussions import consumers


class ChannelsLoop:
    """Channels' own __call__ (its loop, its session-wrapped send) and dispatch, ahead in the MRO."""

    __call__ = AsyncConsumer.__call__
    dispatch = AsyncConsumer.dispatch


class ThreadConsumer(ChannelsLoop, consumers.ThreadConsumer):
    pass


class ThemeConsumer(ChannelsLoop, consumers.ThemeConsumer):
    pass
