"""The API's league-table endpoint against a trivial view, same gunicorn, same load (issue 16).

    createdb -h 127.0.0.1 -U postgres wcc_api
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_api REDIS_URL=redis://127.0.0.1:6379/10 \\
        uv run python benchmarks/api/throughput.py --duration 15s

Set-up (idempotent): migrations, reference data, and a complete publication of all 152
PCTs (result rows written directly, as the freedoms tests' factories do: the snapshot's
content does not change what is measured). Then gunicorn (2 workers, DEBUG off, the Redis
cache, ``benchmarks/publication/bench_urls.py``'s trivial view beside the project's URLs)
and wrk, one after another on the same server, with the same threads and connections:

- ``/bench/trivial/``: a view returning "ok" through the same middleware;
- ``/api/v1/publications/{id}/results``: the whole 152-row league table as JSON, anonymous,
  from the cache (warmed by one request) — the goal is ≥ 70% of trivial;
- the same with ``If-None-Match`` (every answer a 304);
- after the rounds, the same with ``Accept-Encoding: gzip``, as most clients send it;
- ``/results/{id}/``: the HTML league table, for comparison.

The anonymous rate limit is raised for the run (wrk is one address); its counter is still
incremented on every request, so its cost is in the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "publication"))  # bench_settings, bench_urls
from benchmarks.gunicorn import serve  # noqa: E402

os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
os.environ["API_ANON_RATE_PER_MINUTE"] = str(10**9)
# gunicorn (benchmarks/gunicorn.py) inherits the environment: let it find bench_settings.
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [str(ROOT / "benchmarks" / "publication"), os.environ.get("PYTHONPATH")])
)


def prepare() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from assurance import models as m
    from assurance.services.reference import load_reference_data

    load_reference_data()
    existing = (
        m.Publication.objects.filter(
            status=m.PublicationStatus.COMPLETE, cycle__year_label="2031/32"
        )
        .order_by("-pk")
        .first()
    )
    if existing is not None and existing.results.count() >= 152:
        return existing.pk
    from tests.factories import CycleFactory
    from tests.freedoms.factories import PublicationFactory, result

    cycle = m.Cycle.objects.filter(year_label="2031/32").first() or CycleFactory(
        year_label="2031/32", open_phase=5
    )
    publication = PublicationFactory(cycle=cycle, version=(existing.version + 1) if existing else 1)
    tiers = ["freedoms"] * 15 + ["notice"] * 7 + ["support"] * 130
    for rank, (pct, tier) in enumerate(
        zip(m.PCT.objects.order_by("code"), tiers, strict=True), start=1
    ):
        result(publication, pct, tier, rank=rank, previous_rank=153 - rank)
    return publication.pk


def wrk(port: int, path: str, args: argparse.Namespace, header: str = "") -> float:
    url = f"http://127.0.0.1:{port}{path}"
    urllib.request.urlopen(url).read()  # warm the cache
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}", url]
    if header:
        command += ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{path}: {non2xx.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", default="15s")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8796)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="trivial and API runs alternate this many times (a shared machine's load moves)",
    )
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (e.g. wcc_api)")
    pk = prepare()
    api = f"/api/v1/publications/{pk}/results"
    with serve(args.port, workers=args.workers, preload=True):
        etag = urllib.request.urlopen(f"http://127.0.0.1:{args.port}{api}").headers["ETag"]
        rounds = []
        for _ in range(args.rounds):
            trivial = wrk(args.port, "/bench/trivial/", args)
            league = wrk(args.port, api, args)
            not_modified = wrk(args.port, api, args, header=f"If-None-Match: {etag}")
            rounds.append((trivial, league, not_modified))
        gzipped = wrk(args.port, api, args, header="Accept-Encoding: gzip")
        page = wrk(args.port, f"/results/{pk}/", args)
    for i, (trivial, league, not_modified) in enumerate(rounds, start=1):
        print(
            f"round {i}: trivial {trivial:7.1f} req/s | API league table (152, cached) "
            f"{league:7.1f} ({100 * league / trivial:5.1f}%) | 304 {not_modified:7.1f} "
            f"({100 * not_modified / trivial:5.1f}%)"
        )
    ratios = sorted(league / trivial for trivial, league, _ in rounds)
    print(
        f"API league table: median {100 * statistics.median(ratios):.1f}% of trivial (goal ≥ 70%)"
    )
    print(f"API league table, gzip (as most clients ask), after the rounds: {gzipped:.1f} req/s")
    print(f"HTML league table (152, cached), after the rounds: {page:.1f} req/s")


if __name__ == "__main__":
    main()
