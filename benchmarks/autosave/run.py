"""Autosave latency: N concurrent editors on PostgreSQL behind gunicorn.

Each editor is a PCT staff user with a signed-in session, saving one competency of their
PCT's self-assessment as htmx does (``HX-Request``, the version it holds, growing text),
in a closed loop with an optional think time. Pairs of editors share a PCT (different
competencies), so the row lock on the self-assessment is contended as it is in real use.
Reports p50/p95/p99 latency, throughput and errors (non-200, or an answer that is not
"Saved at", e.g. a conflict). See README.md for the command.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.gunicorn import serve  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")

VERSION = re.compile(r'id="c(\d+)-version" value="(\d+)"')


def prepare(editors: int) -> list[tuple[str, str, str, int]]:
    """Reference data, a 2009/10 cycle in phase 1, and a session per editor (no passwords)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from assurance import models as m
    from assurance.services import cycles
    from assurance.services.reference import load_reference_data

    load_reference_data()
    dh, _ = m.User.objects.get_or_create(
        email="bench.dh@example.nhs.uk", defaults={"full_name": "Bench DH", "role": m.Role.DH_STAFF}
    )
    cycle = m.Cycle.objects.filter(year_label="2009/10").first()
    if cycle is None:
        import datetime as dt

        dates = {
            1: (dt.date(2009, 9, 16), dt.date(2009, 12, 31)),
            2: (dt.date(2010, 1, 1), dt.date(2010, 3, 31)),
            3: (dt.date(2010, 4, 1), dt.date(2010, 5, 21)),
            4: (dt.date(2010, 6, 1), dt.date(2010, 7, 15)),
            5: (dt.date(2010, 7, 16), dt.date(2010, 7, 31)),
        }
        cycle = cycles.create_cycle(
            dh,
            year_label="2009/10",
            framework=m.Framework.objects.get(year_label="2009/10"),
            phase_dates=dates,
        )
        cycles.open_phase(dh, cycle.phases.get(kind=1))
    # Fresh self-assessments each run, so versions start at 0.
    m.SelfAssessment.objects.filter(cycle=cycle).delete()
    pcts = list(m.PCT.objects.order_by("code")[: (editors + 1) // 2])
    out = []
    for i in range(editors):
        pct = pcts[i // 2]
        user, _ = m.User.objects.get_or_create(
            email=f"bench.editor{i}@example.nhs.uk",
            defaults={"full_name": f"Editor {i}", "role": m.Role.PCT_STAFF, "pct": pct},
        )
        if user.pct_id != pct.pk:
            user.pct = pct
            user.save()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        competency = 1 + (i % 2) * 5 + (i // 2) % 5  # 1–5 or 6–10: pairs never share one
        out.append((session.session_key, pct.code, secrets.token_hex(16), competency))
    return out


def editor(host, port, session_key, pct, csrf, number, stop, results, think):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    path = f"/self-assessment/2009-10/{pct}/competencies/{number}/"
    headers = {
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://{host}:{port}{path}",
    }
    version, words = 0, []
    from urllib.parse import urlencode

    while not stop.is_set():
        words.append(f"word{len(words)}")
        body = urlencode(
            {
                "slot": f"c{number}",
                f"c{number}-version": version,
                f"c{number}-level": 1 + len(words) % 4,
                f"c{number}-evidence": " ".join(words[-400:]),
            }
        )
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            elapsed = time.perf_counter() - started
            ok = response.status == 200 and "Saved at" in text
            match = VERSION.search(text)
            if match:
                version = int(match.group(2))
            results.append((elapsed, ok, response.status, started))
        except (OSError, http.client.HTTPException):
            results.append((time.perf_counter() - started, False, 0, started))
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        if think:
            time.sleep(think)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.0, help="pause between saves (s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of saves left out (workers warming up)"
    )
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see README.md).")

    # Sessions are signed with SECRET_KEY: the same key here and in gunicorn.
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    sessions = prepare(args.editors)
    with serve(args.port, workers=args.workers, threads=args.threads):
        stop, results = threading.Event(), []
        began = time.perf_counter()
        threads = [
            threading.Thread(
                target=editor,
                args=("127.0.0.1", args.port, key, pct, csrf, number, stop, results, args.think),
            )
            for key, pct, csrf, number in sessions
        ]
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()

    warm = [r for r in results if r[3] >= began + args.warmup]
    errors = [r for r in results if not r[1]]  # errors count over the whole run
    times = sorted(r[0] * 1000 for r in warm)
    measured = args.seconds - args.warmup
    q = statistics.quantiles(times, n=100)
    print(
        f"{args.editors} editors, {measured:.0f} s measured after {args.warmup:.0f} s warm-up, "
        f"think {args.think} s, gunicorn {args.workers}×{args.threads}: "
        f"{len(times)} saves ({len(times) / measured:.0f}/s), "
        f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms, max {times[-1]:.0f} ms, "
        f"errors {len(errors)} ({', '.join(sorted({str(e[2]) for e in errors})) or 'none'})"
    )


if __name__ == "__main__":
    main()
