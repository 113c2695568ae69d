"""Mixed load (issue 7 §5): PCT editors autosaving, assessors scoring and public readers of
the league table, all at once, against gunicorn + PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_load \\
        uv run python benchmarks/load/mixed_load.py --editors 150 --assessors 30 --readers 100 --seconds 60

Set-up (idempotent, in this process): reference data; cycle 2041/42 in phase 1 with one
editor per PCT; cycle 2040/41 in phase 3 with every PCT submitted, one panel day per SHA
whose three assessors score its PCTs; cycle 2039/40 published for real (WeasyPrint, eager
tasks) for the readers. Sessions are created directly (no passwords) and sent as cookies.

Load: each virtual user runs a closed loop with no think time, over keep-alive HTTP.
- editor: POST an htmx autosave of a competency of its PCT, carrying the version it holds;
- assessor: POST a whole score sheet (11 competencies + 3 governance areas) for a PCT;
- reader: GET the league table.
Reports p50/p99 per action and errors, then checks that the saved edits in the database
(the sum of the ratings' versions in cycle 2041/42) equal the number acknowledged.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.gunicorn import serve  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
# As benchmarks/gunicorn.py serves: DEBUG is off by default now, and the PDFs rendered here
# would otherwise need a collectstatic manifest.
os.environ.setdefault("WCC_PLAIN_STATIC", "1")

VERSION = re.compile(r'id="c(\d+)-version" value="(\d+)"')
EDIT_CYCLE, SCORE_CYCLE, READ_CYCLE = "2041/42", "2040/41", "2039/40"


def _session_for(user) -> str:  # type: ignore[no-untyped-def]
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def prepare(editors: int, assessors_per_sha: int) -> dict:
    import datetime as dt

    import django

    django.setup()
    from django.db import transaction

    from assurance import models as m
    from assurance.services import publication as publishing
    from assurance.services.reference import load_reference_data
    from tests.assurance.publication_factories import give_everyone_results, publishing_cycle
    from tests.factories import CycleFactory
    from wcc.celery import app

    load_reference_data()
    pcts = list(m.PCT.objects.select_related("sha").order_by("code"))
    dh, _ = m.User.objects.get_or_create(
        email="load.dh@example.nhs.uk", defaults={"full_name": "Load DH", "role": m.Role.DH_STAFF}
    )

    # Readers: a real, complete publication (rendered once, then reused).
    read_cycle = m.Cycle.objects.filter(year_label=READ_CYCLE).first()
    publication = None
    if read_cycle:
        publication = read_cycle.publications.filter(status=m.PublicationStatus.COMPLETE).first()
    if publication is None:
        print("  publishing the readers' cycle (renders 153 PDFs once)…", flush=True)
        with transaction.atomic():
            read_cycle = read_cycle or publishing_cycle(READ_CYCLE)
            if not read_cycle.self_assessments.exists():
                give_everyone_results(read_cycle)
        app.conf.task_always_eager = True
        publication, _ = publishing.start_publication(read_cycle, dh)
        publication.refresh_from_db()
        assert publication.status == m.PublicationStatus.COMPLETE, publication.status

    with transaction.atomic():
        # Editors: fresh drafts each run, so versions start at 0.
        edit_cycle = m.Cycle.objects.filter(year_label=EDIT_CYCLE).first() or CycleFactory(
            year_label=EDIT_CYCLE, open_phase=1
        )
        m.SelfAssessment.objects.filter(cycle=edit_cycle).delete()
        m.AuditEntry.objects.filter(cycle=edit_cycle).delete()
        editor_sessions = []
        # One editor per PCT; past the last PCT, round again (open_loop.py gives editors who
        # share a PCT different competencies).
        for i in range(editors):
            pct = pcts[i % len(pcts)]
            user, _ = m.User.objects.get_or_create(
                email=f"load.editor{i}@example.nhs.uk",
                defaults={"full_name": f"Editor {i}", "role": m.Role.PCT_STAFF, "pct": pct},
            )
            editor_sessions.append((_session_for(user), pct.code))

        # Assessors: every PCT submitted, one panel day per SHA with all its PCTs in slots.
        score_cycle = m.Cycle.objects.filter(year_label=SCORE_CYCLE).first()
        if score_cycle is None:
            score_cycle = CycleFactory(year_label=SCORE_CYCLE, open_phase=3)
            m.SelfAssessment.objects.bulk_create(
                m.SelfAssessment(cycle=score_cycle, pct=p, status=m.SelfAssessmentStatus.SUBMITTED)
                for p in pcts
            )
        m.ScoreSheet.objects.filter(self_assessment__cycle=score_cycle).delete()
        assessments = {
            sa.pct_id: sa.pk for sa in m.SelfAssessment.objects.filter(cycle=score_cycle)
        }
        assessor_sessions = []
        by_sha = defaultdict(list)
        for pct in pcts:
            by_sha[pct.sha].append(pct)
        for sha, sha_pcts in sorted(by_sha.items(), key=lambda kv: kv[0].code):
            members = []
            for j in range(assessors_per_sha):
                user, _ = m.User.objects.get_or_create(
                    email=f"load.assessor{j}.{sha.code.lower()}@example.nhs.uk",
                    defaults={
                        "full_name": f"Assessor {j} {sha.name}",
                        "role": m.Role.SHA_ASSESSOR,
                        "sha": sha,
                    },
                )
                members.append(user)
            day = m.PanelDay.objects.filter(cycle=score_cycle, sha=sha).first()
            if day is None:
                day = m.PanelDay.objects.create(
                    cycle=score_cycle, sha=sha, date=dt.date(2041, 4, 20), venue="Load test"
                )
                m.PanelSlot.objects.bulk_create(
                    m.PanelSlot(
                        panel_day=day,
                        pct=p,
                        starts_at=dt.time(8 + (k * 10) // 60, (k * 10) % 60),
                        ends_at=dt.time(8 + (k * 10 + 10) // 60, (k * 10 + 10) % 60),
                    )
                    for k, p in enumerate(sha_pcts)
                )
            day.members.set(members)
            for user in members:
                assessor_sessions.append(
                    (_session_for(user), [assessments[p.pk] for p in sha_pcts])
                )
        framework = score_cycle.framework
        fields = [f"competency_{c.pk}" for c in framework.competencies.order_by("number")]
        fields += ["governance_strategy", "governance_finance", "governance_board"]
    return {
        "editors": editor_sessions,
        "assessors": assessor_sessions,
        "score_fields": fields,
        "publication": publication.pk,
        "edit_cycle": edit_cycle.pk,
        "competencies": framework.competencies.count(),
    }


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.acknowledged = 0

    def add(self, action: str, elapsed: float, error: str | None = None) -> None:
        with self.lock:
            self.samples[action].append(elapsed)
            if error:
                self.errors[action].append(error)


def _connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def _request(conn, method, path, body, headers):  # type: ignore[no-untyped-def]
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read().decode()


def _headers(session_key: str, csrf: str, port: int, path: str) -> dict[str, str]:
    return {
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}{path}",
    }


def run_editor(port, session_key, pct, competencies, stop, rec, seed):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    conn, csrf = _connection(port), secrets.token_hex(16)
    versions: dict[int, int] = defaultdict(int)
    words: dict[int, list[str]] = defaultdict(list)
    while not stop.is_set():
        number = rng.randint(1, competencies)
        path = f"/self-assessment/{EDIT_CYCLE.replace('/', '-')}/{pct}/competencies/{number}/"
        words[number].append(f"w{len(words[number])}")
        body = urlencode(
            {
                "slot": f"c{number}",
                f"c{number}-version": versions[number],
                f"c{number}-level": rng.randint(1, 4),
                f"c{number}-evidence": " ".join(words[number][-300:]),
            }
        )
        headers = {**_headers(session_key, csrf, port, path), "HX-Request": "true"}
        started = time.perf_counter()
        try:
            status, text = _request(conn, "POST", path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            rec.add("autosave", time.perf_counter() - started, repr(exc))
            conn.close()
            conn = _connection(port)
            continue
        elapsed = time.perf_counter() - started
        saved = status == 200 and "Saved at" in text
        match = VERSION.search(text)
        if match:
            versions[number] = int(match.group(2))
        if saved:
            with rec.lock:
                rec.acknowledged += 1
        rec.add("autosave", elapsed, None if saved else f"{status}: {text[:120]!r}")


def run_assessor(port, session_key, assessments, fields, stop, rec, seed):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    conn, csrf = _connection(port), secrets.token_hex(16)
    while not stop.is_set():
        pk = rng.choice(assessments)
        path = f"/panels/scores/{pk}/"
        data = {}
        for field in fields:
            if field.startswith("governance"):
                data[f"{field}__value"] = rng.choice(["red", "amber", "green"])
            else:
                data[f"{field}__value"] = str(rng.randint(1, 4))
            data[f"{field}__rationale"] = "Confirmed at the panel"
        started = time.perf_counter()
        try:
            status, _text = _request(
                conn, "POST", path, urlencode(data), _headers(session_key, csrf, port, path)
            )
        except (OSError, http.client.HTTPException) as exc:
            rec.add("score sheet", time.perf_counter() - started, repr(exc))
            conn.close()
            conn = _connection(port)
            continue
        ok = status == 302  # saved: redirect back to the sheet
        rec.add("score sheet", time.perf_counter() - started, None if ok else f"{status}")


def run_reader(port, publication, stop, rec):  # type: ignore[no-untyped-def]
    conn = _connection(port)
    path = f"/results/{publication}/"
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status, text = _request(conn, "GET", path, None, {})
        except (OSError, http.client.HTTPException) as exc:
            rec.add("league table", time.perf_counter() - started, repr(exc))
            conn.close()
            conn = _connection(port)
            continue
        ok = status == 200 and "Camden" in text
        rec.add("league table", time.perf_counter() - started, None if ok else f"{status}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=150)
    parser.add_argument("--assessors", type=int, default=30, help="a multiple of 10 (per SHA)")
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8794)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")

    world = prepare(args.editors, max(1, args.assessors // 10))
    with serve(args.port, workers=args.workers, threads=args.threads):
        stop, rec = threading.Event(), Recorder()
        threads = [
            threading.Thread(
                target=run_editor, args=(args.port, s, pct, world["competencies"], stop, rec, i)
            )
            for i, (s, pct) in enumerate(world["editors"])
        ]
        threads += [
            threading.Thread(
                target=run_assessor, args=(args.port, s, sas, world["score_fields"], stop, rec, i)
            )
            for i, (s, sas) in enumerate(world["assessors"][: args.assessors])
        ]
        threads += [
            threading.Thread(target=run_reader, args=(args.port, world["publication"], stop, rec))
            for _ in range(args.readers)
        ]
        print(f"  {len(threads)} virtual users for {args.seconds:.0f} s…", flush=True)
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(timeout=90)

    from django.db.models import Sum

    from assurance.models import CompetencyRating

    # Each acknowledged save changes the evidence, so it creates a rating at version 1 or
    # bumps its version by one: the versions add up to the saves the database holds.
    saved = (
        CompetencyRating.objects.filter(self_assessment__cycle_id=world["edit_cycle"]).aggregate(
            total=Sum("version")
        )["total"]
        or 0
    )
    figures = {"duration_s": args.seconds, "virtual_users": len(threads), "actions": {}}
    print(f"\n{'action':<14}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}")
    for action, values in sorted(rec.samples.items()):
        p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
        errors = len(rec.errors[action])
        rate = len(values) / args.seconds
        figures["actions"][action] = {
            "requests": len(values),
            "errors": errors,
            "p50_ms": round(p50, 1),
            "p99_ms": round(p99, 1),
            "per_s": round(rate, 1),
            "mean_ms": round(statistics.mean(values) * 1000, 1),
        }
        print(f"{action:<14}{len(values):>10}{errors:>8}{p50:>9.0f}{p99:>9.0f}{rate:>8.1f}")
        for sample in rec.errors[action][:3]:
            print(f"    e.g. {sample}")
    figures["acknowledged_autosaves"] = rec.acknowledged
    figures["saved_autosaves_in_db"] = saved
    print(
        f"\nautosaves acknowledged: {rec.acknowledged}; saved edits in the database: {saved}"
        f" -> {'EQUAL' if saved == rec.acknowledged else 'MISMATCH'}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if saved != rec.acknowledged or any(rec.errors.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
