"""Whole publication of 152 PCTs with 2 Celery worker processes, against WeasyPrint alone
rendering the same HTML documents in one process (issue 5 goal: ≤ 1.5×).

Needs PostgreSQL and Redis (the workers are separate processes):

    createdb -h 127.0.0.1 -U postgres wcc_bench_publication
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_bench_publication
    export REDIS_URL=redis://127.0.0.1:6379/5
    uv run python manage.py migrate
    uv run python benchmarks/publication/whole_publication.py

Each run makes a new cycle with results for all 152 PCTs (the test factories'
deterministic results), then:
1. **publication**: ``start_publication`` → compute → 153 PDFs rendered by a worker with
   2 prefork processes → complete, timed from the start call until the row says complete;
2. **baseline**: the very same 153 HTML documents (rendered to strings first, untimed),
   turned into PDFs by WeasyPrint with the same options, one after another in this process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")
MEDIA = Path(tempfile.mkdtemp(prefix="wcc-bench-media-"))
os.environ["MEDIA_ROOT"] = str(MEDIA)
QUEUE = f"bench-publication-{os.getpid()}"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE

import django  # noqa: E402

django.setup()

from weasyprint import HTML  # noqa: E402

from assurance import pdf  # noqa: E402
from assurance.models import PCT, Cycle, PublicationStatus, Role, User  # noqa: E402
from assurance.services import publication as service  # noqa: E402
from assurance.services.reference import load_reference_data  # noqa: E402
from tests.assurance.publication_factories import (  # noqa: E402
    give_everyone_results,
    publishing_cycle,
)


def new_cycle() -> Cycle:
    n = Cycle.objects.filter(year_label__startswith="2").count()
    label = f"{2100 + n}/{(n + 1) % 100:02d}"
    cycle = publishing_cycle(label)
    give_everyone_results(cycle, PCT.objects.order_by("code"))
    return cycle


def start_workers(concurrency: int) -> subprocess.Popen:
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
            str(concurrency),
            "-Q",
            QUEUE,
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    time.sleep(4)  # let the worker boot before timing
    return process


def run_publication(dh: User) -> tuple[float, object]:
    cycle = new_cycle()
    started = time.perf_counter()
    publication, _ = service.start_publication(cycle, dh)
    while True:
        publication.refresh_from_db()
        if publication.status in (PublicationStatus.COMPLETE, PublicationStatus.FAILED):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    assert publication.status == PublicationStatus.COMPLETE, publication.error
    return elapsed, publication


def run_baseline(publication) -> float:
    documents = [pdf.league_table_html(publication)]
    documents += [
        pdf.pct_report_html(publication, r.pct) for r in publication.results.select_related("pct")
    ]
    started = time.perf_counter()
    for html in documents:
        HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.StaticFileFetcher()).write_pdf(
            pdf_variant=pdf.PDF_VARIANT, font_config=pdf._fonts(), stylesheets=[pdf._print_css()]
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the workers are other processes.")
    load_reference_data()
    dh, _ = User.objects.get_or_create(
        email="bench-dh@wcc.example", defaults={"role": Role.DH_STAFF, "full_name": "Bench DH"}
    )
    worker = start_workers(args.workers)
    try:
        for run in range(1, args.runs + 1):
            whole, publication = run_publication(dh)
            alone = run_baseline(publication)
            print(
                f"run {run}: publication {whole:.1f} s with {args.workers} worker processes; "
                f"WeasyPrint alone {alone:.1f} s in one process; ratio {whole / alone:.2f}× "
                f"(goal ≤ 1.5×); {publication.documents.count()} PDFs"
            )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        shutil.rmtree(MEDIA, ignore_errors=True)


if __name__ == "__main__":
    main()
