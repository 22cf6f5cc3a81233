"""Fan-out of discussion posts to N websocket subscribers of one thread: latency and throughput.

Not a test: it prints figures. For each configuration it starts Daphne process(es), opens N
websocket clients (the `websockets` library) on one thread — split evenly over the processes —
then writes posts through HTTP (the real add_post view) to the first process and measures, per
delivery, the time from just before the POST to the moment a client has the fragment.

Configurations: in-memory layer (1 Daphne), Redis pub/sub layer (1 and 2 Daphne), and for each the
ceiling: a bare Channels consumer relaying a fixed message (bench/bare_asgi.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_discuss REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/fanout.py --sizes 100 500 1000 --posts 10

Clients and servers share this machine's cores, so the figures are for comparing configurations.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MARK = re.compile(r"bench-(\d+)-")
LOG = Path(os.environ.get("BENCH_LOG", "/tmp/fanout-daphne.log"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(redis: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
        }
    )  # plain HTTP on loopback
    env.pop("PYTEST_VERSION", None)
    if redis:
        env["CHANNEL_PREFIX"] = env["CACHE_PREFIX"] = "discuss-bench"
    else:
        env.pop("REDIS_URL", None)
    return env


def start_daphne(app: str, redis: bool) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        # A long handshake timeout (daphne treats -1 as 0, not as infinite): a burst of connects on a
        # busy machine must queue, not be dropped.
        [str(ROOT / ".venv/bin/daphne"), "--websocket_connect_timeout", "600", "-b", "127.0.0.1", "-p", str(port), app],
        cwd=ROOT,
        env=server_env(redis),
        stdout=subprocess.DEVNULL,
        stderr=open(LOG, "ab"),  # noqa: SIM115 - a pipe nobody reads would block the server when full
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"daphne did not start: see {LOG}")


def prepare() -> dict[str, object]:
    """A cohort, a poster and a reader with sessions, and a thread: in DATABASE_URL's database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from cohort.models import Role, User
    from discussions import services
    from discussions.models import Theme, Thread
    from tests import factories

    call_command("migrate", verbosity=0)
    cohort = factories.Cohort.objects.filter(slug="bench").first() or factories.make_cohort("Bench", slug="bench")
    inst = factories.Institution.objects.filter(slug="bench-u").first() or factories.make_institution(
        "Bench U", "Bench U"
    )
    factories.Participation.objects.get_or_create(cohort=cohort, institution=inst)
    users = {}
    for name in ("Poster", "Reader"):
        email = f"{name.lower()}@bench.invalid"
        user = User.objects.filter(email=email).first() or factories.make_user(name, email=email)
        factories.Membership.objects.get_or_create(
            user=user, cohort=cohort, defaults={"role": Role.MEMBER, "institution": inst}
        )
        client = Client()
        client.force_login(user)
        users[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    theme, _ = Theme.objects.get_or_create(cohort=cohort, title="Bench")
    from cohort.access import get_membership

    poster = User.objects.get(email="poster@bench.invalid")
    thread = Thread.objects.filter(theme=theme).first()
    if thread is None:
        thread = services.start_thread(
            get_membership(poster, "bench"), theme, title="Fan-out", body="Start", key=uuid.uuid4()
        ).post.thread
    return {
        "thread": thread.pk,
        "poster": users["Poster"],
        "reader": users["Reader"],
        "cookie": settings.SESSION_COOKIE_NAME,
    }


@dataclass
class Result:
    name: str
    n: int
    deliveries: int
    expected: int
    p50: float
    p99: float
    rate: float


async def run_clients(urls: list[str], headers: list[dict[str, str]], n: int, posts: int, send_post) -> Result:
    import websockets

    latencies: list[float] = []
    received = 0
    first_send = [0.0]
    last_receive = [0.0]
    done = asyncio.Event()
    expected = n * posts

    async def client(i: int, ready: asyncio.Event, connected: list[int]) -> None:
        for attempt in range(4):
            try:
                await subscribe(i, ready, connected)
                return
            except Exception as error:  # retried like a page reconnecting; counted if it never gets in
                if isinstance(error, asyncio.CancelledError) or attempt == 3 or ready.is_set():
                    connected[1] += 1
                    errors.append(repr(error)[:120])
                    if connected[0] + connected[1] == n:
                        ready.set()
                    return
                await asyncio.sleep(0.5 * 2**attempt)

    async def subscribe(i: int, ready: asyncio.Event, connected: list[int]) -> None:
        nonlocal received
        async with websockets.connect(urls[i % len(urls)], additional_headers=headers[i % len(urls)],
                                      max_size=2**22, open_timeout=60, ping_interval=None) as ws:  # fmt: skip
            await ws.send(json.dumps({"type": "resume", "seq": 10**9, "since": 10**18}))
            while True:  # the resume answer ends with the thread status
                if "thread-status" in await ws.recv():
                    break
            connected[0] += 1
            if connected[0] + connected[1] == n:
                ready.set()
            while received < expected:
                try:
                    message = await asyncio.wait_for(ws.recv(), timeout=30)
                except TimeoutError:
                    break
                match = MARK.search(message if isinstance(message, str) else message.decode())
                if not match:
                    continue
                now = time.perf_counter_ns()
                latencies.append((now - int(match.group(1))) / 1e6)
                received += 1
                last_receive[0] = now
                if received >= expected:
                    done.set()

    ready = asyncio.Event()
    connected = [0, 0]  # connected, failed
    errors: list[str] = []
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(client(i, ready, connected)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not stampede the accept queue
    await asyncio.wait_for(ready.wait(), timeout=300)
    expected = connected[0] * posts
    if connected[1]:
        print(f"  {connected[1]} of {n} clients could not subscribe, e.g. {errors[0]}", flush=True)
    await asyncio.sleep(0.5)
    first_send[0] = time.perf_counter_ns()
    # Posts go out four at a time (as from several writers), so the fan-out, not one writer's round
    # trips, sets the pace.
    limit = asyncio.Semaphore(4)

    async def one(k: int) -> None:
        async with limit:
            await asyncio.to_thread(send_post, k)

    await asyncio.gather(*(one(k) for k in range(posts)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=60)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = max(1, last_receive[0] - first_send[0]) / 1e9
    lat = sorted(latencies) or [float("nan")]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return Result("", connected[0], len(latencies), expected, statistics.median(lat), p99, len(latencies) / elapsed)


def real_post_sender(port: int, data: dict[str, object]):
    cookie = f"{data['cookie']}={data['poster']}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/c/bench/discussions/threads/{data['thread']}/", headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = csrf.group(1) if csrf else ""

    def send(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = f"Fan-out post {k}: bench-{time.perf_counter_ns()}- with a little **Markdown** and some words."
        form = f"body={body}&key={uuid.uuid4()}".replace(" ", "+").replace("*", "%2A")
        conn.request(
            "POST",
            f"/c/bench/discussions/threads/{data['thread']}/posts/",
            body=form,
            headers={
                "Cookie": f"{cookie}; csrftoken={token}",
                "X-CSRFToken": token,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{port}",
            },
        )
        r = conn.getresponse()
        r.read()
        if r.status >= 300:
            raise RuntimeError(f"post failed: {r.status}")

    return send


def bare_sender(port: int):
    def send(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", f"/send?t={time.perf_counter_ns()}", body=b"")
        r = conn.getresponse()
        r.read()

    return send


def run_config(
    name: str, *, bare: bool, redis: bool, processes: int, sizes: list[int], posts: int, data
) -> list[Result]:
    app = "bench.bare_asgi:application" if bare else "config.asgi:application"
    servers = [start_daphne(app, redis) for _ in range(processes)]
    ports = [port for _, port in servers]
    results = []
    try:
        if bare:
            urls = [f"ws://127.0.0.1:{p}/ws/" for p in ports]
            headers = [{"Origin": f"http://127.0.0.1:{p}"} for p in ports]
            sender = bare_sender(ports[0])
        else:
            urls = [f"ws://127.0.0.1:{p}/ws/c/bench/threads/{data['thread']}/" for p in ports]
            cookie = f"{data['cookie']}={data['reader']}"
            headers = [{"Origin": f"http://127.0.0.1:{p}", "Cookie": cookie} for p in ports]
            sender = real_post_sender(ports[0], data)
        for n in sizes:
            result = asyncio.run(run_clients(urls, headers, n, posts, sender))
            result.name = name
            results.append(result)
            print(f"{name:<34} N={n:>5}  delivered {result.deliveries:>6}/{result.expected:<6} "
                  f"p50 {result.p50:8.1f} ms  p99 {result.p99:8.1f} ms  {result.rate:9.0f} deliveries/s", flush=True)  # fmt: skip
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--only", choices=["memory", "redis1", "redis2"], nargs="*")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data = prepare()
    configs = [("memory", False, 1), ("redis1", True, 1), ("redis2", True, 2)]
    if not os.environ.get("REDIS_URL"):
        print("REDIS_URL is not set: only the in-memory layer is measured.")
        configs = configs[:1]
    rows: list[tuple[Result, Result]] = []
    for key, redis, processes in configs:
        if args.only and key not in args.only:
            continue
        label = f"{'Redis' if redis else 'in-memory'}, {processes} Daphne"
        real = run_config(f"discussions ({label})", bare=False, redis=redis, processes=processes,
                          sizes=args.sizes, posts=args.posts, data=data)  # fmt: skip
        bare = run_config(f"bare consumer ({label})", bare=True, redis=redis, processes=processes,
                          sizes=args.sizes, posts=args.posts, data=data)  # fmt: skip
        rows.extend(zip(real, bare, strict=True))
    print("\nSummary (discussions vs bare ceiling; targets: >= 80% of bare deliveries/s, p99 <= 1.5x bare)")
    print(f"{'configuration':<34} {'N':>5} {'rate %':>7} {'p99 ratio':>9} {'p99 ms':>8}")
    for real_row, bare_row in rows:
        print(
            f"{real_row.name:<34} {real_row.n:>5} {100 * real_row.rate / bare_row.rate:>6.0f}% "
            f"{real_row.p99 / bare_row.p99:>9.2f} {real_row.p99:>8.1f}"
        )


if __name__ == "__main__":
    main()
