"""Fault drills (issue 7 §6), each ending in a checked state.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_faults \\
        uv run python benchmarks/faults/run_faults.py [redis-restart] [worker-kill] [db-drop]

- redis-restart: a publication of 152 PCTs is rendering on a real Celery worker (2 processes)
  when Redis is shut down and started again (append-only file on, as in docker-compose.yml).
- worker-kill: the worker is killed (SIGKILL, no warm shutdown) half-way through the PDFs and
  a new one started; beat's ``resume_publications`` picks up what the dead worker held.
- db-drop: an editor autosaves through gunicorn while every server connection to the
  database is terminated every 1.5 s (``pg_terminate_backend``); the client keeps its text and
  sends it again on failure, as the page does on the next keystroke.

Checks: the publication ends complete with exactly 152 results and 153 documents, each with
a file and its SHA-256, one version only; every acknowledged autosave is in the database,
and the database holds nothing that was not sent. A private Redis on port 6380 is used so a
restart disturbs nobody else.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.gunicorn import serve  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")
os.environ.setdefault("SECRET_KEY", "fault-drill-only-" + "x" * 40)
REDIS_PORT = 6380
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = "fault-drill"
os.environ["PUBLICATION_STALE_SECONDS"] = "15"
MEDIA = Path(tempfile.mkdtemp(prefix="wcc-faults-media-"))
os.environ["MEDIA_ROOT"] = str(MEDIA)
REDIS_DIR = Path(tempfile.mkdtemp(prefix="wcc-faults-redis-"))

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from assurance import models as m  # noqa: E402
from assurance.services.reference import load_reference_data  # noqa: E402


def start_redis() -> None:
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(REDIS_DIR),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        if (
            subprocess.run(
                ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
            ).stdout.strip()
            == "PONG"
        ):
            return
        time.sleep(0.1)
    raise RuntimeError("private Redis did not start")


def stop_redis() -> None:
    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown"], capture_output=True)
    time.sleep(0.5)


def start_celery(kind: str) -> subprocess.Popen:
    args = (
        ["worker", "-P", "prefork", "-c", "2", "-Q", "fault-drill", "-l", "warning"]
        if kind == "worker"
        else ["beat", "-l", "warning", "-s", str(REDIS_DIR / "beat-schedule")]
    )
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wcc", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )


def kill(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass


def dh_user() -> m.User:
    return m.User.objects.get_or_create(
        email="faults.dh@example.nhs.uk",
        defaults={"full_name": "Drill DH", "role": m.Role.DH_STAFF},
    )[0]


def fresh_publishing_cycle(label: str) -> m.Cycle:
    from tests.assurance.publication_factories import give_everyone_results, publishing_cycle

    with transaction.atomic():
        old = m.Cycle.objects.filter(year_label=label).first()
        if old:
            for publication in old.publications.all():
                publication.documents.all().delete()
                publication.results.all().delete()
            old.publications.all().delete()
            m.Consensus.objects.filter(self_assessment__cycle=old).delete()
            old.self_assessments.all().delete()
            old.delete()
        cycle = publishing_cycle(label)
        give_everyone_results(cycle)
    return cycle


def done_documents(publication_id: int) -> int:
    return m.PublishedDocument.objects.filter(
        publication_id=publication_id, status=m.DocumentStatus.DONE
    ).count()


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def check_publication(cycle: m.Cycle) -> str:
    import hashlib

    publications = list(cycle.publications.all())
    assert len(publications) == 1, f"{len(publications)} publications: expected exactly one"
    publication = publications[0]
    assert publication.status == m.PublicationStatus.COMPLETE, publication.status
    assert publication.results.count() == 152
    documents = list(publication.documents.all())
    assert len(documents) == 153, f"{len(documents)} documents"
    for document in documents:
        assert document.status == m.DocumentStatus.DONE
        data = Path(document.file.path).read_bytes()
        assert data.startswith(b"%PDF"), document.file.name
        assert hashlib.sha256(data).hexdigest() == document.sha256
    return "complete: 152 results, 153 PDFs with matching SHA-256, 1 version"


def publish_with_fault(label: str, fault) -> str:  # type: ignore[no-untyped-def]
    from assurance.services import publication as publishing
    from wcc.celery import app

    app.conf.task_always_eager = False
    cycle = fresh_publishing_cycle(label)
    worker, beat = start_celery("worker"), start_celery("beat")
    processes = [worker, beat]
    try:
        started = time.monotonic()
        publication, _ = publishing.start_publication(cycle, dh_user())
        wait_for(lambda: done_documents(publication.pk) >= 30, 240, "30 PDFs before the fault")
        at = done_documents(publication.pk)
        replacement = fault(processes)
        if replacement is not None:
            processes.append(replacement)
        wait_for(
            lambda: (
                m.Publication.objects.get(pk=publication.pk).status
                in (m.PublicationStatus.COMPLETE, m.PublicationStatus.FAILED)
            ),
            600,
            "the publication to finish",
        )
        elapsed = time.monotonic() - started
        return f"fault after {at} of 153 PDFs; {check_publication(cycle)}; {elapsed:.0f} s in all"
    finally:
        for process in processes:
            kill(process, signal.SIGKILL)


def redis_restart(processes):  # type: ignore[no-untyped-def]
    stop_redis()
    time.sleep(2)
    start_redis()


def worker_kill(processes):  # type: ignore[no-untyped-def]
    kill(processes[0], signal.SIGKILL)
    return start_celery("worker")


def db_drop() -> str:
    """Autosaves through gunicorn while the server's database connections are terminated."""
    import http.client
    import re
    import secrets

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from tests.factories import CycleFactory

    with transaction.atomic():
        cycle = m.Cycle.objects.filter(year_label="2061/62").first() or CycleFactory(
            year_label="2061/62", open_phase=1
        )
        m.SelfAssessment.objects.filter(cycle=cycle).delete()
        pct = m.PCT.objects.get(code="5K7")
        user = m.User.objects.get_or_create(
            email="faults.editor@example.nhs.uk",
            defaults={"full_name": "Drill Editor", "role": m.Role.PCT_STAFF, "pct": pct},
        )[0]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    port = 8795
    stop = threading.Event()
    terminated = [0]
    db_name = connection.settings_dict["NAME"]

    def killer() -> None:
        import psycopg

        with psycopg.connect(
            f"dbname={db_name} user=postgres host=127.0.0.1", autocommit=True
        ) as conn:
            while not stop.wait(1.5):
                rows = conn.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity "
                    "where datname = %s and pid <> pg_backend_pid() "
                    "and application_name not like 'psql%%'",
                    [db_name],
                ).fetchall()
                terminated[0] += len(rows)

    version_re = re.compile(r'id="c1-version" value="(\d+)"')
    csrf = secrets.token_hex(16)
    path = "/self-assessment/2061-62/5K7/competencies/1/"
    headers = {
        "Cookie": f"sessionid={session.session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}{path}",
    }
    acknowledged, failures, version, last_ack = 0, 0, 0, ""
    with serve(port, workers=2, log_level="critical"):
        try:
            # Our own connection would be terminated too: close it while the drill runs.
            connection.close()
            thread = threading.Thread(target=killer)
            thread.start()
            text_words: list[str] = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                text_words.append(f"w{len(text_words)}")
                evidence = " ".join(text_words)
                while True:  # the page keeps the text and sends it again
                    body = urlencode(
                        {
                            "slot": "c1",
                            "c1-version": version,
                            "c1-level": 2,
                            "c1-evidence": evidence,
                        }
                    )
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        conn.request("POST", path, body=body, headers=headers)
                        response = conn.getresponse()
                        text = response.read().decode()
                    except (OSError, http.client.HTTPException):
                        failures += 1
                        time.sleep(0.2)
                        continue
                    match = version_re.search(text)
                    if match:
                        version = int(match.group(1))
                    if response.status == 200 and "Saved at" in text:
                        acknowledged += 1
                        last_ack = evidence
                        break
                    failures += 1
                    time.sleep(0.2)
        finally:
            stop.set()  # the killer thread ends before the server does
    rating = m.CompetencyRating.objects.get(self_assessment__cycle=cycle, competency__number=1)
    assert rating.evidence == last_ack, "the database does not hold the last acknowledged text"
    assert rating.version == acknowledged, (rating.version, acknowledged)
    return (
        f"{acknowledged} autosaves acknowledged, {failures} refused or cut off and sent "
        f"again, {terminated[0]} connections terminated; the database holds the last "
        f"acknowledged text at version {rating.version}"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    wanted = sys.argv[1:] or ["redis-restart", "worker-kill", "db-drop"]
    load_reference_data()
    start_redis()
    failed = False
    try:
        for name in wanted:
            started = time.monotonic()
            try:
                if name == "redis-restart":
                    outcome = publish_with_fault("2071/72", redis_restart)
                elif name == "worker-kill":
                    outcome = publish_with_fault("2072/73", worker_kill)
                elif name == "db-drop":
                    outcome = db_drop()
                else:
                    raise SystemExit(f"unknown drill {name}")
                print(f"PASS {name}: {outcome}", flush=True)
            except AssertionError as exc:
                failed = True
                print(f"FAIL {name}: {exc} ({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        stop_redis()
        shutil.rmtree(REDIS_DIR, ignore_errors=True)
        shutil.rmtree(MEDIA, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
