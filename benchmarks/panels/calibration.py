"""Time the calibration pages (issue 4) at a given number of assessed PCTs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_bench_panels \\
        uv run python benchmarks/panels/calibration.py --pcts 1520 --repeat 20

Creates (once) a cycle with PCTs spread over the 10 SHAs, each with a submitted
self-assessment, self ratings and panel consensus for every competency and governance
area, then renders the competency and governance calibration views as a DH user through
the Django test client and reports the median time and the number of SQL queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from assurance import models as m  # noqa: E402
from assurance.services.reference import load_reference_data  # noqa: E402
from tests.assurance.panel_factories import bulk_assess  # noqa: E402
from tests.factories import CycleFactory, synthetic_code  # noqa: E402

LABEL = "2031/32"  # a cycle label no demo or real data uses


def prepare(pcts: int) -> m.Cycle:
    load_reference_data()
    cycle = m.Cycle.objects.filter(year_label=LABEL).first()
    if cycle and cycle.self_assessments.count() == pcts:
        return cycle
    if cycle:
        m.Consensus.objects.filter(self_assessment__cycle=cycle).delete()
        cycle.self_assessments.all().delete()
    else:
        cycle = CycleFactory(year_label=LABEL, open_phase=4)
    shas = list(m.SHA.objects.order_by("code"))
    have = m.PCT.objects.count()
    m.PCT.objects.bulk_create(
        m.PCT(code=synthetic_code(i), name=f"Bench PCT {i}", sha=shas[i % 10])
        for i in range(max(0, pcts - have))
    )
    bulk_assess(cycle, list(m.PCT.objects.order_by("pk")[:pcts]))
    return cycle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pcts", type=int, default=1520)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()
    cycle = prepare(args.pcts)
    dh, _ = m.User.objects.get_or_create(
        email="bench.dh@example.nhs.uk", defaults={"full_name": "Bench DH", "role": m.Role.DH_STAFF}
    )
    client = Client()
    client.force_login(dh)
    urls = {
        "competency": reverse("panels:calibration_item", args=[cycle.pk, "competency", 5]),
        "governance": reverse("panels:calibration_item", args=[cycle.pk, "governance", "finance"]),
        "competency+SHA list": reverse("panels:calibration_item", args=[cycle.pk, "competency", 5])
        + "?sha=Q36",
    }
    print(f"{connection.vendor}, {args.pcts} assessed PCTs, {args.repeat} runs each")
    for name, url in urls.items():
        client.get(url)  # warm
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200
        print(f"  {name:<22} median {statistics.median(times) * 1000:7.1f} ms  {len(ctx)} queries")


if __name__ == "__main__":
    main()
