"""Fan-out of discussion posts to N websocket subscribers of one thread: latency and throughput.

Not a test: it prints figures. For each configuration it starts Daphne process(es), opens N
websocket clients on one thread (split evenly over the Daphne processes, and run by a few client
processes), then writes posts through HTTP (the real add_post view) to the first Daphne process and
measures, per delivery, the time from just before the POST to the moment a client has the fragment:

- one at a time: each post waits until every socket has the one before it; p50/p99 of these is the
  latency of one post's fan-out ("a post reaches 1,000 subscribers in ...");
- burst: the same number of posts four at a time (several writers); deliveries per second and the
  p99 under that queue.

It also prints the CPU seconds each part spent while posting (Daphne, Redis, PostgreSQL, the
clients, and the whole machine, which includes whatever else runs on it) and the load average.

Configurations: in-memory layer (1 Daphne), Redis pub/sub layer (1 and 2 Daphne), and for each the
ceiling: a bare Channels consumer relaying a fixed message (bench/bare_asgi.py).

--consumers chooses which discussion consumers the Daphne processes serve: `custom`, the production
ones (discussions.consumers, with their own __call__, dispatch loop and send beneath the session
wrapper), `plain`, the same consumers on Channels' own __call__, dispatch loop and session wrapper
(bench/plain_consumers.py, through bench/plain_asgi.py), or `both`, in turn within each repeat
(the order alternating), so that both are measured in the same run under the same load.

Posting to the first Daphne makes it write posts and fan out at once. Production sends plain HTTP
to the granian WSGI role instead (Procfile, deploy/nginx.conf): --post-via-granian adds, for the
Redis configurations, the same measure with the posts sent to a granian process (one worker), as an
extra row; the Daphne-posting rows stay as they were. The bare consumer is the same ceiling for both.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_discuss REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/fanout.py --sizes 100 500 1000 --posts 10

Clients and servers share this machine's cores, so the figures are for comparing configurations.
The clients are kept cheap (uvloop when installed, no compression, no decoding: one bytes.find per
message) so that they take a small share of the CPU, which the printed CPU seconds show.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import multiprocessing
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import process_tree  # noqa: E402
from tests.local_servers import free_port  # noqa: E402

LOG = Path(os.environ.get("BENCH_LOG", "/tmp/fanout-daphne.log"))
# The servers' executables: the project's .venv, else the one running this (a worktree has no .venv).
BIN = ROOT / ".venv/bin" if (ROOT / ".venv/bin/daphne").exists() else Path(sys.executable).parent
# Where the discussion pages' sockets are served from, per --consumers variant.
CONSUMERS = {"custom": "config.asgi:application", "plain": "bench.plain_asgi:application"}


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
        # Redis pub/sub channels ignore the database number: a prefix of this run's own, so that
        # another bench on the same Redis does not hear (or feed) these groups.
        env["CHANNEL_PREFIX"] = env["CACHE_PREFIX"] = f"discuss-bench-{os.getpid()}"
    else:
        env.pop("REDIS_URL", None)
    return env


def start_daphne(app: str, redis: bool) -> tuple[subprocess.Popen, int]:
    # A long handshake timeout (daphne treats -1 as 0, not as infinite): a burst of connects on a
    # busy machine must queue, not be dropped.
    return _start_server(
        "daphne", lambda port: [str(BIN / "daphne"), "--websocket_connect_timeout", "600", "-b",
                                "127.0.0.1", "-p", str(port), app], redis,
    )  # fmt: skip


def start_granian(redis: bool) -> tuple[subprocess.Popen, int]:
    """The production web role (Procfile `web`): plain HTTP through WSGI, one worker on this machine."""
    return _start_server(
        "granian", lambda port: [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                                 "--port", str(port), "--workers", "1", "--blocking-threads", "4",
                                 "config.wsgi:application"], redis,
    )  # fmt: skip


def _start_server(name: str, command: Any, redis: bool) -> tuple[subprocess.Popen, int]:
    """Start a server on a free port; returns it and the port once it listens."""
    port = free_port()
    proc = subprocess.Popen(
        command(port),
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
    raise RuntimeError(f"{name} did not start: see {LOG}")


FOLLOWERS = 8  # of the thread: each post notifies the followers but its author


def prepare(posters: int) -> dict[str, object]:
    """A cohort, posters and a reader with sessions, and a thread: in DATABASE_URL's database.

    Several posters, because posting is rate-limited per user (views.POSTS_PER_MINUTE). As many as
    a long run needs, but only the first FOLLOWERS follow the thread; the others have muted it.
    Otherwise every poster would follow what they replied to, and each post would notify more people
    the longer the run: the work per post would depend on the bench's own length.
    """
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
    sessions = {}
    names = ["Reader", "Poster", *(f"Poster{k}" for k in range(2, posters + 1))]
    for name in names:
        email = f"{name.lower()}@bench.invalid"
        user = User.objects.filter(email=email).first() or factories.make_user(name, email=email)
        factories.Membership.objects.get_or_create(
            user=user, cohort=cohort, defaults={"role": Role.MEMBER, "institution": inst}
        )
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    theme, _ = Theme.objects.get_or_create(cohort=cohort, title="Bench")
    from cohort.access import get_membership

    poster = User.objects.get(email="poster@bench.invalid")
    thread = Thread.objects.filter(theme=theme).first()
    if thread is None:
        thread = services.start_thread(
            get_membership(poster, "bench"), theme, title="Fan-out", body="Start", key=uuid.uuid4()
        ).post.thread
    from discussions.models import Subscription

    for name in names[1 + FOLLOWERS :]:
        user = User.objects.get(email=f"{name.lower()}@bench.invalid")
        Subscription.objects.update_or_create(user=user, thread=thread, defaults={"state": Subscription.State.MUTE})
    return {
        "thread": thread.pk,
        "posters": [sessions[name] for name in names[1:]],
        "reader": sessions["Reader"],
        "cookie": settings.SESSION_COOKIE_NAME,
    }


@dataclass
class Result:
    name: str
    n: int
    paced: list[float]  # ms per delivery, posts one at a time
    burst: list[float]  # ms per delivery, posts four at a time
    expected: int  # deliveries expected in each phase
    rate: float  # burst deliveries per second
    cpu: dict[str, float]  # CPU seconds spent during the posting phases, per component
    requests: list[float]  # ms from sending each paced POST to its response (the event goes out before)

    @property
    def paced_p50(self) -> float:
        return percentile(self.paced, 0.5)

    @property
    def paced_p99(self) -> float:
        return percentile(self.paced, 0.99)

    @property
    def burst_p99(self) -> float:
        return percentile(self.burst, 0.99)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 if it is gone or not ours to read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (every backend, whoever's: the load is shared)."""
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine (every core, every user) so far."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


