"""A realistic mixed load on the production topology, and the measurement behind its HTTP server.

Not a test: it prints figures. It starts the production roles of the Procfile on this machine —
pages and tus upload chunks on granian (WSGI), two Daphne processes (websockets) on one Redis, a
task worker, SeaweedFS as the S3 store — on the database named by DATABASE_URL (use a scratch
database: it is migrated and seeded). The script itself plays the reverse proxy of
deploy/nginx.conf: /ws/ to the Daphne processes, everything else to the page server, each simulated
person's own address in X-Forwarded-For (TRUSTED_PROXY_COUNT=1, so per-address rate limits see 200
people, not one), and a request body passed on once it has arrived whole (nginx buffers them).

1. Server for pages: the same discussion theme page fetched by 20 concurrent clients from granian
   (2 workers) and from both Daphne processes, in interleaved rounds (the machine may be shared);
   prints requests per second and the servers' CPU time per request, which noise moves less.
2. Mixed load for --seconds: 200 cohort members who each read a page every 5-10 s (a person reads
   before the next click) and now and then reply in a discussion, 40 of them watching that thread
   over websockets (split over both Daphne processes), and 5 students uploading 40 MB clips at a
   home connection's 2 MB/s (tus, 4 MB chunks), one after another, so 5 uploads are always in
   flight. Prints page p50/p95 per page type, post delivery p50/p99, upload throughput, pages per
   second, CPU time and every error. The uploads run in a process of their own so that sending them
   does not delay the members' measurements; their bytes are random, so the worker's check refuses
   each clip (processing a real clip is measured by bench/pipeline.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_load REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/load.py --seconds 60 [--pages daphne]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import html
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench.procs import cpu_seconds, tree  # noqa: E402
from tests.local_servers import SeaweedMissing, free_port, start_seaweed  # noqa: E402

COHORT = "greater-manchester"
MEMBERS = 200
WATCHERS = 40
THINK_SECONDS = (5.0, 10.0)  # between one page and the next, per member
POST_CHANCE = 0.1  # of replying after reading the thread
UPLOADS = 5
UPLOAD_BYTES = 40 * 1024 * 1024
UPLOAD_RATE = 2 * 1024 * 1024  # bytes per second, per student
CHUNK_BYTES = 4 * 1024 * 1024  # as the upload page's tus client sends
ROUNDS = 3
PAGES = {  # page type: (share of page views, path below /c/<cohort>/)
    "dashboard": (0.20, ""),
    "discussions": (0.10, "discussions/"),
    "theme": (0.15, "discussions/themes/{theme}/"),
    "thread": (0.30, "discussions/threads/{thread}/"),
    "meetings": (0.15, "meetings/"),
    "progress": (0.10, "progress/"),
}


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


def server_env(s3: str, var: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name):
            sys.exit(f"{name} must be set (the production topology uses PostgreSQL and Redis)")
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback; a real deployment terminates TLS at the proxy and keeps the defaults.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        TRUSTED_PROXY_COUNT="1",  # this script is the proxy
        LOG_LEVEL="ERROR",
        CHANNEL_PREFIX="load",
        CACHE_PREFIX="load",
        VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        AWS_STORAGE_BUCKET_NAME="load",
        AWS_S3_ENDPOINT_URL=s3,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="load",
        AWS_SECRET_ACCESS_KEY=secrets.token_hex(20),
    )
    for name in ("PYTEST_VERSION", "PYTEST_XDIST_WORKER", "TASKS_BACKEND"):
        env.pop(name, None)
    return env


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """Migrate, seed the demo, add 200 members with sessions and a fresh thread for this run."""
    import boto3

    boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        subprocess.run([str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cohort.models import Cohort, Membership, Role, User
    from discussions import services
    from discussions.models import Theme
    from media_feedback.models import CallLink

    cohort = Cohort.objects.get(slug=COHORT)
    institutions = list(cohort.institutions.all())
    cookies = []
    for i in range(MEMBERS):
        user, _ = User.objects.get_or_create(email=f"load{i}@bench.example", defaults={"display_name": f"Load {i}"})
        membership, _ = Membership.objects.get_or_create(
            user=user, cohort=cohort, defaults={"role": Role.MEMBER, "institution": institutions[i % len(institutions)]}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    theme = Theme.objects.filter(cohort=cohort).order_by("pk").first()
    assert theme is not None, "the demo has no shared theme"
    # A fresh thread each run, so the thread page weighs the same from one run to the next.
    started = services.start_thread(
        membership, theme, title=f"Load run {time.strftime('%H:%M:%S')}", body="What works for you?", key=uuid.uuid4()
    )
    links = CallLink.objects.filter(call__cohort=cohort, active=True).select_related("call")
    return {
        "cookies": cookies,
        "thread": started.post.thread_id,
        "seq": started.post.seq,
        "theme": theme.pk,
        "links": [(link.token, link.call.question_list[0]) for link in links],
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def address(i: int, base: int = 0) -> str:
    """A made-up client address per simulated person, as the proxy would forward it."""
    n = base + i
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


async def rps(
    bases: list[str], path: str, cookie: str, seconds: float = 10, concurrency: int = 20
) -> tuple[float, Counter]:
    import aiohttp

    done = 0
    statuses: Counter = Counter()
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(headers={"Cookie": cookie}, cookie_jar=aiohttp.DummyCookieJar()) as http:

        async def client(i: int) -> None:
            nonlocal done
            while time.monotonic() < deadline:
                async with http.get(bases[i % len(bases)] + path, allow_redirects=False) as r:
                    await r.read()
                    done += 1
                    if r.status != 200:
                        statuses[r.status] += 1

        await asyncio.gather(*(client(i) for i in range(concurrency)))
    return done / seconds, statuses


# ---------------------------------------------------------------- the students' uploads (own process)


async def _student(n: int, pages: str, link: tuple[str, str], data: bytes) -> float:
    """One student: open the institution's link, consent, upload the clip over tus; MB/s."""
    import aiohttp
    from yarl import URL

    token, question = link
    forwarded = {"X-Forwarded-For": address(n, base=50_000)}
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, headers=forwarded) as http:
        url = f"{pages}/s/{token}/"
        async with http.get(url) as r:
            assert r.status == 200, f"link page: {r.status}"
        csrf = jar.filter_cookies(URL(url))["csrftoken"].value
        form = {"question": question, "visibility": "facilitators", "age_band": "18+", "confirm": "on",
                "csrfmiddlewaretoken": csrf}  # fmt: skip
        async with http.post(url, data=form) as r:
            page = await r.text()
            assert r.status == 200 and str(r.url).endswith("/upload/"), f"consent: {r.status}"
        found = re.search(r'data-ticket="([^"]+)"', page)
        assert found, "no upload ticket on the upload page"
        meta = {"ticket": html.unescape(found.group(1)), "filetype": "video/mp4"}
        headers = {"Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
                   "Upload-Metadata": ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())}  # fmt: skip
        started = time.monotonic()
        async with http.post(f"{pages}/clips/tus/", headers=headers) as r:
            assert r.status == 201, f"tus create: {r.status}"
            location = r.headers["Location"]
        for offset in range(0, len(data), CHUNK_BYTES):
            chunk = data[offset : offset + CHUNK_BYTES]
            # The chunk crosses the student's connection into the proxy's buffer, then goes on whole.
            await asyncio.sleep(len(chunk) / UPLOAD_RATE)
            headers = {"Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
                       "Content-Type": "application/offset+octet-stream"}  # fmt: skip
            async with http.patch(location, data=chunk, headers=headers) as r:
                assert r.status == 204, f"tus chunk: {r.status} {await r.text()}"
        return len(data) / (time.monotonic() - started) / 1e6


