"""Time the daily reminders job (issue 15) on a full year: 152 PCTs, ``--people`` each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_bench_remind DEBUG=1 \\
        uv run python benchmarks/reminders/run.py --people 4 --repeat 3

Phase 1 open and no PCT submitted, so every PCT person is due the 30-day reminder. Times
the first run (every reminder recorded and emailed, to Django's in-memory backend) and a
second run the same day (reads only: nothing is sent twice), with SQL query counts. Each
repeat is rolled back. Prints medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assurance import models as m  # noqa: E402
from assurance.services.reference import load_reference_data  # noqa: E402
from assurance.services.reminders import send_reminders  # noqa: E402
from tests.factories import CycleFactory, UserFactory  # noqa: E402


class Rollback(Exception):
    pass


def once(people: int) -> tuple[float, int, int, float, int]:
    CycleFactory(year_label="2009/10", open_phase=1)
    for pct in m.PCT.objects.all():
        for i in range(people):
            UserFactory(pct=pct, role=m.Role.PCT_STAFF, email=f"p{i}.{pct.code}@bench.example")
    today = dt.date(2009, 12, 1)  # 30 days before phase 1 closes
    with CaptureQueriesContext(connection) as first_q:
        start = time.perf_counter()
        sent = send_reminders(today)
        first = time.perf_counter() - start
    with CaptureQueriesContext(connection) as second_q:
        start = time.perf_counter()
        again = send_reminders(today)
        second = time.perf_counter() - start
    assert again == 0
    return first, sent, len(first_q), second, len(second_q)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the in-memory email outbox
    if not m.PCT.objects.exists():
        load_reference_data()
    runs = []
    for _ in range(args.repeat):
        try:
            with transaction.atomic():
                runs.append(once(args.people))
                raise Rollback
        except Rollback:
            pass
    first, sent, first_q, second, second_q = (
        statistics.median(r[i] for r in runs) for i in range(5)
    )
    print(f"{m.PCT.objects.count()} PCTs x {args.people} people: {sent:.0f} reminders sent")
    print(f"first run  {first:.2f} s, {first_q:.0f} queries")
    print(f"second run {second:.2f} s, {second_q:.0f} queries (nothing sent)")


if __name__ == "__main__":
    main()
