"""Rules of the freedoms once granted (domain brief §5): review calendar, notices at the next
publication, franchises, multi-year budgets, the innovation fund. What a tier brings
(freedoms, regime, required plans) is :mod:`assurance.rules.consequences`.

Pure rules: plain values and frozen dataclasses in, values out. No ORM, no settings, no
clock (``today`` is passed in). A newcomer asking "why does this PCT have a development
plan for competency 6?" or "why was this franchise refused?" reads this file.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from assurance.rules.consequences import REVIEW_INTERVAL_MONTHS, Regime
from assurance.rules.problems import Problem
from assurance.rules.tiers import Tier

# --- Review calendar ---------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clipped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_due(regime: Regime, since: dt.date, last_review: dt.date | None) -> dt.date:
    """When the SHA next reviews the PCT: one interval after the last review, else after
    the regime began (the publication was confirmed)."""
    return add_months(last_review or since, REVIEW_INTERVAL_MONTHS[regime])


def is_due_by_end_of_month(due: dt.date, today: dt.date) -> bool:
    """Due this month, or overdue: the SHA's calendar lists it."""
    last_day = dt.date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    return due <= last_day


# --- Notices at the next publication -------------------------------------------------------


class NoticeOutcome(StrEnum):
    DISCHARGED = "discharged"
    ESCALATED = "escalated"


def notice_outcome(next_tier: Tier | None) -> NoticeOutcome:
    """§5: at the next cycle a notice is discharged, or escalated if the PCT is on notice
    again. A PCT missing from the next publication is escalated: nothing shows it improved."""
    if next_tier is None or next_tier is Tier.NOTICE:
        return NoticeOutcome.ESCALATED
    return NoticeOutcome.DISCHARGED


# --- Plans ---------------------------------------------------------------------------------


def is_overdue(due_on: dt.date, done: bool, today: dt.date) -> bool:
    return not done and due_on < today


# --- Franchising ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """A live franchise (proposed, accepted or approved) for the receiving PCT."""

    service: str
    all_services: bool
    starts_on: dt.date
    ends_on: dt.date


class Initiator(StrEnum):
    """Who put a franchise forward: the franchising PCT proposing (§5), or the poorer PCT
    asking for help (the record: "from a poorer PCT requesting help to commission an
    individual service to a top PCT stepping in"; issue 12)."""

    FRANCHISOR = "franchisor"
    RECEIVER = "receiver"


@dataclass(frozen=True)
class FranchiseProposal:
    franchisor_id: int
    receiver_id: int
    franchisor_holds_freedom: bool
    receiver_tier: Tier | None
    service: str
    all_services: bool
    starts_on: dt.date
    ends_on: dt.date
    initiator: Initiator = Initiator.FRANCHISOR


def _overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    return a_start <= b_end and b_start <= a_end


