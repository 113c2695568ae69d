"""gunicorn for the benchmarks and drills: the production server, DEBUG off, on localhost.

    with serve(8793, workers=2, threads=4):
        ...  # drive http://127.0.0.1:8793/

Starts ``wcc.wsgi`` in its own process group with the settings a plain-HTTP localhost run
needs, waits until it answers, and stops the whole group on the way out.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def serve(
    port: int,
    *,
    workers: int,
    threads: int = 1,
    log_level: str = "warning",
    preload: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "WCC_PLAIN_STATIC": "1",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": log_level.upper(),
    }
    # More than one thread: gunicorn runs its gthread worker; one: the sync worker.
    command = [sys.executable, "-m", "gunicorn", "wcc.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--threads", str(threads), "--log-level", log_level]
    if preload:
        # Import the app once, before forking: on two busy cores four workers each importing
        # Django and WeasyPrint took over a minute before the first answer.
        command.append("--preload")
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        # Ready when the application answers, not merely when the port accepts.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and server.poll() is None:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                probe.request("GET", "/")
                probe.getresponse().read()
                probe.close()
                break
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
        yield server
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
