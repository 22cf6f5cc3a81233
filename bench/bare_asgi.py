"""The ceiling for bench/fanout.py: a bare Channels consumer relaying a fixed message.

HTTP `POST /send?t=<ns>` puts one event on the channel layer; every socket on `/ws/` receives a
fixed fragment the size of a rendered post event, about 3 kB, plus the send time (to measure
latency). No database, no templates, no scope checks.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django

django.setup()

from channels.consumer import get_handler_name  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "bench.bare"
FIXED = "<article class='post'>" + ("x" * 2900) + "</article>"


class BareConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message: dict) -> None:
        # Without Channels' per-message close_old_connections hop, as the discussions consumer: the
        # ceiling is the engine's, not a database clean-up neither needs.
        await getattr(self, get_handler_name(message))(message)

    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data="<div id='thread-status'></div>")  # answer the resume like the real one

    async def bench_message(self, event: dict) -> None:
        await self.send(text_data=f"{FIXED}<span>bench-{event['t']}-</span>")


async def http_app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    t = scope["query_string"].decode().removeprefix("t=")
    await get_channel_layer().group_send(GROUP, {"type": "bench.message", "t": t})
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


application = ProtocolTypeRouter({"http": http_app, "websocket": URLRouter([path("ws/", BareConsumer.as_asgi())])})