# The client side. Each client process runs its share of the sockets on one event loop (uvloop when
# installed) and does as little as it can per message: no text decoding, no parsing, one bytes.find
# for the marker, the receive time taken first. Frames come uncompressed (Daphne does not negotiate
# permessage-deflate; the client does not offer it either).
RESUME = json.dumps({"type": "resume", "seq": 10**9, "since": 10**18})


def client_process(conn: Connection, jobs: list[tuple[str, dict[str, str]]]) -> None:
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    asyncio.run(client_main(conn, jobs), loop_factory=loop_factory)


async def client_main(conn: Connection, jobs: list[tuple[str, dict[str, str]]]) -> None:
    import websockets

    sent_at: array[int] = array("q")
    received_at: array[int] = array("q")
    counts: dict[int, int] = {}
    state = {"connected": 0, "failed": 0}
    errors: list[str] = []
    ready = asyncio.Event()
    stop = asyncio.Event()

    def settled() -> None:
        if state["connected"] + state["failed"] == len(jobs):
            ready.set()

    async def subscribe(url: str, headers: dict[str, str]) -> None:
        async with websockets.connect(url, additional_headers=headers, compression=None, proxy=None,
                                      max_size=2**22, open_timeout=120, ping_interval=None, close_timeout=1) as ws:  # fmt: skip
            await ws.send(RESUME)
            while b"thread-status" not in await ws.recv(decode=False):  # the resume answer ends with it
                pass
            state["connected"] += 1
            settled()
            while True:
                message = await ws.recv(decode=False)
                now = time.perf_counter_ns()
                start = message.find(b"bench-")
                if start < 0:
                    continue
                t = int(message[start + 6 : message.index(b"-", start + 6)])
                sent_at.append(t)
                received_at.append(now)
                count = counts[t] = counts.get(t, 0) + 1
                if count == state["connected"]:
                    conn.send(("done", t))

    async def client(url: str, headers: dict[str, str]) -> None:
        for attempt in range(4):
            try:
                await subscribe(url, headers)
                return
            except Exception as error:  # retried like a page reconnecting; counted if it never gets in
                if attempt == 3 or ready.is_set():
                    state["failed"] += 1
                    errors.append(repr(error)[:120])
                    settled()
                    return
                await asyncio.sleep(0.5 * 2**attempt)

    def on_command() -> None:
        if conn.recv() == "stop":
            stop.set()

    loop = asyncio.get_running_loop()
    loop.add_reader(conn.fileno(), on_command)
    os.set_blocking(conn.fileno(), True)  # the loop made it non-blocking; a large result must not fail
    tasks = []
    for i, (url, headers) in enumerate(jobs):
        tasks.append(asyncio.create_task(client(url, headers)))
        if i % 25 == 24:
            await asyncio.sleep(0.05)  # do not stampede the accept queue
    await ready.wait()
    conn.send(("ready", state["connected"], state["failed"], errors[:1]))
    await stop.wait()
    conn.send(("result", sent_at.tobytes(), received_at.tobytes()))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class Clients:
    """N websocket clients spread over a few processes; the parent posts and collects."""

    def __init__(self, urls: list[str], headers: list[dict[str, str]], n: int, processes: int) -> None:
        context = multiprocessing.get_context("spawn")  # a clean child: no Django, no inherited sockets
        self.pipes: list[Connection] = []
        self.procs = []
        for w in range(min(processes, n)):
            jobs = [(urls[i % len(urls)], headers[i % len(urls)]) for i in range(w, n, processes)]
            mine, theirs = context.Pipe()
            proc = context.Process(target=client_process, args=(theirs, jobs), daemon=True)
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)
        self.connected = 0
        self.done: dict[int, int] = {}
        failed, errors = 0, []
        for pipe in self.pipes:
            if not pipe.poll(600):
                raise RuntimeError("clients did not connect in ten minutes")
            _, connected, lost, error = pipe.recv()
            self.connected += connected
            failed += lost
            errors += error
        if failed:
            print(f"  {failed} of {n} clients could not subscribe, e.g. {errors[0]}", flush=True)

    def wait_done(self, stamps: list[int], timeout: float) -> None:
        """Until every client process has had each of these posts on all its sockets (or timeout)."""
        deadline = time.monotonic() + timeout
        missing = {t for t in stamps if self.done.get(t, 0) < len(self.pipes)}
        while missing and time.monotonic() < deadline:
            for pipe in wait(self.pipes, timeout=max(0.0, deadline - time.monotonic())):
                assert isinstance(pipe, Connection)
                _, t = pipe.recv()
                self.done[t] = self.done.get(t, 0) + 1
                if self.done[t] >= len(self.pipes):
                    missing.discard(t)

    def collect(self) -> dict[int, list[int]]:
        """Stop the clients; receive times per post stamp."""
        by_post: dict[int, list[int]] = {}
        for pipe in self.pipes:
            pipe.send("stop")
        for pipe in self.pipes:
            while True:
                message = pipe.recv()
                if message[0] == "result":
                    break
            sent, received = array("q"), array("q")
            sent.frombytes(message[1])
            received.frombytes(message[2])
            for t, r in zip(sent, received, strict=True):
                by_post.setdefault(t, []).append(r)
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
        return by_post


