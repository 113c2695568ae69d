"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The development server: DEBUG is off unless set, and production needs a SECRET_KEY.
os.environ.setdefault("DEBUG", "1")
PORT = os.environ.get("PORT", "8000")

COMMANDS = {
    "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}"],
    "worker": [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "wcc",
        "worker",
        "-l",
        "info",
        "--concurrency",
        os.environ.get("CELERY_CONCURRENCY", "2"),
    ],
    "beat": [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "wcc",
        "beat",
        "-l",
        "info",
        "-s",
        str(ROOT / "var" / "celerybeat-schedule"),
    ],
}


def _wait_for_web(seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", int(PORT))) == 0:
                return
        time.sleep(0.3)


def main() -> int:
    processes = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in COMMANDS.items()}
    # Last, after the servers' banners: where the site is and who to sign in as.
    _wait_for_web()
    time.sleep(1.5)  # the worker's and beat's banners
    subprocess.run([sys.executable, "manage.py", "demo_logins"], cwd=ROOT, check=False)
    print(f"\nWCC Assurance: http://127.0.0.1:{PORT}/  (Ctrl-C stops web, worker and beat)\n")

    def stop(*_: object) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} exited with {process.returncode}; stopping the others.")
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return max((p.returncode or 0) for p in processes.values())


if __name__ == "__main__":
    raise SystemExit(main())