def uploads(pages: str, links: list[tuple[str, str]], seconds: float, out: Any) -> None:
    """UPLOADS students at a time, a new one as soon as one finishes, until the time is up."""

    async def run() -> dict[str, Any]:
        data = os.urandom(UPLOAD_BYTES)
        speeds: list[float] = []
        errors: list[str] = []
        stop = time.monotonic() + seconds
        count = 0

        async def slot(i: int) -> None:
            nonlocal count
            while time.monotonic() < stop:
                count += 1
                n = count
                try:
                    speeds.append(await _student(n, pages, links[n % len(links)], data))
                except Exception as error:
                    errors.append(f"upload: {error!r}"[:200])
                    await asyncio.sleep(1)

        tasks = [asyncio.create_task(slot(i)) for i in range(UPLOADS)]
        await asyncio.sleep(seconds)
        for task in tasks:
            task.cancel()  # an upload still going at the end is not counted
        await asyncio.gather(*tasks, return_exceptions=True)
        return {"speeds": speeds, "errors": errors, "started": count, "cpu": time.process_time()}

    out.put(asyncio.run(run()))


# ---------------------------------------------------------------- the members


@dataclass
class Results:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    deliveries: list[float] = field(default_factory=list)
    sent: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (when, latency) of each page


async def mixed(pages: list[str], sockets: list[str], data: dict, seconds: float) -> tuple[Results, dict[str, Any]]:
    import aiohttp
    import websockets

    thread, cookies = data["thread"], data["cookies"]
    paths = {
        kind: f"/c/{COHORT}/" + path.format(theme=data["theme"], thread=thread) for kind, (_, path) in PAGES.items()
    }
    kinds, weights = list(PAGES), [share for share, _ in PAGES.values()]
    results = Results()
    stop = time.monotonic() + seconds

    async def watcher(i: int) -> None:
        base = sockets[i % len(sockets)]
        url = f"{base.replace('http', 'ws')}/ws/c/{COHORT}/threads/{thread}/"
        headers = {"Origin": base, "Cookie": cookies[i], "X-Forwarded-For": address(i)}
        try:
            async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
                await ws.send(json.dumps({"type": "resume", "seq": data["seq"]}))
                while time.monotonic() < stop + 5:
                    try:
                        message = await asyncio.wait_for(ws.recv(), 1)
                    except TimeoutError:
                        continue
                    now = time.monotonic()
                    for marker in re.findall(r"load-[0-9a-f]{12}", str(message)):
                        if marker in results.sent:
                            results.deliveries.append(now - results.sent[marker])
        except Exception as error:
            results.errors.append(f"websocket: {error!r}"[:200])

    async def member(i: int, http: aiohttp.ClientSession) -> None:
        server = pages[i % len(pages)]
        csrf = secrets.token_hex(16)  # the CSRF cookie the browser holds after its first page
        headers = {"Cookie": f"{cookies[i]}; csrftoken={csrf}", "X-Forwarded-For": address(i)}
        await asyncio.sleep(random.uniform(0, THINK_SECONDS[1]))  # people arrive over a while
        while time.monotonic() < stop:
            kind = random.choices(kinds, weights)[0]
            started = time.monotonic()
            try:
                async with http.get(server + paths[kind], headers=headers, allow_redirects=False) as r:
                    await r.read()
                    if r.status != 200:
                        results.errors.append(f"GET {kind}: {r.status}")
                results.latency[kind].append(time.monotonic() - started)
                results.timeline.append((started - stop + seconds, time.monotonic() - started))
                if kind == "thread" and random.random() < POST_CHANCE:
                    await asyncio.sleep(random.uniform(*THINK_SECONDS))  # writing the reply
                    marker = f"load-{uuid.uuid4().hex[:12]}"
                    form = {"body": f"Bench reply {marker}", "key": str(uuid.uuid4())}
                    started = results.sent[marker] = time.monotonic()
                    async with http.post(
                        server + f"{paths['thread']}posts/",
                        data=form,
                        allow_redirects=False,
                        headers={**headers, "X-CSRFToken": csrf, "HX-Request": "true"},
                    ) as r:
                        await r.read()
                        if r.status != 200:
                            results.errors.append(f"POST reply: {r.status}")
                    results.latency["post"].append(time.monotonic() - started)
            except Exception as error:
                results.errors.append(f"{kind}: {error!r}"[:200])
            await asyncio.sleep(random.uniform(*THINK_SECONDS))  # a person reads before the next click

    out: Any = multiprocessing.get_context("spawn").Queue()
    uploader = multiprocessing.get_context("spawn").Process(
        target=uploads, args=(pages[0], data["links"], seconds, out)
    )
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as http:
        watchers = [asyncio.create_task(watcher(i)) for i in range(WATCHERS)]
        await asyncio.sleep(2)
        uploader.start()
        await asyncio.gather(*(member(i, http) for i in range(MEMBERS)))
        await asyncio.gather(*watchers)
    upload_results = await asyncio.to_thread(out.get, True, 120)
    uploader.join(30)
    return results, upload_results