def start_profilers(directory: str, watch: dict[str, list[int]]) -> list[subprocess.Popen]:
    """py-spy on each Daphne process while posting (--profile DIR): raw stacks, one file each."""
    if not directory:
        return []
    spy = shutil.which("py-spy") or str(BIN / "py-spy")
    Path(directory).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%H%M%S")
    profilers = []
    for name, pids in watch.items():
        if name.startswith("daphne"):
            out = f"{directory}/{stamp}-{name.replace(' ', '')}.txt"
            command = [spy, "record", "-p", str(pids[0]), "-r", "200", "-f", "raw", "--nonblocking", "-o", out]
            profilers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return profilers


def stop_profilers(profilers: list[subprocess.Popen]) -> None:
    for spy in profilers:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for spy in profilers:
        spy.wait(timeout=30)


def run_clients(
    urls: list[str],
    headers: list[dict[str, str]],
    n: int,
    posts: int,
    send_post,
    *,
    processes: int,
    watch: dict[str, list[int]],
    profile: str = "",
) -> Result:
    clients = Clients(urls, headers, n, processes)
    time.sleep(0.5)
    # Warm-up (first renders, connections, a new server's first requests), not counted.
    for _ in range(3):
        warm = time.perf_counter_ns()
        send_post(warm)
        clients.wait_done([warm], 30)
    time.sleep(0.2)
    pids = {**watch, "clients": [p.pid for p in clients.procs if p.pid], "bench": [os.getpid()]}
    cpu_before = {name: sum(cpu_seconds(p) for p in ps) for name, ps in pids.items()}
    postgres_before = {pid: cpu_seconds(pid) for pid in postgres_pids()}
    machine_before = machine_cpu_seconds()
    profilers = start_profilers(profile, watch)
    # Latency: one post at a time, the next when every socket has the last (a post's own fan-out).
    paced: list[int] = []
    requests: list[float] = []
    for _ in range(posts):
        t = time.perf_counter_ns()
        send_post(t)
        requests.append((time.perf_counter_ns() - t) / 1e6)
        paced.append(t)
        clients.wait_done([t], 30)
        time.sleep(0.1)
    # Throughput: posts four at a time (as from several writers), so the fan-out, not one writer's
    # round trips, sets the pace.
    burst: list[int] = []
    lock = threading.Lock()

    def one(_: int) -> None:
        t = time.perf_counter_ns()
        with lock:
            burst.append(t)
        send_post(t)

    first_send = time.perf_counter_ns()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(posts)))
    clients.wait_done(burst, 60)
    cpu = {name: sum(cpu_seconds(p) for p in ps) - cpu_before[name] for name, ps in pids.items()}
    cpu["postgres"] = sum(cpu_seconds(pid) - postgres_before.get(pid, 0.0) for pid in postgres_pids())
    cpu["whole machine"] = machine_cpu_seconds() - machine_before
    stop_profilers(profilers)
    by_post = clients.collect()

    def latencies(stamps: list[int]) -> list[float]:
        return [(r - t) / 1e6 for t in stamps for r in by_post.get(t, [])]

    last = max((r for t in burst for r in by_post.get(t, [])), default=first_send + 1)
    burst_ms = latencies(burst)
    rate = len(burst_ms) / ((last - first_send) / 1e9)
    return Result("", clients.connected, latencies(paced), burst_ms, clients.connected * posts, rate, cpu, requests)


