"""A realistic mixed load on the production topology, and the measurement behind its HTTP server.

Not a test: it prints figures. It starts the production roles on this machine — pages on granian
(WSGI), two Daphne processes (websockets and uploads) on one Redis, a task worker — on the database
named by DATABASE_URL (use a scratch database: it is migrated and seeded), then:

1. Server choice: the same discussion theme page fetched by 20 concurrent clients for 10 s from
   granian (WSGI) and from Daphne (ASGI); prints requests per second of each.
2. Mixed load for --seconds: 200 cohort members reading pages and posting replies, 40 websocket
   watchers of the thread (split over both Daphne processes), 5 clip uploads in flight (tus);
   prints page p50/p95 per page type, post delivery p50/p99, upload throughput and errors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_load REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/load.py --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COHORT = "greater-manchester"
MEMBERS = 200
WATCHERS = 40
UPLOADS = 5
UPLOAD_BYTES = 40 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name):
            sys.exit(f"{name} must be set (the production topology uses PostgreSQL and Redis)")
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        LOG_LEVEL="ERROR",
        CHANNEL_PREFIX="load",
        CACHE_PREFIX="load",
    )
    env.pop("PYTEST_VERSION", None)
    return env


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"a server on port {port} exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listening on {port}")


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """Migrate, seed the demo, add 200 members with sessions, clips waiting for uploads."""
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        subprocess.run([str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cohort.models import Cohort, Membership, Role, User
    from discussions.models import Thread
    from media_feedback import services
    from media_feedback.models import CallLink

    cohort = Cohort.objects.get(slug=COHORT)
    institutions = list(cohort.institutions.all())
    cookies = []
    for i in range(MEMBERS):
        user, _ = User.objects.get_or_create(email=f"load{i}@bench.example", defaults={"display_name": f"Load {i}"})
        Membership.objects.get_or_create(
            user=user, cohort=cohort, defaults={"role": Role.MEMBER, "institution": institutions[i % len(institutions)]}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    thread = Thread.objects.filter(theme__cohort=cohort, institution__isnull=True, locked=False).order_by("pk").first()
    assert thread is not None, "the demo has no open shared thread"
    link = CallLink.objects.filter(call__cohort=cohort, active=True).first()
    tickets = []
    if link is not None:
        for _ in range(UPLOADS):
            clip, _receipt = services.give_consent(
                link, question="", share_with_institutions=False, may_quote=False, age_band="18+"
            )
            tickets.append(services.upload_ticket(clip))
    return {"cookies": cookies, "thread": thread.pk, "theme": thread.theme_id, "tickets": tickets}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def rps(base: str, path: str, cookie: str, seconds: float = 10, concurrency: int = 20) -> tuple[float, int]:
    import aiohttp

    done = errors = 0
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(headers={"Cookie": cookie}) as http:

        async def client() -> None:
            nonlocal done, errors
            while time.monotonic() < deadline:
                async with http.get(base + path, allow_redirects=False) as r:
                    await r.read()
                    done += 1
                    errors += r.status >= 400

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return done / seconds, errors


@dataclass
class LoadResult:
    latency: dict[str, list[float]]
    deliveries: list[float]
    posts: int
    errors: list[str]
    uploads: list[float]


async def mixed(pages: str, sockets: list[str], data: dict, seconds: float) -> LoadResult:
    import aiohttp
    import websockets

    thread, theme, cookies = data["thread"], data["theme"], data["cookies"]
    paths = {
        "dashboard": f"/c/{COHORT}/",
        "meetings": f"/c/{COHORT}/meetings/",
        "theme": f"/c/{COHORT}/discussions/themes/{theme}/",
        "thread": f"/c/{COHORT}/discussions/threads/{thread}/",
        "progress": f"/c/{COHORT}/progress/",
    }
    latency: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    sent: dict[str, float] = {}
    deliveries: list[float] = []
    stop = time.monotonic() + seconds

    async def watcher(i: int) -> None:
        base = sockets[i % len(sockets)]
        url = f"{base.replace('http', 'ws')}/ws/c/{COHORT}/threads/{thread}/"
        headers = {"Origin": base, "Cookie": cookies[i]}
        try:
            async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
                await ws.send(json.dumps({"type": "resume", "seq": 10**9}))
                while time.monotonic() < stop + 5:
                    try:
                        message = await asyncio.wait_for(ws.recv(), 1)
                    except TimeoutError:
                        continue
                    now = time.monotonic()
                    for marker in re.findall(r"load-[0-9a-f]{12}", str(message)):
                        if marker in sent:
                            deliveries.append(now - sent[marker])
        except Exception as error:
            errors.append(f"websocket: {error!r}")

    async def member(i: int, http: aiohttp.ClientSession) -> None:
        cookie = cookies[i]
        csrf = ""
        while time.monotonic() < stop:
            kind = random.choice(list(paths))
            started = time.monotonic()
            try:
                async with http.get(pages + paths[kind], headers={"Cookie": cookie}, allow_redirects=False) as r:
                    body = await r.text()
                    if r.status != 200:
                        errors.append(f"GET {kind}: {r.status}")
                    if "csrftoken" in r.cookies:
                        csrf = r.cookies["csrftoken"].value
                latency[kind].append(time.monotonic() - started)
                if kind == "thread" and random.random() < 0.15 and csrf:
                    marker = f"load-{uuid.uuid4().hex[:12]}"
                    form = {"body": f"Bench reply {marker}", "key": str(uuid.uuid4())}
                    sent[marker] = time.monotonic()
                    async with http.post(
                        pages + f"/c/{COHORT}/discussions/threads/{thread}/posts/",
                        data=form,
                        allow_redirects=False,
                        headers={"Cookie": f"{cookie}; csrftoken={csrf}", "X-CSRFToken": csrf, "Referer": pages},
                    ) as r:
                        await r.read()
                        if r.status not in (200, 302, 429):
                            errors.append(f"POST reply: {r.status}")
                del body
            except Exception as error:
                errors.append(f"{kind}: {error!r}")
            await asyncio.sleep(random.uniform(0.5, 2.0))  # a person reads before the next click

    def upload(ticket: str, base: str) -> float:
        from tusclient import client

        path = Path(f"/tmp/bench-upload-{ticket[:8]}.bin")
        path.write_bytes(os.urandom(UPLOAD_BYTES))
        started = time.monotonic()
        uploader = client.TusClient(base + "/clips/tus/").uploader(
            str(path), chunk_size=4 * 1024 * 1024, metadata={"ticket": ticket, "filetype": "video/mp4"}
        )
        uploader.upload()
        path.unlink()
        return UPLOAD_BYTES / (time.monotonic() - started) / 1e6

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        watchers = [asyncio.create_task(watcher(i)) for i in range(WATCHERS)]
        await asyncio.sleep(2)
        uploads = [asyncio.to_thread(upload, t, sockets[i % len(sockets)]) for i, t in enumerate(data["tickets"])]
        members = [member(i, http) for i in range(MEMBERS)]
        results = await asyncio.gather(*members, *uploads, return_exceptions=True)
        await asyncio.gather(*watchers)
    speeds = [r for r in results if isinstance(r, float)]
    errors += [f"upload: {r!r}" for r in results if isinstance(r, BaseException)]
    return LoadResult(latency, deliveries, len(sent), errors, speeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    env = server_env()
    data = prepare(env)
    wsgi, asgi1, asgi2 = free_port(), free_port(), free_port()
    procs = [
        subprocess.Popen(
            [
                str(BIN / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(wsgi),
                "--workers",
                "2",
                "--blocking-threads",
                "4",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        *(
            subprocess.Popen(
                [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(p), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for p in (asgi1, asgi2)
        ),
        subprocess.Popen(
            [str(BIN / "python"), "manage.py", "db_worker", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        for port, proc in zip((wsgi, asgi1, asgi2), procs, strict=False):
            wait_for_port(port, proc)
        page = f"/c/{COHORT}/discussions/themes/{data['theme']}/"
        cookie = data["cookies"][0]
        wsgi_rps, wsgi_err = asyncio.run(rps(f"http://127.0.0.1:{wsgi}", page, cookie))
        asgi_rps, asgi_err = asyncio.run(rps(f"http://127.0.0.1:{asgi1}", page, cookie))
        print("1. Server for pages (theme page, 20 concurrent clients, 10 s)")
        print(f"   granian WSGI (2 workers): {wsgi_rps:7.1f} req/s   errors {wsgi_err}")
        print(f"   Daphne ASGI (1 process):  {asgi_rps:7.1f} req/s   errors {asgi_err}")
        print(f"   Daphne / granian = {asgi_rps / wsgi_rps:.2f}")
        result = asyncio.run(
            mixed(
                f"http://127.0.0.1:{wsgi}",
                [f"http://127.0.0.1:{asgi1}", f"http://127.0.0.1:{asgi2}"],
                data,
                args.seconds,
            )
        )
        print(
            f"2. Mixed load: {MEMBERS} members, {WATCHERS} watchers, {len(data['tickets'])} uploads, {args.seconds:.0f} s"
        )
        for kind, values in sorted(result.latency.items()):
            p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
            print(f"   {kind:<10} n={len(values):5d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        d50, d99 = percentile(result.deliveries, 50) * 1000, percentile(result.deliveries, 99) * 1000
        print(f"   posts {result.posts}, deliveries {len(result.deliveries)}: p50 {d50:.0f} ms, p99 {d99:.0f} ms")
        if result.uploads:
            mean = statistics.mean(result.uploads)
            print(f"   uploads: {len(result.uploads)} x {UPLOAD_BYTES // 2**20} MB, mean {mean:.1f} MB/s each")
        print(f"   errors: {len(result.errors)}")
        for line in sorted(set(result.errors))[:10]:
            print(f"     {line}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
