"""Daphne with two guards it lacks, as `make run`, `make run-prod` and the Procfile start it:

    python -m config.serve [any daphne option] config.asgi:application

- Request bodies are capped as they arrive, before Daphne takes them in: Daphne reads a whole body
  (spooling it, then queueing it in memory for the application) before any ASGI middleware can
  refuse it, so config/body_limit.py alone would still let a 60 MB upload cost hundreds of MB. Here
  the same per-route limits refuse a request whose declared length or received bytes go past its
  limit with 413, and the connection is closed without reading further.
- The access log goes through Python logging (logger `daphne.access`), where settings.LOGGING masks
  tokens and query strings (config/log_filters.py), instead of straight to stdout.
"""

from __future__ import annotations

import datetime
import logging
from io import BytesIO
from typing import Any
from urllib.parse import unquote

from daphne.access import AccessLogGenerator
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from daphne.server import Server

from config.body_limit import limit_for

access_log = logging.getLogger("daphne.access")


class CappedRequest(WebRequest):
    """Daphne's request, refusing a body past its route's limit as it arrives."""

    refused = False
    body_limit = 0
    body_received = 0
    refusal = ""

    def gotLength(self, length: int | None) -> None:
        # Twisted holds the request line's path on the channel until the body is in.
        raw = getattr(self.channel, "_path", b"").split(b"?", 1)[0].decode("latin-1")
        self.body_limit, self.refusal = limit_for(unquote(raw) or "/")
        if length is not None and length > self.body_limit:
            self.content = BytesIO()  # nothing is kept
            self._refuse(raw)
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self.refused:
            return
        self.body_received += len(data)
        if self.body_received > self.body_limit:
            self._refuse(getattr(self.channel, "_path", b"").split(b"?", 1)[0].decode("latin-1"))
            return
        super().handleContentChunk(data)

    def process(self) -> Any:
        if self.refused:
            return None
        return super().process()

    def _refuse(self, path: str) -> None:
        self.refused = True
        body = (self.refusal + "\n").encode()
        head = (
            "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        self.channel.transport.write(head.encode() + body)
        self.channel.loseConnection()
        command = getattr(self.channel, "_command", b"").decode("latin-1")
        client = self.getClientAddress()
        self.server.log_action(
            "http",
            "complete",
            {
                "path": path,
                "status": 413,
                "method": command,
                "size": len(body),
                "client": f"{getattr(client, 'host', '-')}:{getattr(client, 'port', '-')}",
            },
        )


class CappedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr: Any) -> Any:
        protocol = super().buildProtocol(addr)
        if protocol is not None:
            protocol.requestFactory = CappedRequest
        return protocol


class LoggedAccess(AccessLogGenerator):
    """Daphne's access log lines, written to the `daphne.access` logger instead of a stream."""

    def __init__(self) -> None:
        super().__init__(stream=None)

    def write_entry(
        self,
        host: str,
        date: datetime.datetime,
        request: str,
        status: int | None = None,
        length: int | None = None,
        ident: str | None = None,
        user: str | None = None,
    ) -> None:
        access_log.info('%s "%s" %s %s', host, request, status or "-", length or "-")


class GuardedServer(Server):
    def __init__(self, *args: Any, action_logger: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, action_logger=LoggedAccess() if action_logger else None, **kwargs)

    # Server.run() makes a plain HTTPFactory and listens with it; this one is made instead.
    @property
    def http_factory(self) -> HTTPFactory:
        return self._capped_factory

    @http_factory.setter
    def http_factory(self, _plain: HTTPFactory) -> None:
        self._capped_factory = CappedHTTPFactory(self)


class GuardedCommandLine(CommandLineInterface):
    server_class = GuardedServer


if __name__ == "__main__":
    GuardedCommandLine.entrypoint()
