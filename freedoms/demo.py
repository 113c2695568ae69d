"""Demo: confirm the 2008/09 publication and show what follows (franchise, budget, fund, plan).

Runs after the publication step (issue 5). Until a complete 2008/09 publication exists it
says so and does nothing. Deterministic (chosen by rank, never at random) and safe to run
twice: the examples are made once, when no franchise exists yet.

Dated from the cycle, never the day the demo is loaded (domain brief §7): DH confirms a
week after publishing (9 March 2009 for 2008/09, :func:`assurance.demo.dates.confirmed`),
and every example follows that confirmation by days or weeks (:data:`AFTER`): the plan is
agreed three weeks on, its first action falls due five weeks on and is overdue by the
review held eight weeks on.
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TextIO

from assurance.demo import dates
from assurance.demo.people import DEMO_PASSWORD
from assurance.demo.stamps import dated
from assurance.models import (
    PCT,
    Notification,
    PhaseKind,
    Publication,
    PublicationStatus,
    Role,
    User,
)
from freedoms import services
from freedoms.catalogue import load_catalogue
from freedoms.models import (
    Franchise,
    FundApplication,
    InnovationFund,
    Plan,
    ReviewRecord,
    SentNotification,
    Standing,
)

DEMO_YEAR = "2008/09"
#: How long after DH's confirmation each example happened.
AFTER = {
    "proposed": dt.timedelta(days=14),
    "accepted": dt.timedelta(days=21),
    "approved": dt.timedelta(days=28),
    "applied": dt.timedelta(days=30),
    "decided": dt.timedelta(days=60),
    "actions added": dt.timedelta(days=14),
    "agreed": dt.timedelta(days=21),
    "first action due": dt.timedelta(days=35),
    "review held": dt.timedelta(days=56),
    "second action due": dt.timedelta(days=90),
}


def _on(at: dt.datetime) -> AbstractContextManager[None]:
    """The trail, emails and review records written in the block are dated ``at``."""
    return dated(
        at,
        (SentNotification, "sent_at"),
        (Notification, "created_at"),
        (ReviewRecord, "recorded_at"),
    )


def _confirmation(publication: Publication) -> dt.datetime:
    """When DH confirmed, or (not yet confirmed) confirms, by the cycle's calendar."""
    if publication.confirmed_at:
        return publication.confirmed_at
    phase = publication.cycle.phase(PhaseKind.PUBLICATION)
    return dates.confirmed(phase.opens_on, phase.closes_on)


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
    confirmed = _confirmation(publication)
    if publication.confirmed_at is None:
        with _on(confirmed):
            summary = services.confirm_publication(publication, by=dh, now=confirmed)
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
    # Prefer the PCTs the demo logins belong to, so a demo user sees the examples.
    demo_pcts = [
        s.pct
        for s in sorted(by_rank, key=lambda s: s.tier != "notice")
        if s.pct.code in DEMO_PCT_CODES and s.tier != "freedoms"
    ]
    receiver = (demo_pcts or notice or support or [None])[0]
    if holders and receiver and not Franchise.objects.exists():
        _franchise_examples(holders[0], receiver, support, confirmed)
        out.write(f"    {holders[0]} franchises community dentistry for {receiver}\n")
    elif not holders:
        out.write(
            "    no PCT is in the freedoms tier, so no franchise or budget examples "
            "(in year 1 no PCT scored 4 on any competency, §2.1)\n"
        )
    fund = InnovationFund.objects.order_by("-financial_year").first()
    if fund and receiver and not FundApplication.objects.exists():
        applicants = [receiver, *(holders[:1] or support[:1] or notice[-1:])]
        applied = confirmed + AFTER["applied"]
        for pct, (title, amount, summary) in zip(applicants, FUND_EXAMPLES, strict=False):
            with _on(applied):
                application = services.apply_to_fund(
                    fund,
                    by=_person(pct, Role.PCT_STAFF),
                    title=title,
                    amount=amount,
                    summary=summary,
                    now=applied,
                )
        if dh:
            decided = confirmed + AFTER["decided"]
            with _on(decided):
                services.decide_fund_application(
                    application, by=dh, approve=True, reason="", now=decided
                )
        out.write(f"    {len(applicants)} innovation fund applications, one approved\n")
    plan = (
        Plan.objects.filter(pct=receiver, publication=publication)
        .order_by("-kind", "subject")
        .first()
    )
    if plan and not plan.actions.exists():
        _plan_example(plan, confirmed)
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


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _franchise_examples(
    franchisor: PCT, receiver: PCT, support: list[PCT], confirmed: dt.datetime
) -> None:
    """An approved franchise (from the month after approval, for two years), a second
    proposed, and a budget proposal for the next financial year."""
    staff = _person(franchisor, Role.PCT_STAFF)
    proposed = confirmed + AFTER["proposed"]
    starts_on = _first_of_next_month((confirmed + AFTER["approved"]).date())
    with _on(proposed):
        franchise = services.propose_franchise(
            by=staff,
            receiver=receiver,
            service="Community dentistry",
            all_services=False,
            starts_on=starts_on,
            ends_on=starts_on.replace(year=starts_on.year + 2) - dt.timedelta(days=1),
            now=proposed,
        )
    accepted = confirmed + AFTER["accepted"]
    with _on(accepted):
        services.accept_franchise(franchise, by=_person(receiver, Role.PCT_APPROVER), now=accepted)
    lead = _lead(receiver)
    if lead:
        approved = confirmed + AFTER["approved"]
        with _on(approved):
            services.approve_franchise(franchise, by=lead, now=approved)
    other = next((p for p in reversed(support) if p != receiver), None)
    with _on(proposed):
        if other:
            later = _first_of_next_month(starts_on + dt.timedelta(days=62))
            services.propose_franchise(
                by=staff,
                receiver=other,
                service="",
                all_services=True,
                starts_on=later,
                ends_on=later.replace(year=later.year + 1) - dt.timedelta(days=1),
                now=proposed,
            )
        services.submit_budget_proposal(
            by=staff,
            title="Three-year diabetes pathway",
            first_year=starts_on.year + 1,
            amounts=[Decimal(2_000_000), Decimal(2_400_000), Decimal(2_800_000)],
            rationale="Shift care from hospital admissions to community clinics over three years.",
            now=proposed,
        )


def _plan_example(plan: Plan, confirmed: dt.datetime) -> None:
    """Two actions, the plan agreed with the SHA, and a review by which the first is overdue."""
    staff = _person(plan.pct, Role.PCT_STAFF)
    with _on(confirmed + AFTER["actions added"]):
        services.add_plan_action(
            plan,
            by=staff,
            description="Appoint a turnaround director reporting to the board",
            owner="Chair",
            due_on=(confirmed + AFTER["first action due"]).date(),
        )
        services.add_plan_action(
            plan,
            by=staff,
            description="Agree a recovery trajectory with the SHA",
            owner="Director of Finance",
            due_on=(confirmed + AFTER["second action due"]).date(),
        )
    lead = _lead(plan.pct)
    if lead:
        agreed = confirmed + AFTER["agreed"]
        with _on(agreed):
            services.agree_plan(plan, by=lead, now=agreed)
        held = confirmed + AFTER["review held"]
        with _on(held):
            services.record_review(
                plan.pct,
                by=lead,
                held_on=held.date(),
                summary="Review of the recovery plan's first weeks.",
            )
