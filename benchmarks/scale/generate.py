"""Synthetic data at scale (issue 7 §7): N organisations × C cycles of assessed results.

Run against PostgreSQL (SQLite works, slowly):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcc_scale \\
        uv run python benchmarks/scale/generate.py --orgs 10000 --cycles 10

Creates synthetic PCTs (codes no real PCT uses) spread over the 10 real SHAs, C cycles on the
2009/10 framework, and for every PCT and cycle a submitted self-assessment with self-ratings, governance
declarations and panel consensus for every competency and governance area. Deterministic
with --seed. Publications are then computed and completed by the real service (see
``publish`` below), never fabricated; only their PDFs are not rendered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcc.settings")
# Publications are computed here by the real service; their PDFs are not rendered (a page
# benchmark needs the ranked snapshot, not 100,000 PDFs), so nothing is sent to a broker.
os.environ["CELERY_BROKER_URL"] = "memory://"

import django

django.setup()

from django.db import transaction  # noqa: E402

from assurance import models as m  # noqa: E402
from assurance.services.reference import load_reference_data  # noqa: E402
from tests.factories import PHASE_DATES, synthetic_code  # noqa: E402

BATCH = 5000
LEVEL_WEIGHTS = [0.25, 0.45, 0.25, 0.05]
RAG_WEIGHTS = {"green": 0.45, "amber": 0.45, "red": 0.10}


def year_label(i: int) -> str:
    return f"{2008 + i}/{(9 + i) % 100:02d}"


@transaction.atomic
def generate(orgs: int, cycles: int, seed: int) -> None:
    rng = random.Random(seed)
    load_reference_data()
    shas = list(m.SHA.objects.order_by("code"))
    existing = m.PCT.objects.count()
    m.PCT.objects.bulk_create(
        (
            m.PCT(code=synthetic_code(i), name=f"Synthetic PCT {i:05d}", sha=shas[i % len(shas)])
            for i in range(max(0, orgs - existing))
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    framework = m.Framework.objects.get(year_label="2009/10")
    competencies = list(framework.competencies.all())
    pcts = list(m.PCT.objects.values_list("pk", flat=True))
    previous = None
    for c in range(cycles):
        label = year_label(c)
        cycle, created = m.Cycle.objects.get_or_create(
            year_label=label, defaults={"framework": framework, "previous": previous}
        )
        previous = cycle
        if not created:
            continue
        shift = c - 1
        m.Phase.objects.bulk_create(
            m.Phase(
                cycle=cycle,
                kind=kind,
                opens_on=opens.replace(year=opens.year + shift),
                closes_on=closes.replace(year=closes.year + shift),
                status=m.PhaseStatus.CLOSED if c < cycles - 1 or kind < 4 else m.PhaseStatus.OPEN,
                opened_at=dt.datetime(2009 + shift, 9, 16, tzinfo=dt.UTC),
            )
            for kind, (opens, closes) in PHASE_DATES.items()
            if c < cycles - 1 or kind <= 4
        )
        m.SelfAssessment.objects.bulk_create(
            (
                m.SelfAssessment(
                    cycle=cycle,
                    pct_id=pk,
                    status=m.SelfAssessmentStatus.SUBMITTED,
                    submitted_at=dt.datetime(2009 + shift, 12, 15, tzinfo=dt.UTC),
                )
                for pk in pcts
            ),
            batch_size=BATCH,
        )
        assessments = list(
            m.SelfAssessment.objects.filter(cycle=cycle).values_list("pk", flat=True)
        )
        ratings, declarations, consensus = [], [], []
        for sa in assessments:
            for comp in competencies:
                panel = rng.choices([1, 2, 3, 4], LEVEL_WEIGHTS)[0]
                ratings.append(
                    m.CompetencyRating(
                        self_assessment_id=sa,
                        cycle=cycle,
                        competency=comp,
                        level=min(4, panel + rng.choice([0, 0, 1])),
                        evidence="…",
                    )
                )
                consensus.append(
                    m.Consensus(
                        self_assessment_id=sa,
                        cycle=cycle,
                        competency=comp,
                        level=panel,
                        rationale="synthetic",
                    )
                )
            for area in ("strategy", "finance", "board"):
                rating = rng.choices(list(RAG_WEIGHTS), list(RAG_WEIGHTS.values()))[0]
                declarations.append(
                    m.GovernanceDeclaration(
                        self_assessment_id=sa,
                        cycle=cycle,
                        area=area,
                        rating=rng.choice([rating, rating, "green"]),
                    )
                )
                consensus.append(
                    m.Consensus(
                        self_assessment_id=sa,
                        cycle=cycle,
                        governance_area=area,
                        rating=rating,
                        rationale="synthetic",
                    )
                )
            if len(consensus) >= BATCH * 4:
                m.CompetencyRating.objects.bulk_create(ratings, batch_size=BATCH)
                m.GovernanceDeclaration.objects.bulk_create(declarations, batch_size=BATCH)
                m.Consensus.objects.bulk_create(consensus, batch_size=BATCH)
                ratings, declarations, consensus = [], [], []
        m.CompetencyRating.objects.bulk_create(ratings, batch_size=BATCH)
        m.GovernanceDeclaration.objects.bulk_create(declarations, batch_size=BATCH)
        m.Consensus.objects.bulk_create(consensus, batch_size=BATCH)
        print(f"  {label}: {len(assessments)} assessed PCTs", flush=True)


def publish(dh: m.User) -> None:
    """Compute a publication for every cycle but the last (which stays in calibration),
    oldest first so each has its previous cycle's ranks: the real service, no PDFs."""
    from assurance.services import publication as publishing
    from assurance.services import publication_worker as worker

    for cycle in m.Cycle.objects.order_by("year_label")[: m.Cycle.objects.count() - 1]:
        if cycle.publications.exists():
            continue
        m.Phase.objects.filter(cycle=cycle, kind=m.PhaseKind.PUBLICATION).update(
            status=m.PhaseStatus.OPEN
        )
        started = time.perf_counter()
        with transaction.atomic():
            publication, _ = publishing.start_publication(cycle, dh)
        worker.compute_publication(publication.pk)
        # PDFs are not rendered at this scale: their documents are marked done so that the
        # real finish step completes the version (and the next cycle gets previous ranks).
        publication.documents.update(status=m.DocumentStatus.DONE)
        assert worker.finish_publication(publication.pk) == m.PublicationStatus.COMPLETE
        m.Phase.objects.filter(cycle=cycle, kind=m.PhaseKind.PUBLICATION).update(
            status=m.PhaseStatus.CLOSED
        )
        print(f"  {cycle}: computed in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    generate(args.orgs, args.cycles, args.seed)
    dh = m.User.objects.get_or_create(
        email="scale.dh@example.nhs.uk", defaults={"full_name": "Scale DH", "role": m.Role.DH_STAFF}
    )[0]
    publish(dh)
    print(f"generated in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
