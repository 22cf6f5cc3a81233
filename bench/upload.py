"""Upload benchmark: a large file through real Daphne with a real tus client (tuspy).

    .venv/bin/python bench/upload.py [--size-mb 1024] [--chunk-mb 4]

Starts Daphne on a free port with a throw-away VAR_DIR (SQLite, media), opens a feedback call,
gives consent, uploads the file in tus chunks, then prints the server's peak RSS (VmHWM of the
Daphne process) and the throughput beside a plain file copy of the same file on the same disk.
Targets: server peak RSS < 150 MB; upload throughput >= half of the plain copy.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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
    clip, _ = services.give_consent(
        call.links.get(), question="Q?", share_with_institutions=False, may_quote=False, age_band="18+"
    )
    ticket = services.upload_ticket(clip)

    source = work / "source.bin"
    print(f"making a {args.size_mb} MB file…", flush=True)
    make_file(source, size)

    # A plain copy of the same file on the same disk, cold-ish (after the write above) and warm.
    copy_target = work / "copy.bin"
    started = time.perf_counter()
    shutil.copyfile(source, copy_target)
    with copy_target.open("rb+") as fh:
        os.fsync(fh.fileno())
    copy_seconds = time.perf_counter() - started
    copy_target.unlink()

    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
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
        import urllib.request

        urllib.request.urlopen(f"http://127.0.0.1:{port}/s/{call.links.get().token}/").read()
        idle = rss_mb(server.pid)
        from tusclient.client import TusClient

        uploader = TusClient(f"http://127.0.0.1:{port}/clips/tus/").uploader(
            file_path=str(source), chunk_size=args.chunk_mb * 1024 * 1024, metadata={"ticket": ticket}
        )
        started = time.perf_counter()
        uploader.upload()
        upload_seconds = time.perf_counter() - started
        peak = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    clip.refresh_from_db()
    stored = Path(env["VAR_DIR"]) / "media" / clip.original_name
    same = hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()
    mb = size / (1024 * 1024)
    print(f"file: {mb:.0f} MB in {args.chunk_mb} MB tus chunks; stored file identical: {same}; status {clip.status}")
    print(f"daphne RSS idle {idle:.0f} MB, peak {peak:.0f} MB (target < 150 MB)")
    print(f"plain copy: {copy_seconds:.1f} s = {mb / copy_seconds:.0f} MB/s")
    print(
        f"tus upload: {upload_seconds:.1f} s = {mb / upload_seconds:.0f} MB/s "
        f"({copy_seconds / upload_seconds:.2f}× the copy; target >= 0.5×)"
    )
    shutil.rmtree(work, ignore_errors=True)
    assert clip.status == Clip.Status.RECEIVED


if __name__ == "__main__":
    main()
