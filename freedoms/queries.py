"""Reads for freedoms pages: each returns what one page shows, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.text import Truncator

from assurance.models import PCT, PCT_ROLES, Publication, PublicationStatus, User
from assurance.queries.calendar import Entry
from assurance.queries.reminders import Outstanding
from assurance.rules.consequences import FreedomCode
from freedoms import eligibility
from freedoms.models import (
    ActionStatus,
    BudgetProposal,
    DecisionStatus,
    Designation,
    DesignationStatus,
    Franchise,
    FranchiseStatus,
    FundApplication,
    Grant,
    GrantStatus,
    InnovationFund,
    Plan,
    PlanAction,
    PlanStatus,
    Standing,
)


def highlighted_pct_ids() -> set[int]:
    """PCTs holding freedom 5, "highlighted as a top PCT": one query for a whole table."""
    return set(
        Grant.objects.filter(
            freedom__code=FreedomCode.HIGHLIGHTED, status=GrantStatus.ACTIVE
        ).values_list("pct_id", flat=True)
    )


def plans_with_overdue(qs: QuerySet[Plan], today: dt.date) -> QuerySet[Plan]:
    overdue = PlanAction.objects.filter(plan=OuterRef("pk"), due_on__lt=today).exclude(
        status=ActionStatus.DONE
    )
    return qs.annotate(
        has_overdue=Exists(overdue), action_count=Count("actions", distinct=True)
    ).select_related("pct")


def pct_overview(pct: PCT, today: dt.date) -> dict[str, Any]:
    return {
        "standing": Standing.objects.filter(pct=pct).select_related("publication__cycle").first(),
        "grants": Grant.objects.filter(pct=pct)
        .select_related("freedom", "publication__cycle", "ended_by_publication__cycle")
        .order_by("status", "freedom__number", "-granted_at"),
        "designations": Designation.objects.filter(pct=pct).select_related(
            "publication__cycle", "ended_by_publication__cycle"
        ),
        "plans": plans_with_overdue(
            Plan.objects.filter(pct=pct).exclude(status=PlanStatus.CLOSED), today
        ),
        "franchises": Franchise.objects.filter(Q(franchisor=pct) | Q(receiver=pct)).select_related(
            "franchisor", "receiver"
        ),
        "budgets": BudgetProposal.objects.filter(pct=pct),
        "applications": FundApplication.objects.filter(pct=pct).select_related("fund"),
        "holds": set(
            Grant.objects.filter(pct=pct, status=GrantStatus.ACTIVE).values_list(
                "freedom__code", flat=True
            )
        ),
    }


@dataclass(frozen=True)
class CalendarRow:
    standing: Standing
    overdue: bool


def review_calendar(sha_id: int, today: dt.date, show_all: bool) -> list[CalendarRow]:
    """The SHA's PCTs due for review by the end of this month (or all, when asked)."""
    standings = Standing.objects.filter(pct__sha_id=sha_id).select_related("pct")
    rows = [
        CalendarRow(s, s.next_review_due < today)
        for s in standings.order_by("next_review_due", "pct__name")
        if show_all or eligibility.is_due_by_end_of_month(s.next_review_due, today)
    ]
    return rows


def sha_approvals(sha_id: int, today: dt.date) -> dict[str, Any]:
    mine = Q(receiver__sha_id=sha_id)
    return {
        "franchises": Franchise.objects.filter(mine, status=FranchiseStatus.ACCEPTED)
        .select_related("franchisor", "receiver")
        .order_by("accepted_at"),
        "flagged": Franchise.objects.filter(mine, needs_sha_review=True).select_related(
            "franchisor", "receiver"
        ),
        "budgets": BudgetProposal.objects.filter(
            pct__sha_id=sha_id, status=DecisionStatus.SUBMITTED
        ).select_related("pct"),
        "plans": plans_with_overdue(
            Plan.objects.filter(pct__sha_id=sha_id)
            .exclude(status=PlanStatus.CLOSED)
            .order_by("status", "pct__name", "subject"),
            today,
        ),
    }


def dh_overview() -> dict[str, Any]:
    active = Grant.objects.filter(status=GrantStatus.ACTIVE)
    return {
        "to_confirm": Publication.objects.filter(
            status=PublicationStatus.COMPLETE, confirmed_at__isnull=True, superseded_by__isnull=True
        ).select_related("cycle"),
        "confirmed": Publication.objects.filter(confirmed_at__isnull=False).select_related(
            "cycle", "confirmed_by"
        )[:10],
        "holders": PCT.objects.filter(grants__status=GrantStatus.ACTIVE)
        .distinct()
        .select_related("sha")
        .prefetch_related(
            Prefetch("grants", queryset=active.select_related("freedom"), to_attr="active_grants")
        )
        .order_by("name"),
        "notices": Designation.objects.filter(kind="notice")
        .select_related("pct", "publication__cycle", "ended_by_publication__cycle")
        .order_by("status", "pct__name"),
        "lapsed": Grant.objects.filter(status=GrantStatus.LAPSED)
        .select_related("pct", "freedom", "ended_by_publication__cycle")
        .order_by("-ended_at", "pct__name")[:50],
        "support_count": Designation.objects.filter(
            kind="support", status=DesignationStatus.ACTIVE
        ).count(),
    }


@dataclass(frozen=True)
class FundView:
    fund: InnovationFund
    approved: Any
    remaining: Any
    queue: list[FundApplication]
    decided: list[FundApplication]