def _same_service(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def franchise_problems(proposal: FranchiseProposal, existing: Iterable[Agreement]) -> list[Problem]:
    """Why a franchise proposal is refused (§5 rule; issue 6). Empty means it may go ahead.

    ``existing`` are the receiving PCT's live agreements. An all-services franchise covers
    every service, so it overlaps any agreement with dates in common (docs/decisions.md).
    """
    problems: list[Problem] = []
    asked = proposal.initiator is Initiator.RECEIVER
    if proposal.franchisor_id == proposal.receiver_id:
        field = "franchisor" if asked else "receiver"
        problems.append(Problem(field, "A PCT cannot franchise its own services."))
    elif not proposal.franchisor_holds_freedom:
        problems.append(
            Problem(
                "franchisor",
                "The PCT you named does not hold the franchising freedom: ask a PCT that does.",
            )
            if asked
            else Problem(
                "", "Your PCT does not hold the franchising freedom, so it cannot propose one."
            )
        )
    if proposal.franchisor_id != proposal.receiver_id:
        problem = _receiver_tier_problem(proposal.receiver_tier, asked)
        if problem:
            problems.append(problem)
    if not proposal.all_services and not proposal.service.strip():
        problems.append(Problem("service", "Enter the service, or choose all services."))
    if proposal.ends_on < proposal.starts_on:
        problems.append(Problem("ends_on", "The end date must be on or after the start date."))
        return problems
    for agreement in existing:
        if not _overlaps(
            proposal.starts_on, proposal.ends_on, agreement.starts_on, agreement.ends_on
        ):
            continue
        if proposal.all_services and agreement.all_services:
            problems.append(
                Problem(
                    "all_services",
                    "The receiving PCT already has an all-services franchise for these dates; "
                    "a PCT has at most one at a time.",
                )
            )
            break
        if (
            proposal.all_services
            or agreement.all_services
            or _same_service(proposal.service, agreement.service)
        ):
            what = "all services" if agreement.all_services else f"“{agreement.service}”"
            problems.append(
                Problem(
                    "starts_on",
                    f"These dates overlap an existing franchise of {what} for the receiving "
                    f"PCT ({agreement.starts_on:%-d %B %Y} to {agreement.ends_on:%-d %B %Y}).",
                )
            )
            break
    return problems


def _receiver_tier_problem(tier: Tier | None, asked: bool) -> Problem | None:
    """§5: only a PCT in the support or on-notice tier is franchised."""
    if tier is Tier.FREEDOMS:
        if asked:
            return Problem(
                "",
                "Your PCT is in the freedoms tier: only a PCT in the support or on-notice "
                "tier can ask for a franchise.",
            )
        return Problem(
            "receiver",
            "The receiving PCT is in the freedoms tier: only PCTs in the support or "
            "on-notice tier can be franchised.",
        )
    if tier is None:
        if asked:
            return Problem("", "Your PCT has no confirmed tier yet, so it cannot ask for one.")
        return Problem("receiver", "The receiving PCT has no confirmed tier yet.")
    return None


def franchise_step_problems(
    *, receiver: str, receiver_tier: Tier | None, franchisor: str, franchisor_holds_freedom: bool
) -> list[Problem]:
    """Why a franchise may no longer be accepted or approved (issue 12). Empty: it may.

    Tiers change between the proposal (or request) and each later step: a new publication
    may put the receiving PCT in the freedoms tier, or the franchisor may lose the freedom.
    """
    problems: list[Problem] = []
    if receiver_tier is Tier.FREEDOMS:
        problems.append(
            Problem(
                "",
                f"{receiver} is now in the freedoms tier: only a PCT in the support or "
                "on-notice tier can be franchised, so this franchise cannot go ahead.",
            )
        )
    elif receiver_tier is None:
        problems.append(
            Problem("", f"{receiver} has no confirmed tier, so this franchise cannot go ahead.")
        )
    if not franchisor_holds_freedom:
        problems.append(Problem("", f"{franchisor} no longer holds the franchising freedom."))
    return problems


def is_active_on(starts_on: dt.date, ends_on: dt.date, today: dt.date) -> bool:
    return starts_on <= today <= ends_on


# --- Multi-year budgets ------------------------------------------------------------------

MIN_BUDGET_YEARS = 2
MAX_BUDGET_YEARS = 5


def budget_problems(years: int, amounts: Sequence[Decimal]) -> list[Problem]:
    """A multi-year budget proposal spans 2–5 years with a positive amount for each year."""
    problems: list[Problem] = []
    if not MIN_BUDGET_YEARS <= years <= MAX_BUDGET_YEARS:
        problems.append(
            Problem(
                "years",
                f"A multi-year budget covers {MIN_BUDGET_YEARS} to {MAX_BUDGET_YEARS} years.",
            )
        )
    elif len(amounts) != years:
        problems.append(Problem("amounts", f"Enter an amount for each of the {years} years."))
    if any(amount <= 0 for amount in amounts):
        problems.append(Problem("amounts", "Each year's amount must be more than £0."))
    return problems


# --- Innovation fund --------------------------------------------------------------------


def fund_remaining(pot: Decimal, approved: Iterable[Decimal]) -> Decimal:
    return pot - sum(approved, Decimal(0))


def fund_can_approve(pot: Decimal, approved: Iterable[Decimal], amount: Decimal) -> bool:
    """Approved amounts never exceed the pot (issue 6)."""
    return amount > 0 and amount <= fund_remaining(pot, approved)


@dataclass(frozen=True)
class QueueEntry:
    application_id: int
    holds_freedom: bool
    submitted_at: dt.datetime


def fund_queue_order(entries: Iterable[QueueEntry]) -> list[int]:
    """§5 freedom 6, preferential access: freedom holders first, then oldest first."""
    ordered = sorted(entries, key=lambda e: (not e.holds_freedom, e.submitted_at, e.application_id))
    return [e.application_id for e in ordered]
