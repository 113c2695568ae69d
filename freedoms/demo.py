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
    standings = Standing.objects.select_related("pct", "pct__sha")
    ranks = {r.pct_id: r.rank for r in publication.results.all()}
    by_rank = sorted(standings, key=lambda s: (ranks.get(s.pct_id, 10**6), s.pct.name))
    holders = [s.pct for s in by_rank if s.tier == "freedoms"]
    notice = [s.pct for s in reversed(by_rank) if s.tier == "notice"]
    support = [s.pct for s in by_rank if s.tier == "support"]
    today = timezone.localdate()
    # Prefer the PCTs the demo logins belong to, so a demo user sees the examples.
    demo_pcts = [
        s.pct
        for s in sorted(by_rank, key=lambda s: s.tier != "notice")
        if s.pct.code in DEMO_PCT_CODES and s.tier != "freedoms"
    ]
    receiver = (demo_pcts or notice or support or [None])[0]
    if holders and receiver and not Franchise.objects.exists():
        _franchise_examples(holders[0], receiver, support, today)
        out.write(f"    {holders[0]} franchises community dentistry for {receiver}\n")
    elif not holders:
        out.write(
            "    no PCT is in the freedoms tier, so no franchise or budget examples "
            "(in year 1 no PCT scored 4 on any competency, §2.1)\n"
        )
    fund = InnovationFund.objects.order_by("-financial_year").first()
    if fund and receiver and not FundApplication.objects.exists():
        applicants = [receiver, *(holders[:1] or support[:1] or notice[-1:])]
        for pct, (title, amount, summary) in zip(applicants, FUND_EXAMPLES, strict=False):
            application = services.apply_to_fund(
                fund, by=_person(pct, Role.PCT_STAFF), title=title, amount=amount, summary=summary
            )
        if dh:
            services.decide_fund_application(application, by=dh, approve=True, reason="")
        out.write(f"    {len(applicants)} innovation fund applications, one approved\n")
    plan = (
        Plan.objects.filter(pct=receiver, publication=publication)
        .order_by("-kind", "subject")
        .first()
    )
    if plan and not plan.actions.exists():
        _plan_example(plan, today)
        out.write(f"    {plan.title} for {receiver}, agreed, with an overdue action\n")


DEMO_PCT_CODES = {"5K7", "5K8", "5ND"}
FUND_EXAMPLES = [
    (
        "Telehealth for heart failure",
        Decimal(1_500_000),
        "Home monitoring for 400 patients with heart failure.",
    ),
    ("Dementia care navigators", Decimal(3_000_000), "Navigators in every practice cluster."),
]


def _franchise_examples(franchisor: PCT, receiver: PCT, support: list[PCT], today: dt.date) -> None:
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
    other = next((p for p in reversed(support) if p != receiver), None)
    if other:
        services.propose_franchise(
            by=staff,
            receiver=other,
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


def _plan_example(plan: Plan, today: dt.date) -> None:
    staff = _person(plan.pct, Role.PCT_STAFF)
    services.add_plan_action(
        plan,
        by=staff,
        description="Appoint a turnaround director reporting to the board",
        owner="Chair",
        due_on=today - dt.timedelta(days=14),
    )
    services.add_plan_action(
        plan,
        by=staff,
        description="Agree a recovery trajectory with the SHA",
        owner="Director of Finance",
        due_on=today + dt.timedelta(days=45),
    )
    lead = _lead(plan.pct)
    if lead:
        services.agree_plan(plan, by=lead)
        services.record_review(
            plan.pct, by=lead, held_on=today, summary="Review of the recovery plan's first month."
        )