def real_post_sender(port: int, data: dict[str, Any]):
    """Posts through the add_post view, the posters taking turns."""
    posters = []
    for session in data["posters"]:
        cookie = f"{data['cookie']}={session}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"/c/bench/discussions/threads/{data['thread']}/", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        posters.append((cookie, csrf.group(1) if csrf else ""))
    turn = itertools.count()

    def send(t: int) -> None:
        cookie, token = posters[next(turn) % len(posters)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = f"Fan-out post: bench-{t}- with a little **Markdown** and some words."
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
    def send(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", f"/send?t={t}", body=b"")
        r = conn.getresponse()
        r.read()

    return send


def redis_pid() -> int | None:
    """The local Redis server's process, to count its CPU too."""
    import redis

    try:
        return int(redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["process_id"])
    except Exception:
        return None


def run_config(
    name: str,
    *,
    bare: bool,
    redis: bool,
    processes: int,
    sizes: list[int],
    posts: int,
    clients: int,
    data,
    profile: str = "",
    via_granian: bool = False,
    consumers: str = "custom",
) -> list[Result]:
    app = "bench.bare_asgi:application" if bare else CONSUMERS[consumers]
    servers = [start_daphne(app, redis) for _ in range(processes)]
    ports = [port for _, port in servers]
    # The first Daphne also serves the posts (HTTP); the others only fan out. With via_granian the posts
    # go, as in production (Procfile, deploy/nginx.conf), to the WSGI web role instead.
    watch = {f"daphne {i + 1}": [proc.pid] for i, (proc, _) in enumerate(servers)}
    web = start_granian(redis) if via_granian else None
    if web is not None:
        time.sleep(1)  # its worker process
        watch["granian"] = process_tree(web[0].pid)
    if redis and (pid := redis_pid()):
        watch["redis"] = [pid]
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
            sender = real_post_sender(web[1] if web is not None else ports[0], data)
        for n in sizes:
            result = run_clients(urls, headers, n, posts, sender, processes=clients, watch=watch, profile=profile)
            result.name = name
            results.append(result)
            deliveries = len(result.paced) + len(result.burst)
            print(f"{name:<44} N={n:>5}  delivered {deliveries:>6}/{2 * result.expected:<6} "
                  f"one at a time: p50 {result.paced_p50:7.1f} p99 {result.paced_p99:7.1f} ms  "
                  f"burst: p99 {result.burst_p99:7.1f} ms {result.rate:7.0f} deliveries/s", flush=True)  # fmt: skip
            spent = ", ".join(f"{k} {v:.2f}" for k, v in result.cpu.items())
            print(f"{'':<44}   CPU seconds while posting: {spent}", flush=True)
            print(f"{'':<44}   POST answered in p50 {percentile(result.requests, 0.5):.1f} ms", flush=True)
    finally:
        everything = [*servers, *([web] if web is not None else [])]
        for proc, _ in everything:
            proc.terminate()
        for proc, _ in everything:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still closing its sockets: none may outlive the bench
                proc.kill()
                proc.wait()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--posts", type=int, default=10, help="posts per phase (one at a time, then a burst)")
    parser.add_argument("--clients", type=int, default=2, help="client processes the sockets are spread over")
    parser.add_argument("--only", choices=["memory", "redis1", "redis2"], nargs="*")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare consumer (to profile the product)")
    parser.add_argument("--profile", metavar="DIR", default="", help="py-spy each Daphne while posting, into DIR")
    parser.add_argument("--post-via-granian", action="store_true", help="the same as --post-via both")
    parser.add_argument(
        "--post-via",
        choices=["daphne", "granian", "both"],
        default="",
        help="where the product's posts go: the first Daphne (the default), granian, or both as two rows",
    )
    parser.add_argument(
        "--consumers",
        choices=[*CONSUMERS, "both"],
        default="custom",
        help="the discussion consumers served: production (custom), on Channels' own loop (plain), or both in turn",
    )
    parser.add_argument("--target-p99", type=float, default=200.0, help="ms: the p99 of one post's fan-out to meet")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each configuration this many times, product and bare in turn, and print the median ratio",
    )
    args = parser.parse_args()
    via = args.post_via or ("both" if args.post_via_granian else "daphne")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # Each size posts 2 * posts + 3 times per configuration and row; POSTS_PER_MINUTE (20) per poster.
    rows_per_config = 2 if via == "both" else 1
    variants = list(CONSUMERS) if args.consumers == "both" else [args.consumers]
    posts_per_run = (2 * args.posts + 3) * len(args.sizes) * 3 * rows_per_config * len(variants) * args.repeat
    data = prepare(posters=max(2, -(-posts_per_run // 15)))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores", flush=True)
    print(f"the thread has {FOLLOWERS} followers: each post notifies {FOLLOWERS - 1} or {FOLLOWERS}", flush=True)
    configs = [("memory", False, 1), ("redis1", True, 1), ("redis2", True, 2)]
    if not os.environ.get("REDIS_URL"):
        print("REDIS_URL is not set: only the in-memory layer is measured.")
        configs = configs[:1]
    rows: list[tuple[Result, Result]] = []
    everything: list[Result] = []
    for key, redis, processes in configs:
        if args.only and key not in args.only:
            continue
        label = f"{'Redis' if redis else 'in-memory'}, {processes} Daphne"
        common = {"redis": redis, "processes": processes, "sizes": args.sizes, "posts": args.posts,
                  "clients": args.clients, "data": data}  # fmt: skip
        for run in range(args.repeat):
            real: list[Result] = []
            for variant in variants if run % 2 == 0 else variants[::-1]:  # alternate which goes first
                tag = f"discussions{'' if len(variants) == 1 else f' {variant}'}"
                if via in ("daphne", "both") or not redis:
                    real += run_config(f"{tag} ({label})", bare=False, profile=args.profile, consumers=variant,
                                       **common)  # fmt: skip
                if via in ("granian", "both") and redis:
                    real += run_config(f"{tag} ({label}, post: granian)", bare=False, via_granian=True,
                                       consumers=variant, **common)  # fmt: skip
            everything.extend(real)
            if args.no_bare:
                continue
            bare = run_config(f"bare consumer ({label})", bare=True, profile=args.profile, **common)
            rows.extend(zip(real, bare * (len(real) // len(bare)), strict=True))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print_runs(everything, args.target_p99)
    if not rows:  # --no-bare: nothing to compare with the ceiling
        return
    print("\nSummary (discussions vs bare ceiling; targets: >= 80% of bare deliveries/s, p99 <= 1.5x bare)")
    print(f"{'configuration':<44} {'N':>5} {'rate %':>7} {'p99 ratio':>9} {'p99 ms':>8} {'burst ratio':>11}")
    for real_row, bare_row in rows:
        print(
            f"{real_row.name:<44} {real_row.n:>5} {100 * real_row.rate / bare_row.rate:>6.0f}% "
            f"{real_row.paced_p99 / bare_row.paced_p99:>9.2f} {real_row.paced_p99:>8.1f} "
            f"{real_row.burst_p99 / bare_row.burst_p99:>11.2f}"
        )
    if args.repeat > 1:
        print(f"\nMedians over {args.repeat} runs (each product run against the bare run right after it)")
        groups: dict[tuple[str, int], list[tuple[Result, Result]]] = {}
        for real_row, bare_row in rows:
            groups.setdefault((real_row.name, real_row.n), []).append((real_row, bare_row))
        for (name, n), pairs in groups.items():
            rates = [100 * r.rate / b.rate for r, b in pairs]
            ratios = [r.paced_p99 / b.paced_p99 for r, b in pairs]
            p99s = [r.paced_p99 for r, _ in pairs]
            print(
                f"{name:<44} {n:>5} {statistics.median(rates):>6.0f}% {statistics.median(ratios):>9.2f} "
                f"{statistics.median(p99s):>8.1f}   rates {', '.join(f'{x:.0f}%' for x in rates)}; "
                f"p99 ratios {', '.join(f'{x:.2f}' for x in ratios)}"
            )


def print_runs(results: list[Result], target: float) -> None:
    """Every run of each configuration (burst rate, one-at-a-time p50 and p99, burst p99) and their
    medians, with whether the median p99 of one post's fan-out meets the target."""
    groups: dict[tuple[str, int], list[Result]] = {}
    for result in results:
        groups.setdefault((result.name, result.n), []).append(result)
    print(f"\nRuns (one at a time: p50, p99; burst: p99, deliveries/s); target p99 <= {target:.0f} ms")
    for (name, n), runs in groups.items():
        print(f"{name:<44} N={n:>5}")
        for k, r in enumerate(runs, 1):
            print(f"  run {k}: p50 {r.paced_p50:7.1f}  p99 {r.paced_p99:7.1f} ms  burst p99 {r.burst_p99:7.1f} ms "
                  f"{r.rate:7.0f}/s  delivered {len(r.paced) + len(r.burst)}/{2 * r.expected}")  # fmt: skip
        p99 = statistics.median(r.paced_p99 for r in runs)
        print(f"  median: p50 {statistics.median(r.paced_p50 for r in runs):7.1f}  p99 {p99:7.1f} ms  "
              f"burst p99 {statistics.median(r.burst_p99 for r in runs):7.1f} ms "
              f"{statistics.median(r.rate for r in runs):7.0f}/s  -> p99 {'meets' if p99 <= target else 'misses'} "
              f"{target:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