def cpu_wait_seconds(roots: list[int]) -> float:
    """Time the live threads of these processes have spent ready to run but waiting for a CPU: on
    a shared machine, the part of the latency that other people's work adds."""
    total = 0.0
    for pid in tree(roots)[0]:
        for schedstat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(schedstat.read_text().split()[1]) / 1e9
            except (OSError, IndexError, ValueError):
                continue
    return total


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pages", choices=["granian", "daphne"], default="granian", help="what serves pages")
    parser.add_argument("--blocking-threads", type=int, default=4, help="granian's threads per worker (Procfile: 4)")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="qm-load-"))
    (var / "seaweedfs").mkdir()
    try:
        seaweed, s3 = start_seaweed(var / "seaweedfs", volume_size_mb=1024)
    except SeaweedMissing as error:
        sys.exit(str(error))
    procs: list[subprocess.Popen] = [seaweed]
    keep = False
    try:
        env = server_env(s3, var)
        data = prepare(env)
        wsgi, asgi1, asgi2 = free_port(), free_port(), free_port()
        roles = {
            "granian": [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(wsgi),
                        "--workers", "2", "--blocking-threads", str(args.blocking_threads), "config.wsgi:application"],
            "daphne1": [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(asgi1), "config.asgi:application"],
            "daphne2": [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(asgi2), "config.asgi:application"],
            "worker": [str(BIN / "python"), "manage.py", "db_worker", "--no-reload", "--worker-id", "load-worker"],
        }  # fmt: skip
        for role, command in roles.items():
            with (var / f"{role}.log").open("wb") as log:
                procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
        for port, proc in zip((wsgi, asgi1, asgi2), procs[1:], strict=False):
            wait_for_port(port, proc)
        granian_url, daphnes = f"http://127.0.0.1:{wsgi}", [f"http://127.0.0.1:{p}" for p in (asgi1, asgi2)]

        print(f"Conditions: {os.cpu_count()} CPUs shared by every server, PostgreSQL, Redis, SeaweedFS and this")
        print(f"load generator; load average before: {load_average()}")
        page = f"/c/{COHORT}/discussions/themes/{data['theme']}/"
        cookie = data["cookies"][0]
        print(f"1. Server for pages: theme page, 20 concurrent clients, {ROUNDS} rounds of 6 s each, interleaved")
        granian_pid, daphne_pids = procs[1].pid, [procs[2].pid, procs[3].pid]
        candidates = {
            "granian WSGI, 2 workers": ([granian_url], [granian_pid]),
            "Daphne, 2 processes": (daphnes, daphne_pids),
        }
        rates: dict[str, list[float]] = defaultdict(list)
        costs: dict[str, list[float]] = defaultdict(list)
        failures: Counter = Counter()
        for _ in range(ROUNDS):  # the machine is shared: interleave, so that both meet the same noise
            for label, (bases, pids) in candidates.items():
                before = cpu_seconds(pids)
                rate, statuses = asyncio.run(rps(bases, page, cookie, seconds=6))
                rates[label].append(rate)
                costs[label].append((cpu_seconds(pids) - before) / (rate * 6) * 1000)
                failures.update({f"{label}: {status}": n for status, n in statuses.items()})
        for label in candidates:
            print(
                f"   {label:<24} median {statistics.median(rates[label]):6.1f} req/s "
                f"(rounds: {', '.join(f'{r:.0f}' for r in rates[label])}), "
                f"server CPU {statistics.median(costs[label]):5.1f} ms/request"
            )
        ratio = statistics.median(rates["Daphne, 2 processes"]) / statistics.median(rates["granian WSGI, 2 workers"])
        cost = statistics.median(costs["Daphne, 2 processes"]) / statistics.median(costs["granian WSGI, 2 workers"])
        print(f"   Daphne / granian: {ratio:.2f}× the requests per second, {cost:.2f}× the CPU per request")
        print(f"   errors: {sum(failures.values())} {dict(failures) or ''}")

        pages, page_pids = ([granian_url], [granian_pid]) if args.pages == "granian" else (daphnes, daphne_pids)
        topology_before, pages_before, own_before = (
            cpu_seconds([p.pid for p in procs]),
            cpu_seconds(page_pids),
            os.times(),
        )
        waited_before = cpu_wait_seconds(page_pids)
        results, sent = asyncio.run(mixed(pages, daphnes, data, args.seconds))
        topology_cpu = cpu_seconds([p.pid for p in procs]) - topology_before
        pages_cpu = cpu_seconds(page_pids) - pages_before
        pages_waited = cpu_wait_seconds(page_pids) - waited_before
        own_after = os.times()
        generator_cpu = own_after.user + own_after.system - own_before.user - own_before.system + sent["cpu"]
        served = sum(len(v) for k, v in results.latency.items() if k != "post")
        granian_threads = f" ({args.blocking_threads} threads per worker)" if args.pages == "granian" else ""
        print(
            f"2. Mixed load, {args.seconds:.0f} s, pages on {args.pages}{granian_threads}: {MEMBERS} members (a page every "
            f"{THINK_SECONDS[0]:.0f}-{THINK_SECONDS[1]:.0f} s), {WATCHERS} watching a thread, {UPLOADS} uploads in flight"
        )
        for kind, values in sorted(results.latency.items()):
            p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
            print(f"   {kind:<12} n={len(values):5d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        everything = [v for k, values in results.latency.items() if k != "post" for v in values]
        print(
            f"   all pages    n={served:5d}  p50 {percentile(everything, 50) * 1000:7.1f} ms  "
            f"p95 {percentile(everything, 95) * 1000:7.1f} ms  ({served / args.seconds:.1f} pages/s)"
        )
        buckets: dict[int, list[float]] = defaultdict(list)
        for when, latency in results.timeline:
            buckets[int(when // 10)].append(latency)
        print(
            "   page p95 per 10 s:",
            " ".join(f"{percentile(v, 95) * 1000:.0f}" for _, v in sorted(buckets.items())),
            "ms",
        )
        d50, d99 = percentile(results.deliveries, 50) * 1000, percentile(results.deliveries, 99) * 1000
        print(f"   posts {len(results.sent)}, deliveries {len(results.deliveries)}: p50 {d50:.0f} ms, p99 {d99:.0f} ms")
        speeds = sent["speeds"]
        mean = statistics.mean(speeds) if speeds else float("nan")
        print(
            f"   uploads: {len(speeds)} of {UPLOAD_BYTES // 2**20} MB done ({sent['started']} started), "
            f"mean {mean:.2f} MB/s each (paced at {UPLOAD_RATE / 1e6:.1f})"
        )
        errors = results.errors + sent["errors"]
        print(f"   errors: {len(errors)}")
        for line, count in Counter(errors).most_common(10):
            print(f"     {count} × {line}")
        print(
            f"   CPU: page server {pages_cpu / served * 1000:.1f} ms per page, and its threads waited "
            f"{pages_waited / served * 1000:.0f} ms per page for a CPU; all roles {topology_cpu:.0f} s, "
            f"load generator {generator_cpu:.0f} s, in {args.seconds:.0f} s on {os.cpu_count()} CPUs"
        )
        print(f"   load average after: {load_average()}")
        for role in roles:
            text = (var / f"{role}.log").read_text(errors="replace")
            if "Traceback" in text or " ERROR " in text:
                print(f"   {role} logged errors: {text.count('Traceback')} tracebacks (kept in {var})")
                keep = True
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not keep:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
