"""Publication end to end with a real Celery worker process on Redis (not eager).

Needs REDIS_URL and a PostgreSQL DATABASE_URL (the worker is another process and must see
the test database; SQLite test databases live in memory). CI (.ci/run) sets both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from assurance.models import PCT, DocumentStatus, PublicationStatus
from assurance.queries import results
from assurance.services import publication as service
from assurance.services import publication_worker
from tests.assurance.publication_factories import give_everyone_results, publishing_cycle

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = settings.BASE_DIR  # the checkout: the worker imports `wcc` from here


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def _kill(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def start_worker():
    """``start_worker()`` starts a worker process (2 prefork children) on a private queue."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real worker on Redis")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must see the test database")
    from wcc.celery import app

    app.conf.task_always_eager = False
    # Each test process gets its own queue so two pytest-xdist workers never share one.
    queue = f"test-publication-{os.getpid()}"
    app.conf.task_default_queue = queue
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    processes: list[subprocess.Popen] = []

    def _start() -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "wcc",
                "worker",
                "-P",
                "prefork",
                "-c",
                "2",
                "-Q",
                queue,
                "--loglevel",
                "WARNING",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        processes.append(process)
        return process

    yield _start
    app.conf.task_default_queue = "celery"
    for process in processes:
        _kill(process)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)


def wait_for(publication, statuses, worker, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        publication.refresh_from_db()
        if publication.status in statuses:
            return
        assert worker.poll() is None, "the worker died"
        time.sleep(0.3)
    raise AssertionError(f"still {publication.status} after {seconds} s")


def test_a_real_worker_publishes_the_cycle(reference_data, dora, start_worker):
    cycle = publishing_cycle()
    give_everyone_results(cycle, PCT.objects.order_by("code")[:12])
    worker = start_worker()

    publication, created = service.start_publication(cycle, dora)  # autocommit: enqueued now

    wait_for(publication, (PublicationStatus.COMPLETE, PublicationStatus.FAILED), worker)
    assert created
    assert publication.status == PublicationStatus.COMPLETE, publication.error
    assert publication.results.count() == 12
    docs = list(publication.documents.all())
    assert len(docs) == 13
    assert all(d.status == DocumentStatus.DONE for d in docs)
    assert all(Path(d.file.path).read_bytes().startswith(b"%PDF") for d in docs)


def test_a_worker_killed_half_way_leaves_a_publication_that_resumes(
    reference_data, dora, start_worker
):
    import datetime as dt

    from django.utils import timezone

    from assurance import tasks
    from assurance.models import PublishedDocument

    cycle = publishing_cycle()
    give_everyone_results(cycle, PCT.objects.order_by("code")[:30])
    worker = start_worker()
    publication, _ = service.start_publication(cycle, dora)
    deadline = time.monotonic() + 120
    while results.document_counts(publication.pk)["done"] < 3:
        assert time.monotonic() < deadline, "no document rendered"
        time.sleep(0.1)

    _kill(worker, signal.SIGKILL)  # no warm shutdown: tasks in hand are lost mid-render

    publication.refresh_from_db()
    counts = results.document_counts(publication.pk)
    assert publication.status == PublicationStatus.RENDERING
    assert counts["done"] < counts["total"]
    assert publication not in type(publication).objects.filter(
        status__in=publication_worker.PUBLISHED
    )

    # Five minutes later the beat task finds it stalled and re-enqueues what is left.
    PublishedDocument.objects.filter(publication=publication).exclude(
        status=DocumentStatus.DONE
    ).update(updated_at=timezone.now() - dt.timedelta(minutes=6))
    worker = start_worker()
    tasks.resume_publications.delay()

    wait_for(publication, (PublicationStatus.COMPLETE, PublicationStatus.FAILED), worker)
    assert publication.status == PublicationStatus.COMPLETE, publication.error
    assert publication.documents.filter(status=DocumentStatus.DONE).count() == 31
    assert publication.results.count() == 30
