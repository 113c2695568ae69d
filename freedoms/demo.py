"""Demo: confirm the 2008/09 publication and show what follows (franchise, budget, fund, plan).

Runs after the publication step (issue 5). Until a complete 2008/09 publication exists it
says so and does nothing. Deterministic (chosen by rank, never at random) and safe to run
twice: the examples are made once, when no franchise exists yet.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from assurance.demo.people import DEMO_PASSWORD
from assurance.models import PCT, Publication, PublicationStatus, Role, User
from freedoms import services
from freedoms.catalogue import load_catalogue
from freedoms.models import Franchise, FundApplication, InnovationFund, Plan, Standing

DEMO_YEAR = "2008/09"


def _person(pct: PCT, role: str) -> User:
    slug = "approver" if role == Role.PCT_APPROVER else "staff"
    user = User.objects.filter(pct=pct, role=role).order_by("pk").first()
    if user:
        return user
    return User.objects.create_user(
        email=f"{slug}.{pct.code.lower()}@wcc.example",
        password=DEMO_PASSWORD,
        full_name=f"{'Approver' if slug == 'approver' else 'Staff'}, {pct.name}",
        role=role,
        pct=pct,
    )


def _lead(pct: PCT) -> User | None:
    return User.objects.filter(sha_id=pct.sha_id, role=Role.SHA_LEAD).order_by("pk").first()


def create_demo_consequences(rng: random.Random, out: TextIO) -> None:
    load_catalogue()
    publication = (
        Publication.objects.filter(cycle__year_label=DEMO_YEAR, status=PublicationStatus.COMPLETE)
        .order_by("-version")
        .first()
    )
    if publication is None:
        out.write(f"    no complete {DEMO_YEAR} publication yet: nothing follows (skipped)\n")
        return
    dh = User.objects.filter(role=Role.DH_STAFF).order_by("pk").first()
    if publication.confirmed_at is None:
        summary = services.confirm_publication(publication, by=dh)
        out.write(
            f"    confirmed {publication}: {summary.granted} grants, {summary.notices} notices, "
            f"{summary.support_packages} support packages, {summary.plans} plans\n"
        )
    if Franchise.objects.exists():
        return
    standings = Standing.objects.select_related("pct", "pct__sha")
    results = {r.pct_id: r.rank for r in publication.results.all()}
    by_rank = sorted(standings, key=lambda s: (results.get(s.pct_id, 10**6), s.pct.name))
    holders = [s.pct for s in by_rank if s.tier == "freedoms"]
    notice = [s.pct for s in reversed(by_rank) if s.tier == "notice"]
    support = [s.pct for s in by_rank if s.tier == "support"]
    if not holders or not (notice or support):
        out.write("    no freedoms-tier PCT and receiver: no examples\n")
        return
    today = timezone.localdate()
    franchisor = holders[0]
    receiver = (notice or support)[0]
    staff = _person(franchisor, Role.PCT_STAFF)
    franchise = services.propose_franchise(
        by=staff,
        receiver=receiver,
        service="Community dentistry",
        all_services=False,
        starts_on=today.replace(day=1),
        ends_on=today.replace(day=1, year=today.year + 2) - dt.timedelta(days=1),
    )
    services.accept_franchise(franchise, by=_person(receiver, Role.PCT_APPROVER))
    lead = _lead(receiver)
    if lead:
        services.approve_franchise(franchise, by=lead)
    if support:
        services.propose_franchise(
            by=staff,
            receiver=support[-1],
            service="",
            all_services=True,
            starts_on=today.replace(day=1) + dt.timedelta(days=62),
            ends_on=today.replace(day=1, year=today.year + 1),
        )
    services.submit_budget_proposal(
        by=staff,
        title="Three-year diabetes pathway",
        first_year=2010,
        amounts=[Decimal(2_000_000), Decimal(2_400_000), Decimal(2_800_000)],
        rationale="Shift care from hospital admissions to community clinics over three years.",
    )
    fund = InnovationFund.objects.order_by("-financial_year").first()
    if fund and not FundApplication.objects.exists():
        first = services.apply_to_fund(
            fund,
            by=_person(receiver, Role.PCT_STAFF),
            title="Telehealth for heart failure",
            amount=Decimal(1_500_000),
            summary="Home monitoring for 400 patients with heart failure.",
        )
        services.apply_to_fund(
            fund,
            by=staff,
            title="Dementia care navigators",
            amount=Decimal(3_000_000),
            summary="Navigators in every practice cluster.",
        )
        if dh:
            services.decide_fund_application(first, by=dh, approve=True, reason="")
    plan = Plan.objects.filter(pct=receiver).order_by("subject").first()
    if plan:
        receiver_staff = _person(receiver, Role.PCT_STAFF)
        services.add_plan_action(
            plan,
            by=receiver_staff,
            description="Appoint a turnaround director reporting to the board",
            owner="Chair",
            due_on=today - dt.timedelta(days=14),
        )
        services.add_plan_action(
            plan,
            by=receiver_staff,
            description="Agree a financial recovery trajectory with the SHA",
            owner="Director of Finance",
            due_on=today + dt.timedelta(days=45),
        )
        if lead:
            services.agree_plan(plan, by=lead)
    out.write(
        f"    examples: {franchisor} franchises dentistry for {receiver}; a budget proposal; "
        "two fund applications; a recovery plan with an overdue action\n"
    )
