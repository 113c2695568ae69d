"""One shared "world" for whole-product tests: every kind of object a URL can point at.

Built only from the factories and services other tests use, so it is the product's own
state, not a parallel fake. Two assurance years:

- 2008/09, published (version 1, complete, confirmed by DH): Camden in the freedoms tier,
  Islington on notice, County Durham in the support tier. Camden therefore holds
  franchising, multi-year budgets and the innovation fund freedoms (§5); Islington has a
  recovery plan with one action.
- 2009/10, phase 3 (panel days): Camden submitted, Islington still a draft. A London panel
  day (Sara and Sam) has Camden in a slot; both submitted score sheets, Lena (London's SHA
  lead) agreed the consensus. Camden has an evidence file.
- 2010/11, phase 1 (self-assessment): Camden's draft with a chosen outcome and an evidence
  file, the target of the state-changing self-assessment URLs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from assurance import models as m
from assurance.services import panels as panel_services
from tests.assurance.panel_factories import full_values, panel_day, submitted_self_assessment
from tests.assurance.self_assessment_factories import PDF_BYTES
from tests.factories import CycleFactory
from tests.freedoms.factories import PlanActionFactory, confirmed


@dataclass
class World:
    users: dict[str, Any]
    published_cycle: m.Cycle
    publication: m.Publication
    panel_cycle: m.Cycle
    open_cycle: m.Cycle
    camden: m.PCT
    islington: m.PCT
    camden_sa: m.SelfAssessment
    islington_sa: m.SelfAssessment
    camden_draft: m.SelfAssessment
    day: m.PanelDay
    consensus: m.Consensus
    document: m.EvidenceDocument
    draft_document: m.EvidenceDocument
    draft_outcome: m.ChosenOutcome
    franchise: Any
    budget: Any
    fund_application: Any
    plan: Any
    action: Any
    extra: dict[str, Any] = field(default_factory=dict)


def evidence(sa: m.SelfAssessment, user: m.User, name: str = "strategy.pdf") -> m.EvidenceDocument:
    return m.EvidenceDocument.objects.create(
        self_assessment=sa,
        kind=m.DocumentKind.STRATEGIC_PLAN,
        file=ContentFile(PDF_BYTES, name="upload.pdf"),
        original_name=name,
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=user,
    )


def _published_documents(publication: m.Publication, pcts: list[m.PCT]) -> None:
    for pct in [None, *pcts]:
        m.PublishedDocument.objects.create(
            publication=publication,
            pct=pct,
            status=m.DocumentStatus.DONE,
            file=ContentFile(PDF_BYTES, name="report.pdf"),
        )


def build_world(users: dict[str, Any], durham: m.PCT) -> World:
    from freedoms.catalogue import load_catalogue
    from freedoms.models import InnovationFund
    from freedoms.services import apply_to_fund, propose_franchise, submit_budget_proposal

    load_catalogue()
    alice, bob, sara, sam, lena, dora = (
        users[k] for k in ("alice", "bob", "sara", "sam", "lena", "dora")
    )
    camden, islington = alice.pct, bob.pct

    # 2008/09: published and confirmed.
    published_cycle = CycleFactory(year_label="2008/09", open_phase=m.PhaseKind.PUBLICATION)
    publication = confirmed(
        {camden: "freedoms", islington: "notice", durham: "support"}, dora, cycle=published_cycle
    )
    _published_documents(publication, [camden, islington, durham])

    # 2009/10: panel days.
    panel_cycle = CycleFactory(year_label="2009/10", open_phase=m.PhaseKind.PANEL_DAYS)
    panel_cycle.previous = published_cycle
    panel_cycle.save(update_fields=["previous"])
    camden_sa = submitted_self_assessment(panel_cycle, camden, self_level=3)
    islington_sa = m.SelfAssessment.objects.create(cycle=panel_cycle, pct=islington)
    day = panel_day(panel_cycle, camden.sha, [sara, sam], slots=[(camden, "10:00", "12:00")])
    for member in (sara, sam):
        panel_services.record_panel_scores(member, camden_sa, full_values(camden_sa))
        panel_services.submit_score_sheet(member, camden_sa)
    panel_services.set_consensus(lena, camden_sa, full_values(camden_sa))
    consensus = m.Consensus.objects.filter(self_assessment=camden_sa).order_by("pk").first()
    document = evidence(camden_sa, alice)

    # 2010/11: Camden drafting.
    open_cycle = CycleFactory(year_label="2010/11", open_phase=m.PhaseKind.SELF_ASSESSMENT)
    camden_draft = m.SelfAssessment.objects.create(cycle=open_cycle, pct=camden)
    draft_outcome = m.ChosenOutcome.objects.create(
        self_assessment=camden_draft,
        indicator=m.OutcomeIndicator.objects.order_by("code").first(),
        baseline=Decimal("20"),
        target=Decimal("18"),
        direction=m.Direction.LOWER,
    )
    draft_document = evidence(camden_draft, alice, "od-plan.pdf")

    # What follows from 2008/09's tiers.
    from freedoms.models import Plan

    franchise = propose_franchise(
        by=alice,
        receiver=islington,
        service="Community dentistry",
        all_services=False,
        starts_on=dt.date(2010, 10, 1),
        ends_on=dt.date(2011, 9, 30),
    )
    budget = submit_budget_proposal(
        by=alice,
        title="Three-year stroke pathway",
        first_year=2010,
        amounts=[Decimal("100000"), Decimal("120000"), Decimal("90000")],
        rationale="Stroke services redesign across three years.",
    )
    fund = InnovationFund.objects.order_by("-financial_year").first()
    fund_application = apply_to_fund(
        fund, by=alice, title="Telehealth pilot", amount=Decimal("250000"), summary="A pilot."
    )
    plan = Plan.objects.filter(pct=islington).order_by("pk").first()
    action = PlanActionFactory(plan=plan)
    return World(
        users=users,
        published_cycle=published_cycle,
        publication=publication,
        panel_cycle=panel_cycle,
        open_cycle=open_cycle,
        camden=camden,
        islington=islington,
        camden_sa=camden_sa,
        islington_sa=islington_sa,
        camden_draft=camden_draft,
        day=day,
        consensus=consensus,
        document=document,
        draft_document=draft_document,
        draft_outcome=draft_outcome,
        franchise=franchise,
        budget=budget,
        fund_application=fund_application,
        plan=plan,
        action=action,
        extra={
            "today": timezone.localdate(),
            # Left out of 2008/09 by DH with a reason (§4): shown as "not assessed".
            # The PDF kept with Camden's submission, rendered for real.
            "submitted_copy": _rendered_copy(camden_sa),
            "left_out": m.LeftOut.objects.create(
                cycle=published_cycle,
                pct=m.PCT.objects.get(code="5C3"),
                reason="Merged during the year",
                left_out_by=dora,
            ),
        },
    )


def _rendered_copy(sa: m.SelfAssessment) -> m.SubmittedCopy:
    from assurance.services import submitted_copy

    copy = m.SubmittedCopy.objects.create(
        self_assessment=sa, submitted_at=sa.submitted_at, board_ratified_on=sa.board_ratified_on
    )
    submitted_copy.render_copy(copy.pk)
    return copy