def fund_view(fund: InnovationFund) -> FundView:
    """The assessment queue: freedom holders first (preferential access, §5 #6)."""
    holders = set(
        Grant.objects.filter(
            freedom__code=FreedomCode.INNOVATION_FUND, status=GrantStatus.ACTIVE
        ).values_list("pct_id", flat=True)
    )
    applications = list(fund.applications.select_related("pct", "decided_by"))
    submitted = {a.pk: a for a in applications if a.status == DecisionStatus.SUBMITTED}
    order = eligibility.fund_queue_order(
        eligibility.QueueEntry(a.pk, a.pct_id in holders, a.submitted_at)
        for a in submitted.values()
    )
    queue = [submitted[pk] for pk in order]
    for application in queue:
        application.holds_freedom = application.pct_id in holders  # type: ignore[attr-defined]
    approved = sum(
        (a.amount for a in applications if a.status == DecisionStatus.APPROVED),
        start=fund.pot * 0,
    )
    return FundView(
        fund=fund,
        approved=approved,
        remaining=eligibility.fund_remaining(fund.pot, [approved]),
        queue=queue,
        decided=[a for a in applications if a.status != DecisionStatus.SUBMITTED],
    )


def pct_grants(code: str) -> tuple[PCT, list[Grant]]:
    """A PCT's active grants, for DH staff to annotate (DH see every PCT)."""
    pct = PCT.objects.filter(code=code.upper()).first()
    if pct is None:
        from django.http import Http404

        raise Http404("No such PCT")
    grants = list(
        Grant.objects.filter(pct=pct, status=GrantStatus.ACTIVE)
        .select_related("freedom", "publication__cycle")
        .order_by("freedom__number")
    )
    return pct, grants


def lapsed_grants(pct: PCT, ids: set[int]) -> list[Grant]:
    """Which of ``ids`` are the PCT's grants no longer active: lapsed while a page showed them."""
    if not ids:
        return []
    return list(
        Grant.objects.filter(pct=pct, pk__in=ids)
        .exclude(status=GrantStatus.ACTIVE)
        .select_related("freedom")
        .order_by("freedom__number")
    )


# --- Reminders and the calendar feed (issue 15; registered in freedoms/apps.py) --------------


def _pct_people(pct_ids: set[int]) -> dict[int, list[User]]:
    people: dict[int, list[User]] = defaultdict(list)
    for person in User.objects.filter(
        pct_id__in=pct_ids, is_active=True, role__in=list(PCT_ROLES)
    ).order_by("pk"):
        assert person.pct_id is not None
        people[person.pct_id].append(person)
    return people


def action_owners(action: PlanAction, people: list[User]) -> list[User]:
    """Who is reminded of an action: its owner is free text (a name, an email or a post such
    as "Director of finance"); if it names one of the PCT's people, that person, otherwise
    every one of the PCT's people, who can all update it (docs/decisions.md, "Reminders")."""
    owner = action.owner.strip().casefold()
    named = [p for p in people if owner in (p.email.casefold(), p.full_name.strip().casefold())]
    return named or people


def outstanding_plan_actions(since: dt.date | None, until: dt.date) -> Iterator[Outstanding]:
    """Actions not done of plans being drafted or agreed, due by ``until`` (§5 [rule] "On
    notice": actions, owners, due dates)."""
    actions = (
        PlanAction.objects.filter(
            due_on__lte=until, plan__status__in=[PlanStatus.DRAFT, PlanStatus.AGREED]
        )
        .exclude(status=ActionStatus.DONE)
        .select_related("plan", "plan__pct")
        .order_by("due_on", "pk")
    )
    if since is not None:
        actions = actions.filter(due_on__gte=since)
    actions = list(actions)
    people = _pct_people({a.plan.pct_id for a in actions})
    for action in actions:
        for person in action_owners(action, people.get(action.plan.pct_id, [])):
            yield Outstanding(
                person=person,
                thing=f"plan-action:{action.pk}",
                title=f"Action in {action.plan.title}: {Truncator(action.description).chars(80)}",
                deadline=action.due_on,
                link=reverse("freedoms:plan_detail", args=[action.plan_id]),
            )


def _calendar_pct_ids(user: User) -> Q | None:
    """Whose plans and reviews a person's calendar holds: a PCT's own people, its SHA's
    staff (not peer experts: never freedoms records, §6); DH's would be every PCT."""
    if user.is_pct_user:
        return Q(pct_id=user.pct_id)
    if user.is_sha_staff:
        return Q(pct__sha_id=user.sha_id)
    return None


def action_due_dates(user: User) -> Iterator[Entry]:
    scope = _calendar_pct_ids(user)
    if scope is None:
        return
    plans = Plan.objects.filter(scope, status__in=[PlanStatus.DRAFT, PlanStatus.AGREED])
    for action in (
        PlanAction.objects.filter(plan__in=plans)
        .exclude(status=ActionStatus.DONE)
        .select_related("plan", "plan__pct")
    ):
        yield Entry(
            uid=f"plan-action-{action.pk}@wcc-assurance",
            day=action.due_on,
            summary=f"Action due: {action.plan.pct.name}, {action.plan.title}",
            description=f"{action.description}\nOwner: {action.owner}",
            link=reverse("freedoms:plan_detail", args=[action.plan_id]),
        )


def review_dates(user: User) -> Iterator[Entry]:
    scope = _calendar_pct_ids(user)
    if scope is None:
        return
    for standing in Standing.objects.filter(scope).select_related("pct"):
        yield Entry(
            uid=f"review-{standing.pct_id}-{standing.next_review_due:%Y%m%d}@wcc-assurance",
            day=standing.next_review_due,
            summary=f"Performance review due: {standing.pct.name}",
            description=f"{standing.get_regime_display()} review (§5).",
        )
