"""Upload benchmark: a large file through a real server with a real tus client (tuspy).

    .venv/bin/python bench/upload.py [--size-mb 1024] [--chunk-mb 4] [--server daphne|granian|both]

Starts the server on a free port with a throw-away VAR_DIR (SQLite, media): Daphne (what `make run`
serves) and/or granian in WSGI mode (what serves plain HTTP, tus chunks included, in the production
topology: see Procfile and deploy/nginx.conf). Opens a feedback call, gives consent, uploads the file
in tus chunks, then prints the server's peak RSS (the largest VmHWM among the server's processes)
and the throughput beside a plain file copy of the same file on the same disk, measured just
before. Targets: server peak RSS < 150 MB; upload throughput >= half of the plain copy.

Then the same client and chunks go to a bare tus receiver on the same server (bench/bare_tus.py: no
Django, no database, each body piece written as it is handed over): the server's own ceiling, which
says how much of the gap to the plain copy is the product's and how much the server's.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.procs import cpu_seconds, process_tree  # noqa: E402
from tests.local_servers import free_port  # noqa: E402


def status_mb(pid: int, field: str) -> float:
    """A memory figure of /proc/PID/status (VmRSS: now, VmHWM: the peak) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tree_mb(pid: int, field: str) -> float:
    """The largest figure among the server's processes."""
    return max(status_mb(p, field) for p in process_tree(pid))


# Each server with the product (app=None) or the bare tus receiver of bench/bare_tus.py (app="bare").
SERVERS = {
    "daphne": lambda port, app=None: [
        str(ROOT / ".venv/bin/daphne"),
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "bench.bare_tus:asgi" if app else "config.asgi:application",
    ],
    "granian": lambda port, app=None: [
        str(ROOT / ".venv/bin/granian"),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--blocking-threads",
        "2",
        "bench.bare_tus:wsgi" if app else "config.wsgi:application",
    ],
}


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as fh:
        for _ in range(size // len(block)):
            fh.write(block)
        fh.write(block[: size % len(block)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--chunk-mb", type=int, default=4)
    parser.add_argument("--server", choices=["daphne", "granian", "both"], default="both")
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024

    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    env = {
        **os.environ,
        "DEBUG": "1",
        "VAR_DIR": str(work / "var"),
        "DATABASE_URL": "",
        "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "CLIP_UPLOAD_CHUNK_BYTES": str(args.chunk_mb * 1024 * 1024),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from cohort.models import Cohort, FrameworkVersion, Institution, Membership, Participation, Role, User
    from media_feedback import services
    from media_feedback.models import Clip

    framework = FrameworkVersion.objects.first() or FrameworkVersion.objects.create(name="Bench", version="1")
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        name="Bench", slug="bench", framework=framework, starts_on=today, ends_on=today + timedelta(days=365)
    )
    inst = Institution.objects.create(name="Bench University", short_name="Bench", slug="bench")
    Participation.objects.create(cohort=cohort, institution=inst)
    user = User.objects.create_user(email="fac@bench.example", password="x" * 12, display_name="Fac")
    membership = Membership.objects.create(user=user, cohort=cohort, role=Role.FACILITATOR)
    call = services.open_call(
        membership,
        title="Bench",
        questions="Q?",
        areas=[],
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=1),
        max_bytes=size + 1,
    )
    source = work / "source.bin"
    print(f"making a {args.size_mb} MB file…", flush=True)
    make_file(source, size)
    source_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    mb = size / (1024 * 1024)
    print(f"file: {mb:.0f} MB in {args.chunk_mb} MB tus chunks")
    servers = ["daphne", "granian"] if args.server == "both" else [args.server]
    failures = []
    for name in servers:
        copy_seconds = plain_copy(source, work / "copy.bin")
        clip, _ = services.give_consent(
            call.links.get(), question="Q?", share_with_institutions=False, may_quote=False, age_band="18+"
        )
        seconds, idle, peak, cpu = upload_through(name, env, source, args.chunk_mb, call=call, clip=clip)
        clip.refresh_from_db()
        stored = Path(env["VAR_DIR"]) / "media" / clip.original_name
        same = stored.is_file() and hashlib.sha256(stored.read_bytes()).hexdigest() == source_hash
        print(
            f"{name:8s} RSS idle {idle:.0f} MB, peak {peak:.0f} MB (target < 150 MB); "
            f"plain copy {mb / copy_seconds:.0f} MB/s; tus upload {seconds:.1f} s = {mb / seconds:.0f} MB/s "
            f"= {copy_seconds / seconds:.2f}× the copy (target >= 0.5×); stored file identical: {same}; "
            f"CPU s: server {cpu[0]:.1f}, client {cpu[1]:.1f}",
            flush=True,
        )
        if not same or clip.status != Clip.Status.RECEIVED:
            failures.append(name)
        stored.unlink(missing_ok=True)
        # The server's own ceiling: the same client and chunks into a receiver with no framework.
        bare_seconds, _, _, bare_cpu = upload_through(name, {**env, "BARE_TUS_DIR": str(work)}, source, args.chunk_mb)
        (work / "bare-upload.bin").unlink(missing_ok=True)
        print(
            f"{'':8s} bare tus receiver on {name}: {bare_seconds:.1f} s = {mb / bare_seconds:.0f} MB/s "
            f"= {copy_seconds / bare_seconds:.2f}× the copy; the product reaches "
            f"{bare_seconds / seconds:.0%} of it; CPU s: server {bare_cpu[0]:.1f}, client {bare_cpu[1]:.1f}",
            flush=True,
        )
    shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit(f"upload failed through {', '.join(failures)}")


def plain_copy(source: Path, target: Path) -> float:
    """A plain copy of the same file on the same disk, flushed to it."""
    os.sync()  # each figure starts with nothing left to write from the one before
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with target.open("rb+") as fh:
        os.fsync(fh.fileno())
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def upload_through(name: str, env: dict, source: Path, chunk_mb: int, call: Any = None, clip: Any = None) -> tuple:
    """Start the server and upload the file with tuspy: into the product (a call and a consented
    clip given) or into the bare receiver. Returns (seconds, idle RSS MB, peak RSS MB,
    (server CPU s, client CPU s))."""
    import urllib.request

    from tusclient.client import TusClient

    from media_feedback import services

    port = free_port()
    server = subprocess.Popen(
        SERVERS[name](port, None if call else "bare"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        # Warm up (imports, first database connection) so the figure is the steady upload rate.
        warm_up = f"/s/{call.links.get().token}/" if call else "/"
        for _ in range(3):
            urllib.request.urlopen(f"http://127.0.0.1:{port}{warm_up}").read()
        idle = tree_mb(server.pid, "VmRSS")
        metadata = {"ticket": services.upload_ticket(clip)} if clip else {}
        uploader = TusClient(f"http://127.0.0.1:{port}/clips/tus/" if call else f"http://127.0.0.1:{port}/").uploader(
            file_path=str(source), chunk_size=chunk_mb * 1024 * 1024, metadata=metadata
        )
        os.sync()
        cpu_before = cpu_seconds([server.pid]), time.process_time()
        started = time.perf_counter()
        uploader.upload()
        seconds = time.perf_counter() - started
        cpu = cpu_seconds([server.pid]) - cpu_before[0], time.process_time() - cpu_before[1]
        peak = tree_mb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return seconds, idle, peak, cpu


if __name__ == "__main__":
    main()
