"""Time the due process queue and a draft result page (issue 15) at a national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_due \\
        DEBUG=1 .venv/bin/python benchmarks/due_process/queues.py --pcts 152 --per-pct 3

Creates (once) a cycle after calibration with the factual accuracy check open, every PCT's
locked panel result, and ``--per-pct`` challenges from each PCT's approver (one in three
answered), then renders the DH queue, an SHA lead's queue and one PCT's draft result through
the Django test client, reporting the median time and the number of SQL queries.
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

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from assurance import models as m  # noqa: E402
from assurance.services import due_process  # noqa: E402
from assurance.services.reference import load_reference_data  # noqa: E402
from tests.assurance.due_process_factories import locked_results  # noqa: E402
from tests.assurance.publication_factories import publishing_cycle  # noqa: E402
from tests.factories import pct_user, sha_user  # noqa: E402

LABEL = "2032/33"  # a cycle label no demo or real data uses


def prepare(pcts: int, per_pct: int) -> m.Cycle:
    load_reference_data()
    cycle = m.Cycle.objects.filter(year_label=LABEL).first()
    if cycle is not None and m.Challenge.objects.filter(cycle=cycle).exists():
        return cycle
    if cycle is not None:  # a run that stopped half way: start again
        m.AccuracyCheck.objects.filter(cycle=cycle).delete()
        m.PanelResult.objects.filter(self_assessment__cycle=cycle).delete()
        m.Consensus.objects.filter(self_assessment__cycle=cycle).delete()
        m.SelfAssessment.objects.filter(cycle=cycle).delete()
        cycle.phases.all().delete()
        cycle.delete()
    cycle = publishing_cycle(LABEL)
    dh = m.User.objects.filter(role=m.Role.DH_STAFF).first() or m.User.objects.create_user(
        "bench.dh@example.nhs.uk", full_name="Bench DH", role=m.Role.DH_STAFF
    )
    today = timezone.localdate()
    due_process.open_accuracy_check(
        dh, cycle, opens_on=today, closes_on=today + dt.timedelta(days=13)
    )
    leads = {}
    for pct in m.PCT.objects.select_related("sha").order_by("code")[:pcts]:
        sa = locked_results(cycle, pct)
        approver = m.User.objects.filter(email=f"bench.{pct.code}@example.nhs.uk").first()
        approver = approver or pct_user(
            pct, m.Role.PCT_APPROVER, email=f"bench.{pct.code}@example.nhs.uk"
        )
        lead = (
            leads.get(pct.sha_id)
            or m.User.objects.filter(email=f"bench.lead.{pct.sha.code}@example.nhs.uk").first()
        )
        lead = lead or sha_user(
            pct.sha, m.Role.SHA_LEAD, email=f"bench.lead.{pct.sha.code}@example.nhs.uk"
        )
        leads[pct.sha_id] = lead
        rows = m.Consensus.objects.filter(self_assessment=sa, competency__isnull=False)
        for i, consensus in enumerate(rows.order_by("competency__number")[:per_pct]):
            challenge = due_process.raise_challenge(
                approver, consensus, what_is_wrong="Bench.", correction="Level 3"
            )
            if i % 3 == 0:
                due_process.answer_challenge(lead, challenge, accepted=False, reason="Bench.")
    return cycle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pcts", type=int, default=152)
    parser.add_argument("--per-pct", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()
    cycle = prepare(args.pcts, args.per_pct)
    dh = m.User.objects.filter(role=m.Role.DH_STAFF).first()
    lead = m.User.objects.get(email="bench.lead.Q36@example.nhs.uk")
    pct = m.Challenge.objects.filter(cycle=cycle).select_related("pct").first().pct
    pages = {
        "DH queue": (dh, reverse("due_process:index")),
        "SHA lead queue": (lead, reverse("due_process:index")),
        "draft result (DH)": (dh, reverse("due_process:draft", args=[cycle.pk, pct.code])),
    }
    total = m.Challenge.objects.filter(cycle=cycle).count()
    print(f"{connection.vendor}, {total} challenges, {args.repeat} runs each")
    for name, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        client.get(url)  # warm
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, response.status_code)
        print(f"  {name:<20} median {statistics.median(times) * 1000:7.1f} ms  {len(ctx)} queries")


if __name__ == "__main__":
    main()
