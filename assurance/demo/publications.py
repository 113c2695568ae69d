"""Demo: DH publishes 2008/09 — phase 4 closed, phase 5 opened, results ranked and rendered.

Runs after the panels step (issue 4), which leaves 2008/09 scored, agreed and calibrated.
The demo runs the publication's steps here, in order (the same service functions the
Celery tasks call), so the seeded site has a complete, readable publication with its 153
PDFs; publishing from the browser uses the worker. Safe to run twice: a cycle that already
has a publication is left alone.

Dated by the cycle's calendar, never the day the demo is loaded (domain brief §7): DH
opens phase 5 and publishes on its first morning — 2 March 2009 for 2008/09, so PCTs know
their year-1 standing by March 2009 (:mod:`assurance.demo.dates`).
"""

from __future__ import annotations

import random
import time
from typing import TextIO

from assurance.demo import dates
from assurance.demo.stamps import dated
from assurance.models import (
    Cycle,
    PhaseKind,
    PhaseStatus,
    Publication,
    PublishedDocument,
    Role,
    User,
)
from assurance.queries import results
from assurance.services import cycles
from assurance.services import publication as service
from assurance.services import publication_worker as worker

DEMO_YEAR = "2008/09"


def publish_demo_cycle(rng: random.Random, out: TextIO) -> None:
    cycle = Cycle.objects.filter(year_label=DEMO_YEAR).prefetch_related("phases").first()
    dh = User.objects.filter(role=Role.DH_STAFF, email="dh@wcc.example").first()
    if cycle is None or dh is None:
        out.write(f"    no {DEMO_YEAR} cycle or DH demo user: skipped\n")
        return
    if Publication.objects.filter(cycle=cycle).exists():
        out.write(f"    {DEMO_YEAR} already has a publication: left as it is\n")
        return
    for phase in cycle.phases.all():
        if phase.kind < PhaseKind.PUBLICATION and phase.status == PhaseStatus.OPEN:
            with dated(dates.at(phase.closes_on, 17)):
                cycles.close_phase(dh, phase, reason="Calibration finished (demo)")
        elif phase.kind == PhaseKind.PUBLICATION and phase.status != PhaseStatus.OPEN:
            opened = dates.at(phase.opens_on, 9)
            with dated(opened):
                cycles.open_phase(dh, phase, now=opened)
    cycle = Cycle.objects.prefetch_related("phases").get(pk=cycle.pk)
    gathered = results.gather_results(cycle)
    if gathered.problems:
        out.write(f"    {DEMO_YEAR} results incomplete ({gathered.problems[0]}…): not published\n")
        return
    started = time.monotonic()
    published = dates.published(cycle.phase(PhaseKind.PUBLICATION).opens_on)
    with dated(published, (Publication, "created_at"), (PublishedDocument, "updated_at")):
        publication, _ = service.start_publication(cycle, dh)
        worker.compute_publication(publication.pk, now=published)
        for document_id in worker.pending_document_ids(publication.pk):
            worker.render_document(document_id)
        worker.finish_publication(publication.pk, now=published)
    publication.refresh_from_db()
    out.write(
        f"    {publication}: {publication.get_status_display().lower()}, "
        f"{publication.results.count()} PCTs ranked, {publication.documents.count()} PDFs "
        f"in {time.monotonic() - started:.0f} s\n"
    )
