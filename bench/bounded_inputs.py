"""Bounded inputs (#17, findings 3 and 8): a server's memory while it refuses what it must not take in.

    .venv/bin/python bench/bounded_inputs.py [--server granian|daphne|both] [--project DIR]

Starts each server on a free port with a throw-away VAR_DIR (SQLite, media) — granian in WSGI mode with
one worker (the Procfile's `web`) and Daphne as `make run` and the Procfile's `ws` start it
(`python -m config.serve`; plain `daphne` for a checkout without it) — signs a
member in, warms the server up with a real .odt evidence upload, then sends:

- a zip bomb: an .odt of 0.5 MB whose `mimetype` entry inflates to 500 MB (target: refused, and the
  server's peak RSS grows by at most 50 MB);
- a 60 MB evidence upload (over the 20 MB limit; target: refused with 413 before the body is read).

Prints, for each, the answer and the growth of the largest peak RSS (VmHWM) among the server's
processes over its value after the warm-up. `--project` serves another checkout (e.g. one of main
before the fix) with the same client, for a before/after figure.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.upload import tree_mb  # noqa: E402
from tests.local_servers import free_port  # noqa: E402

CSRF = "b" * 32  # a CSRF secret of the form Django accepts, sent as cookie and header alike


def server_command(name: str, port: int, project: str) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if name == "granian":
        return [str(bin_dir / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--blocking-threads", "2", "config.wsgi:application"]  # fmt: skip
    if name == "daphne" and (Path(project) / "config" / "serve.py").exists():  # Daphne as `make run` starts it
        return [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    return [str(bin_dir / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "benchboundary7c1"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post(port: int, path: str, cookie: str, body: bytes, content_type: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.putrequest("POST", path, skip_host=True)
        for name, value in {"Host": "127.0.0.1", "Cookie": cookie, "X-CSRFToken": CSRF, "Content-Type": content_type,
                            "Content-Length": str(len(body)), "Referer": f"http://127.0.0.1:{port}/"}.items():  # fmt: skip
            conn.putheader(name, value)
        conn.endheaders()
        try:
            for at in range(0, len(body), 1024 * 1024):
                conn.send(body[at : at + 1024 * 1024])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the whole body went: what a cap does
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")[:4000].replace("\n", " ")
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", choices=["granian", "daphne", "both"], default="both")
    parser.add_argument("--project", default=str(ROOT), help="the checkout the servers serve")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-bounded-"))
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(work / "var"), "DATABASE_URL": "", "REDIS_URL": "",
           "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend", "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "config.settings", "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECRET_KEY": "bench-" + "k" * 50}  # fmt: skip
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from cohort.models import Role
    from tests.cohort.assessment.factories import criterion, odt_bomb
    from tests.factories import join, make_cohort, make_institution, make_user, member

    call_command("migrate", verbosity=0)
    cohort = make_cohort("Bench cohort", slug="gm")
    irwell = make_institution("University of Irwell Valley", "Irwell")
    join(cohort, irwell)
    alice = make_user("Alice")
    member(alice, cohort, Role.MEMBER, irwell)
    client = Client()
    client.force_login(alice)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; csrftoken={CSRF}"
    path = reverse(
        "cohort:add_evidence",
        kwargs={"cohort": "gm", "institution": "irwell", "criterion_id": criterion(cohort, "1.1").pk},
    )
    fields = {"title": "Policy", "dated": "2025-09-01"}
    good = multipart(fields, "policy.odt", odt_bomb(0, entries=3))
    bomb = multipart(fields, "report.odt", odt_bomb(500 * 1024 * 1024))
    big = multipart(fields, "recording.pdf", b"%PDF-1.4\n" + os.urandom(60 * 1024 * 1024))
    print(f"serving {args.project}; zip bomb {len(bomb[0]) / 1024**2:.1f} MB on the wire, inflating to 500 MB")
    probes = (("zip bomb (.odt, 500 MB inflated)", bomb), ("60 MB evidence upload", big))
    for name in ["granian", "daphne"] if args.server == "both" else [args.server]:
        for label, (body, content_type) in probes:  # a fresh server each: VmHWM only ever rises
            port = free_port()
            server = subprocess.Popen(server_command(name, port, args.project), cwd=args.project, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            try:
                for _ in range(150):
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                        break
                    except OSError:
                        time.sleep(0.2)
                for _ in range(2):
                    status, text = post(port, path, cookie, *good)
                assert status == 302, f"the warm-up upload answered {status}: {text}"
                before = tree_mb(server.pid, "VmHWM")
                started = time.perf_counter()
                status, text = post(port, path, cookie, body, content_type)
                seconds = time.perf_counter() - started
                growth = tree_mb(server.pid, "VmHWM") - before
                refused = "refused" if status in (400, 413) else "NOT refused"
                print(f"{name:8s} {label}: {status} ({refused}) in {seconds:.1f} s; peak RSS {before:.0f} MB "
                      f"+{growth:.0f} MB (target <= +50 MB); answer: {text[:90]!r}", flush=True)  # fmt: skip
            finally:
                server.terminate()
                server.wait(timeout=10)


if __name__ == "__main__":
    main()
