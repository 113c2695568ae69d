"""Time confirming a publication (issue 6): grants, notices, support, plans, regimes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_bench_freedoms \\
        uv run python benchmarks/freedoms/confirm.py --pcts 1520 --repeat 5

Builds a complete publication with ``--pcts`` results (the top 10% in the freedoms tier,
the bottom 5% on notice, the rest in support, with amber areas and competencies below 3 so
plans are required), confirms it, then confirms a second cycle's publication that moves
every freedoms PCT out (so grants lapse, notices are discharged or escalated). Each run is
rolled back, so runs are independent. Prints the median time and the SQL query count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assurance import models as m  # noqa: E402
from assurance.services.reference import load_reference_data  # noqa: E402
from freedoms.catalogue import load_catalogue  # noqa: E402
from freedoms.services import confirm_publication  # noqa: E402
from tests.factories import CycleFactory, UserFactory, synthetic_code  # noqa: E402
from tests.freedoms.factories import GOVERNANCE, LEVELS  # noqa: E402


class Rollback(Exception):
    pass


def publication(cycle: m.Cycle, pcts: list[m.PCT], shift: int) -> m.Publication:
    pub = m.Publication.objects.create(cycle=cycle, version=1, status=m.PublicationStatus.COMPLETE)
    n = len(pcts)
    results = []
    for i, pct in enumerate(pcts):
        rank = (i + shift) % n + 1
        tier = "freedoms" if rank <= n // 10 else "notice" if rank > n - n // 20 else "support"
        results.append(
            m.PublishedResult(
                publication=pub,
                pct=pct,
                sha_id=pct.sha_id,
                rank=rank,
                mark=Decimal(50),
                tier=tier,
                governance=GOVERNANCE[tier],
                competency_levels=LEVELS[tier],
                governance_points=4,
                competency_points=Decimal(30),
            )
        )
    m.PublishedResult.objects.bulk_create(results)
    return pub


def run_once(pcts: list[m.PCT], dh: m.User) -> tuple[float, int, float, int]:
    try:
        with transaction.atomic():
            first = publication(CycleFactory(year_label="2031/32", open_phase=5), pcts, 0)
            with CaptureQueriesContext(connection) as q1:
                t = time.perf_counter()
                confirm_publication(first, by=dh)
                t1 = time.perf_counter() - t
            second = publication(
                CycleFactory(year_label="2032/33", open_phase=5), pcts, len(pcts) // 2
            )
            with CaptureQueriesContext(connection) as q2:
                t = time.perf_counter()
                confirm_publication(second, by=dh)
                t2 = time.perf_counter() - t
            raise Rollback
    except Rollback:
        pass
    return t1, len(q1.captured_queries), t2, len(q2.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pcts", type=int, default=152)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    load_reference_data()
    load_catalogue()
    shas = list(m.SHA.objects.order_by("code"))
    have = m.PCT.objects.count()
    m.PCT.objects.bulk_create(
        m.PCT(code=synthetic_code(i), name=f"Bench PCT {i}", sha=shas[i % 10])
        for i in range(max(0, args.pcts - have))
    )
    pcts = list(m.PCT.objects.order_by("pk")[: args.pcts])
    dh = m.User.objects.filter(email="bench-dh@example.nhs.uk").first() or UserFactory(
        email="bench-dh@example.nhs.uk", role=m.Role.DH_STAFF
    )
    runs = [run_once(pcts, dh) for _ in range(args.repeat)]
    print(f"{connection.vendor}, {len(pcts)} PCTs, {args.repeat} runs")
    print(
        f"  first confirmation:  median {statistics.median(r[0] for r in runs) * 1000:.0f} ms, "
        f"{runs[0][1]} queries"
    )
    print(
        f"  second (lapses):     median {statistics.median(r[2] for r in runs) * 1000:.0f} ms, "
        f"{runs[0][3]} queries"
    )


if __name__ == "__main__":
    main()
