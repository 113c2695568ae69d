"""Time the list and aggregate pages on a database made by ``generate.py`` (issue 7 §7).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_scale152 uv run python benchmarks/scale/pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_scale    uv run python benchmarks/scale/pages.py

Renders each page as DH staff through the Django test client (warm-up, then ``--repeat``
runs) and prints the median and the fastest time, the SQL query count and the response size. Run it on the
152-PCT and the 10,000-PCT databases and compare (docs/performance.md).
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from assurance import models as m  # noqa: E402


def pages() -> dict[str, str]:
    cycles = list(m.Cycle.objects.order_by("year_label"))
    last, published = cycles[-1], cycles[-2]
    publication = published.publications.order_by("-version").first()
    slug = last.year_label.replace("/", "-")
    return {
        "registry": reverse("registry:pct_list"),
        "league table": reverse("publications:league_table", args=[publication.pk]),
        "league table, one SHA": reverse("publications:league_table", args=[publication.pk])
        + "?sha=Q36",
        "most improved": reverse("publications:improvement", args=[publication.pk]),
        "calibration: competency": reverse(
            "panels:calibration_item", args=[last.pk, "competency", 5]
        ),
        "calibration: competency, one SHA's PCTs": reverse(
            "panels:calibration_item", args=[last.pk, "competency", 5]
        )
        + "?sha=Q36",
        "calibration: governance": reverse(
            "panels:calibration_item", args=[last.pk, "governance", "finance"]
        ),
        "calibration: overview": reverse("panels:calibration", args=[last.pk]),
        "self-assessments": reverse("self_assessment:list", args=[slug]),
        "results index": reverse("publications:index"),
        "cycles": reverse("cycles:list"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--cold", action="store_true", help="clear the cache before each request")
    parser.add_argument("--only", default="", help="time only the pages whose name contains this")
    args = parser.parse_args()
    setup_test_environment()
    dh = m.User.objects.get_or_create(
        email="scale.dh@example.nhs.uk", defaults={"full_name": "Scale DH", "role": m.Role.DH_STAFF}
    )[0]
    client = Client()
    client.force_login(dh)
    print(f"{connection.vendor}: {m.PCT.objects.count()} PCTs, {m.Cycle.objects.count()} cycles")
    for name, url in pages().items():
        if args.only not in name:
            continue
        cache.clear()
        response = client.get(url)  # warm
        times = []
        for _ in range(args.repeat):
            if args.cold:
                cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
        status = response.status_code
        size = len(response.content) // 1024
        print(
            f"  {name:<40} {status}  median {statistics.median(times) * 1000:7.1f} ms"
            f"  min {min(times) * 1000:7.1f} ms"
            f"  {len(ctx):3d} queries  {size:6d} KiB"
        )


if __name__ == "__main__":
    main()
