"""Writes for what follows from a tier: one function per use case, atomic and audited.

The rules come from ``freedoms.eligibility`` (domain brief §5); these functions load rows,
ask the rules, save, and write the audit entry in the same transaction. Refusals raise
``ServiceError`` with the problems, each tied to a form field, for the view to show.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from assurance.models import PCT, AuditEntry, Publication, PublicationStatus, Role, User
from assurance.rules import consequences
from assurance.rules.consequences import FreedomCode
from assurance.rules.tiers import Tier
from assurance.services.audit import record
from assurance.services.errors import ServiceError
from freedoms import eligibility
from freedoms.models import (
    LIVE_FRANCHISE,
    ActionStatus,
    BudgetProposal,
    Decided,
    DecisionStatus,
    Designation,
    DesignationKind,
    DesignationStatus,
    Franchise,
    FranchiseStatus,
    Freedom,
    FundApplication,
    Grant,
    GrantStatus,
    InnovationFund,
    Plan,
    PlanAction,
    PlanStatus,
    ReviewRecord,
    Standing,
)
from freedoms.notifications import notify, pct_people, sha_leads


def _refuse(message: str, field_name: str = "") -> ServiceError:
    return ServiceError(message, field=field_name)


def _today() -> dt.date:
    return timezone.localdate()


def holds_freedom(pct: PCT, code: FreedomCode) -> bool:
    return Grant.objects.filter(
        pct=pct, freedom__code=code.value, status=GrantStatus.ACTIVE
    ).exists()


# --- Confirming a publication and granting what follows ----------------------------------


def _audit_many(entries: Iterable[AuditEntry]) -> None:
    """Audit entries for a whole publication's worth of changes in one statement: the same
    rows ``audit.record`` writes, without one INSERT per PCT."""
    AuditEntry.objects.bulk_create(list(entries), batch_size=500)


@dataclass
class GrantSummary:
    granted: int = 0
    lapsed: int = 0
    notices: int = 0
    discharged: int = 0
    escalated: int = 0
    support_packages: int = 0
    plans: int = 0
    carried_plans: int = 0
    flagged_franchises: int = 0
    pcts_granted: list[int] = field(default_factory=list)


@transaction.atomic
def confirm_publication(
    publication: Publication, *, by: User, now: dt.datetime | None = None
) -> GrantSummary:
    """DH staff confirm a complete publication; its tiers then take effect (§6, §5).

    ``now`` is when (default: the clock); the demo passes its cycle's calendar (§7), and
    the grants, notices and review calendar date from it."""
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if not by.is_dh:
        raise _refuse("Only DH staff can confirm a publication.")
    if publication.status != PublicationStatus.COMPLETE or publication.superseded_by_id:
        raise _refuse("Only a complete, current publication can be confirmed.")
    if publication.confirmed_at:
        raise _refuse("This publication has already been confirmed.")
    publication.confirmed_at = now or timezone.now()
    publication.confirmed_by = by
    publication.save(update_fields=["confirmed_at", "confirmed_by"])
    record(
        actor=by,
        action="publication.confirmed",
        obj=publication,
        label=f"Confirmed {publication}: freedoms, notices and plans follow",
        cycle=publication.cycle,
    )
    return grant_freedoms(publication, by=by, now=now)


def _tier_result(result: object) -> consequences.TierResult:
    return consequences.TierResult(
        tier=Tier(result.tier),  # type: ignore[attr-defined]
        governance=result.governance,  # type: ignore[attr-defined]
        competency_levels={str(k): int(v) for k, v in result.competency_levels.items()},  # type: ignore[attr-defined]
    )


@transaction.atomic
def grant_freedoms(
    publication: Publication, *, by: User | None, now: dt.datetime | None = None
) -> GrantSummary:
    """Turn a confirmed publication into grants, notices, support packages, plans and regimes.

    A PCT that moved out of a tier has its grants lapsed and its notice discharged or
    escalated, kept in history with the publication that ended them. Safe to run twice.
    ``now`` dates the grants and starts the review calendar (default: the clock).
    """
    if not publication.confirmed_at:
        raise _refuse("Confirm the publication before granting what follows from it.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    summary = GrantSummary()
    freedoms = {f.code: f for f in Freedom.objects.all()}
    if set(freedoms) != {c.value for c in FreedomCode}:
        raise _refuse("The freedoms catalogue is not loaded: run manage.py load_freedoms.")
    results = list(publication.results.select_related("pct"))
    tiers = {r.pct_id: Tier(r.tier) for r in results}
    freedoms_pcts = {pid for pid, tier in tiers.items() if tier is Tier.FREEDOMS}

    # Grants: lapse those of PCTs that left the freedoms tier; flag their franchises.
    lapsing = Grant.objects.filter(status=GrantStatus.ACTIVE).exclude(pct_id__in=freedoms_pcts)
    lost_franchising = set(
        lapsing.filter(freedom__code=FreedomCode.FRANCHISING).values_list("pct_id", flat=True)
    )
    lapsed_by_pct: dict[int, list[str]] = defaultdict(list)
    for pct_id, name in lapsing.values_list("pct_id", "freedom__name"):
        lapsed_by_pct[pct_id].append(name)
    _audit_many(
        AuditEntry(
            actor=by,
            action="grant.lapsed",
            object_type="assurance.pct",
            object_id=pct_id,
            label=f"{len(names)} freedoms lapsed at {publication}"[:200],
            cycle=publication.cycle,
            pct_id=pct_id,
            old_value=", ".join(names),
            new_value=GrantStatus.LAPSED,
        )
        for pct_id, names in lapsed_by_pct.items()
    )
    summary.lapsed = lapsing.update(
        status=GrantStatus.LAPSED, ended_by_publication=publication, ended_at=now
    )
    if lost_franchising:
        summary.flagged_franchises = Franchise.objects.filter(
            franchisor_id__in=lost_franchising, status__in=LIVE_FRANCHISE
        ).update(
            needs_sha_review=True,
            review_reason=f"The franchisor lost the franchising freedom in {publication}.",
        )
    held = defaultdict(set)
    for pct_id, code in Grant.objects.filter(status=GrantStatus.ACTIVE).values_list(
        "pct_id", "freedom__code"
    ):
        held[pct_id].add(code)
    new_grants = [
        Grant(
            pct_id=pct_id,
            freedom=freedoms[code.value],
            publication=publication,
            granted_at=now,
            granted_by=by,
        )
        for pct_id in sorted(freedoms_pcts)
        for code in consequences.ALL_FREEDOMS
        if code.value not in held[pct_id]
    ]
    Grant.objects.bulk_create(new_grants)
    summary.granted = len(new_grants)
    summary.pcts_granted = sorted({g.pct_id for g in new_grants})

    _settle_designations(publication, tiers, now, summary)
    _update_standings(publication, results, today)
    _require_plans(publication, results, summary, by)

    by_pct = {r.pct_id: r.pct for r in results}
    _audit_many(
        AuditEntry(
            actor=by,
            action="grant.created",
            object_type="assurance.pct",
            object_id=pct_id,
            label=f"Freedoms granted to {by_pct[pct_id]} by {publication}"[:200],
            cycle=publication.cycle,
            pct_id=pct_id,
        )
        for pct_id in summary.pcts_granted
    )
    staff = defaultdict(list)
    for person in User.objects.filter(pct_id__in=summary.pcts_granted, is_active=True):
        staff[person.pct_id].append(person)
    catalogue = sorted(freedoms.values(), key=lambda f: f.number)
    for pct_id in summary.pcts_granted:
        pct = by_pct[pct_id]
        notify(
            f"grant:{publication.pk}:{pct_id}",
            "freedoms_granted",
            f"{pct} has earned the freedoms of world class commissioning",
            staff[pct_id],
            {"pct": pct, "publication": publication, "freedoms": catalogue},
            link=reverse("freedoms:mine"),
        )
    record(
        actor=by,
        action="freedoms.granted",
        obj=publication,
        label=(
            f"{summary.granted} grants, {summary.lapsed} lapsed, {summary.notices} notices, "
            f"{summary.support_packages} support packages, {summary.plans} plans, "
            f"{summary.carried_plans} plans carried over"
        ),
        cycle=publication.cycle,
    )
    return summary


def _settle_designations(
    publication: Publication, tiers: dict[int, Tier], now: dt.datetime, summary: GrantSummary
) -> None:
    """Discharge or escalate notices, end support packages, create new ones (§5)."""
    wanted = {
        (pid, DesignationKind.NOTICE if tier is Tier.NOTICE else DesignationKind.SUPPORT)
        for pid, tier in tiers.items()
        if tier is not Tier.FREEDOMS
    }
    kept: set[tuple[int, str]] = set()
    ended: dict[tuple[str, str], list[int]] = defaultdict(list)
    entries: list[AuditEntry] = []
    for designation in Designation.objects.filter(status=DesignationStatus.ACTIVE).select_related(
        "publication", "pct"
    ):
        key = (designation.pct_id, designation.kind)
        if designation.publication.cycle_id == publication.cycle_id and key in wanted:
            kept.add(key)  # a corrected version of the same cycle: nothing has happened yet
            continue
        if designation.kind == DesignationKind.NOTICE:
            if designation.publication.cycle_id == publication.cycle_id:
                status, reason = DesignationStatus.ENDED, f"Not on notice in {publication}."
            else:
                outcome = eligibility.notice_outcome(tiers.get(designation.pct_id))
                status = DesignationStatus(outcome.value)
                reason = f"{outcome.value.capitalize()} at {publication}."
                if outcome is eligibility.NoticeOutcome.DISCHARGED:
                    summary.discharged += 1
                else:
                    summary.escalated += 1
        elif key in wanted:
            kept.add(key)  # still in the support tier: the package carries on
            continue
        else:
            status, reason = DesignationStatus.ENDED, f"Left the support tier at {publication}."
        entries.append(
            AuditEntry(
                action=f"{designation.kind}.{status}",
                object_type=designation._meta.label_lower,
                object_id=designation.pk,
                label=f"{designation}: {reason}"[:200],
                cycle=publication.cycle,
                pct_id=designation.pct_id,
                old_value=designation.status,
                new_value=status,
            )
        )
        ended[(status, reason)].append(designation.pk)
    for (status, reason), pks in ended.items():
        Designation.objects.filter(pk__in=pks).update(
            status=status, ended_by_publication=publication, ended_at=now, outcome_reason=reason
        )
    _audit_many(entries)
    new = [
        Designation(pct_id=pid, kind=kind, publication=publication, created_at=now)
        for pid, kind in sorted(wanted - kept)
    ]
    Designation.objects.bulk_create(new)
    summary.notices = sum(d.kind == DesignationKind.NOTICE for d in new)
    summary.support_packages = sum(d.kind == DesignationKind.SUPPORT for d in new)


def _update_standings(publication: Publication, results: list, today: dt.date) -> None:
    """Set each PCT's tier and regime. Set-based: one UPDATE per tier, whatever the count."""
    existing = dict(
        Standing.objects.filter(pct_id__in=[r.pct_id for r in results]).values_list(
            "pct_id", "regime"
        )
    )
    same: dict[Tier, list[int]] = defaultdict(list)
    restart: dict[Tier, list[int]] = defaultdict(list)
    to_create = []
    for result in results:
        tier = Tier(result.tier)
        regime = consequences.REGIME_BY_TIER[tier]
        if existing.get(result.pct_id) == regime.value:
            # Same regime: the review calendar carries on from the last review.
            same[tier].append(result.pct_id)
        elif result.pct_id in existing:
            restart[tier].append(result.pct_id)
        else:
            to_create.append(
                Standing(
                    pct_id=result.pct_id,
                    publication=publication,
                    tier=tier.value,
                    regime=regime.value,
                    since=today,
                    next_review_due=eligibility.next_review_due(regime, today, None),
                )
            )
    Standing.objects.bulk_create(to_create, batch_size=500)
    for tier, pct_ids in same.items():
        Standing.objects.filter(pct_id__in=pct_ids).update(publication=publication, tier=tier.value)
    for tier, pct_ids in restart.items():
        regime = consequences.REGIME_BY_TIER[tier]
        Standing.objects.filter(pct_id__in=pct_ids).update(
            publication=publication,
            tier=tier.value,
            regime=regime.value,
            since=today,
            last_review_on=None,
            next_review_due=eligibility.next_review_due(regime, today, None),
        )


def _require_plans(
    publication: Publication, results: list, summary: GrantSummary, by: User | None
) -> None:
    """Open the plans this publication requires and close those it does not (§2.2, §5).

    A corrected version of the same cycle (a later version, §8) changes nothing that has
    happened: an open plan whose subject it still requires is carried over — the same row,
    moved to the new version, with its actions and its agreed status (a new title if the
    rating or level in it changed) — and a plan it no longer requires is closed, saying so.
    A later cycle's publication closes every earlier plan: next year's plans start afresh.
    """
    required = {
        (result.pct_id, plan.subject): plan
        for result in results
        for plan in consequences.required_plans(_tier_result(result))
    }
    open_plans = (
        Plan.objects.filter(status__in=[PlanStatus.DRAFT, PlanStatus.AGREED])
        .exclude(publication=publication)
        .select_related("publication")
        .order_by("-publication__version", "pk")
    )
    existing = set(Plan.objects.filter(publication=publication).values_list("pct_id", "subject"))
    carried: list[Plan] = []
    closing: dict[str, list[Plan]] = defaultdict(list)
    for plan in open_plans:
        key = (plan.pct_id, plan.subject)
        earlier_version = (
            plan.publication.cycle_id == publication.cycle_id
            and plan.publication.version < publication.version
        )
        if earlier_version and key in required and key not in existing:
            existing.add(key)  # the latest version's plan carries over
            carried.append(plan)
            continue
        if earlier_version and key not in required:
            reason = f"No longer required by {publication} (a corrected version)."
        else:
            reason = f"Replaced by the plans of {publication}."
        closing[reason].append(plan)

    Plan.objects.filter(pk__in=[p.pk for p in carried]).update(publication=publication)
    entries = []
    for plan in carried:
        title = required[(plan.pct_id, plan.subject)].title
        entries.append(
            AuditEntry(
                actor=by,
                action="plan.carried_over",
                object_type=plan._meta.label_lower,
                object_id=plan.pk,
                label=f"{title} carried over to {publication}"[:200],
                cycle=publication.cycle,
                pct_id=plan.pct_id,
                field="publication",
                old_value=str(plan.publication),
                new_value=str(publication),
            )
        )
        if title != plan.title:
            Plan.objects.filter(pk=plan.pk).update(title=title)
            entries.append(
                AuditEntry(
                    actor=by,
                    action="plan.retitled",
                    object_type=plan._meta.label_lower,
                    object_id=plan.pk,
                    label=f"{title}: as {publication} requires it"[:200],
                    cycle=publication.cycle,
                    pct_id=plan.pct_id,
                    field="title",
                    old_value=plan.title,
                    new_value=title,
                )
            )
    for reason, plans in closing.items():
        Plan.objects.filter(pk__in=[p.pk for p in plans]).update(
            status=PlanStatus.CLOSED, closed_by_publication=publication, closed_reason=reason
        )
        entries.extend(
            AuditEntry(
                actor=by,
                action="plan.closed",
                object_type=plan._meta.label_lower,
                object_id=plan.pk,
                label=f"{plan.title} closed"[:200],
                cycle=publication.cycle,
                pct_id=plan.pct_id,
                old_value=plan.status,
                new_value=PlanStatus.CLOSED,
                reason=reason,
            )
            for plan in plans
        )
    _audit_many(entries)
    plans = [
        Plan(
            pct_id=pct_id,
            publication=publication,
            kind=plan.kind.value,
            subject=plan.subject,
            title=plan.title,
        )
        for (pct_id, _subject), plan in required.items()
        if (pct_id, plan.subject) not in existing
    ]
    Plan.objects.bulk_create(plans)
    summary.plans = len(plans)
    summary.carried_plans = len(carried)


# --- Performance-management reviews ----------------------------------------------------


@transaction.atomic
def record_review(pct: PCT, *, by: User, held_on: dt.date, summary: str) -> ReviewRecord:
    """An SHA records a review it held with one of its PCTs; the calendar moves on."""
    if not (by.is_sha_user and by.sha_id == pct.sha_id and by.role != Role.PEER_EXPERT):
        raise _refuse("Only the PCT's SHA can record its reviews.")
    standing = Standing.objects.select_for_update().filter(pct=pct).first()
    if standing is None:
        raise _refuse("This PCT has no confirmed tier, so no review regime yet.")
    if held_on > _today():
        raise _refuse("The review date cannot be in the future.", "held_on")
    if not summary.strip():
        raise _refuse("Enter a summary of the review.", "summary")
    review = ReviewRecord.objects.create(
        pct=pct, regime=standing.regime, held_on=held_on, summary=summary.strip(), recorded_by=by
    )
    if standing.last_review_on is None or held_on >= standing.last_review_on:
        standing.last_review_on = held_on
        standing.next_review_due = eligibility.next_review_due(
            consequences.Regime(standing.regime), standing.since, held_on
        )
        standing.save(update_fields=["last_review_on", "next_review_due"])
    record(
        actor=by,
        action="review.recorded",
        obj=review,
        label=f"{standing.get_regime_display()} review of {pct} held {held_on:%-d %B %Y}",
        pct=pct,
        new=standing.next_review_due,
    )
    return review


# --- Franchising -----------------------------------------------------------------------


def _franchise_mail(franchise: Franchise, step: str, subject: str, to: list[User]) -> None:
    notify(
        f"franchise:{franchise.pk}:{step}",
        f"franchise_{step}",
        subject,
        to,
        {"franchise": franchise},
        link=reverse("freedoms:franchise_detail", args=[franchise.pk]),
    )


def _tier_of(pct: PCT) -> Tier | None:
    """The PCT's tier from the latest confirmed publication, None before any (its standing)."""
    standing = Standing.objects.filter(pct=pct).first()
    return Tier(standing.tier) if standing else None


def _put_forward(
    *,
    by: User,
    franchisor: PCT,
    receiver: PCT,
    initiator: eligibility.Initiator,
    service: str,
    all_services: bool,
    starts_on: dt.date,
    ends_on: dt.date,
    now: dt.datetime | None,
) -> Franchise:
    """Check a proposal or a request against the rules (§5) and save it, still to be
    answered. The caller holds the lock on the receiving PCT's row."""
    existing = [
        eligibility.Agreement(f.service, f.all_services, f.starts_on, f.ends_on)
        for f in Franchise.objects.filter(receiver=receiver, status__in=LIVE_FRANCHISE)
    ]
    problems = eligibility.franchise_problems(
        eligibility.FranchiseProposal(
            franchisor_id=franchisor.pk,
            receiver_id=receiver.pk,
            franchisor_holds_freedom=holds_freedom(franchisor, FreedomCode.FRANCHISING),
            receiver_tier=_tier_of(receiver),
            service=service,
            all_services=all_services,
            starts_on=starts_on,
            ends_on=ends_on,
            initiator=initiator,
        ),
        existing,
    )
    if problems:
        raise ServiceError(problems=problems)
    return Franchise.objects.create(
        franchisor=franchisor,
        receiver=receiver,
        initiator=initiator.value,
        service="" if all_services else service.strip(),
        all_services=all_services,
        starts_on=starts_on,
        ends_on=ends_on,
        proposed_by=by,
        proposed_at=now or timezone.now(),
    )


@transaction.atomic
def propose_franchise(
    *,
    by: User,
    receiver: PCT,
    service: str,
    all_services: bool,
    starts_on: dt.date,
    ends_on: dt.date,
    now: dt.datetime | None = None,
) -> Franchise:
    """A franchising-freedom PCT proposes to commission for a poorer performer (§5).
    ``now`` is when (default: the clock; the demo passes its cycle's calendar)."""
    if not by.is_pct_user or by.pct_id is None:
        raise _refuse("Only PCT staff can propose a franchise.")
    # Lock the receiving PCT's row: two proposals for it are checked one after the other.
    receiver = PCT.objects.select_for_update().select_related("sha").get(pk=receiver.pk)
    franchisor = by.pct
    franchise = _put_forward(
        by=by,
        franchisor=franchisor,
        receiver=receiver,
        initiator=eligibility.Initiator.FRANCHISOR,
        service=service,
        all_services=all_services,
        starts_on=starts_on,
        ends_on=ends_on,
        now=now,
    )
    record(
        actor=by,
        action="franchise.proposed",
        obj=franchise,
        label=f"{franchisor} proposed to franchise {franchise.scope} for {receiver}",
        pct=receiver,
        new=FranchiseStatus.PROPOSED,
    )
    _franchise_mail(
        franchise,
        "proposed",
        f"{franchisor} proposes a franchise for {receiver}",
        pct_people(receiver, approvers_only=True),
    )
    return franchise


@transaction.atomic
def request_franchise(
    *,
    by: User,
    franchisor: PCT,
    service: str,
    all_services: bool,
    starts_on: dt.date,
    ends_on: dt.date,
    now: dt.datetime | None = None,
) -> Franchise:
    """A poorer PCT asks a top PCT for help (issue 12; the record: "from a poorer PCT
    requesting help to commission an individual service to a top PCT stepping in").

    The approver of a PCT in the support or on-notice tier names a PCT holding the
    franchising freedom; that PCT's approver accepts or declines, then the receiving PCT's
    SHA lead approves, as for a proposal. The same rules as a proposal (§5) apply."""
    if not by.is_pct_approver or by.pct_id is None:
        raise _refuse("Only your PCT's approver can ask another PCT for a franchise.")
    # Lock the receiving PCT's row, as a proposal does: its live franchises are checked.
    receiver = PCT.objects.select_for_update().select_related("sha").get(pk=by.pct_id)
    franchise = _put_forward(
        by=by,
        franchisor=franchisor,
        receiver=receiver,
        initiator=eligibility.Initiator.RECEIVER,
        service=service,
        all_services=all_services,
        starts_on=starts_on,
        ends_on=ends_on,
        now=now,
    )
    record(
        actor=by,
        action="franchise.requested",
        obj=franchise,
        label=f"{receiver} asked {franchisor} to franchise {franchise.scope}",
        pct=receiver,
        new=FranchiseStatus.PROPOSED,
    )
    _franchise_mail(
        franchise,
        "requested",
        f"{receiver} asks {franchisor} to franchise {franchise.scope}",
        pct_people(franchisor, approvers_only=True),
    )
    return franchise


def _locked(franchise: Franchise) -> Franchise:
    return (
        Franchise.objects.select_for_update()
        .select_related("franchisor", "receiver", "receiver__sha")
        .get(pk=franchise.pk)
    )


def _recheck(franchise: Franchise) -> None:
    """Refuse a step if tiers changed since the franchise was put forward (issue 12): the
    receiving PCT must still be in the support or on-notice tier, the franchisor must still
    hold the franchising freedom. Nothing is saved when it refuses."""
    problems = eligibility.franchise_step_problems(
        receiver=str(franchise.receiver),
        receiver_tier=_tier_of(franchise.receiver),
        franchisor=str(franchise.franchisor),
        franchisor_holds_freedom=holds_freedom(franchise.franchisor, FreedomCode.FRANCHISING),
    )
    if problems:
        raise ServiceError(problems=problems)


def _step(franchise: Franchise, by: User, action: str, old: str, reason: str = "") -> None:
    record(
        actor=by,
        action=f"franchise.{action}",
        obj=franchise,
        label=f"Franchise {franchise}: {franchise.get_status_display()}",
        pct=franchise.receiver,
        old=old,
        new=franchise.status,
        reason=reason,
    )


@transaction.atomic
def accept_franchise(
    franchise: Franchise, *, by: User, now: dt.datetime | None = None
) -> Franchise:
    """The receiving PCT's approver accepts a proposed franchise."""
    franchise = _locked(franchise)
    if not (by.is_pct_approver and by.pct_id == franchise.answering_pct_id):
        if franchise.requested:
            raise _refuse(f"Only {franchise.franchisor}'s approver can accept this request.")
        raise _refuse("Only the receiving PCT's approver can accept a franchise.")
    if franchise.status != FranchiseStatus.PROPOSED:
        raise _refuse("Only a proposed franchise can be accepted.")
    _recheck(franchise)
    franchise.status = FranchiseStatus.ACCEPTED
    franchise.accepted_by = by
    franchise.accepted_at = now or timezone.now()
    franchise.save(update_fields=["status", "accepted_by", "accepted_at"])
    _step(franchise, by, "accepted", FranchiseStatus.PROPOSED)
    asker = franchise.receiver if franchise.requested else franchise.franchisor
    _franchise_mail(
        franchise,
        "accepted",
        f"Franchise for {franchise.receiver} accepted: SHA approval needed",
        sha_leads(franchise.receiver.sha) + pct_people(asker),
    )
    return franchise


@transaction.atomic
def approve_franchise(
    franchise: Franchise, *, by: User, now: dt.datetime | None = None
) -> Franchise:
    """The receiving PCT's SHA lead approves an accepted franchise; it runs between its dates."""
    franchise = _locked(franchise)
    if not (by.is_sha_lead and by.sha_id == franchise.receiver.sha_id):
        raise _refuse("Only the receiving PCT's SHA lead can approve a franchise.")
    if franchise.status != FranchiseStatus.ACCEPTED:
        raise _refuse("Only a franchise both PCTs have accepted can be approved.")
    _recheck(franchise)
    franchise.status = FranchiseStatus.APPROVED
    franchise.approved_by = by
    franchise.approved_at = now or timezone.now()
    franchise.save(update_fields=["status", "approved_by", "approved_at"])
    _step(franchise, by, "approved", FranchiseStatus.ACCEPTED)
    _franchise_mail(
        franchise,
        "approved",
        f"Franchise approved: {franchise.franchisor} for {franchise.receiver}",
        pct_people(franchise.receiver) + pct_people(franchise.franchisor),
    )
    return franchise


def can_request_franchise(user: User, standing: Standing | None) -> bool:
    """Whether the user may ask another PCT for a franchise: its approver, while the PCT is
    in the support or on-notice tier (request_franchise says why not, if asked anyway)."""
    return bool(
        user.is_pct_approver and standing is not None and standing.tier != Tier.FREEDOMS.value
    )


def can_answer_franchise(franchise: Franchise, user: User) -> bool:
    """Whether the user is the approver who accepts or declines it now."""
    return (
        franchise.status == FranchiseStatus.PROPOSED
        and user.is_pct_approver
        and user.pct_id == franchise.answering_pct_id
    )


def can_end_franchise(franchise: Franchise, user: User) -> bool:
    return (
        user.is_pct_approver and user.pct_id in {franchise.franchisor_id, franchise.receiver_id}
    ) or (user.is_sha_lead and user.sha_id == franchise.receiver.sha_id)


def _stop(
    franchise: Franchise,
    by: User,
    status: str,
    reason: str,
    step: str,
    subject: str,
    also_save: list[str] | None = None,
) -> Franchise:
    """A franchise stops (declined or ended early): who, when and why, in the trail, and
    both PCTs are told."""
    old = franchise.status
    franchise.status = status
    franchise.ended_by = by
    franchise.ended_at = timezone.now()
    franchise.end_reason = reason.strip()
    franchise.save(
        update_fields=["status", "ended_by", "ended_at", "end_reason", *(also_save or [])]
    )
    _step(franchise, by, step, old, reason)
    _franchise_mail(
        franchise,
        step,
        f"{subject}: {franchise.franchisor} for {franchise.receiver}",
        pct_people(franchise.receiver) + pct_people(franchise.franchisor),
    )
    return franchise


@transaction.atomic
def decline_franchise(franchise: Franchise, *, by: User, reason: str) -> Franchise:
    """The approver asked (when proposed or requested) or the receiving SHA lead (when
    accepted) says no, with a reason."""
    franchise = _locked(franchise)
    allowed = can_answer_franchise(franchise, by) or (
        franchise.status == FranchiseStatus.ACCEPTED
        and by.is_sha_lead
        and by.sha_id == franchise.receiver.sha_id
    )
    if not allowed:
        raise _refuse("You cannot decline this franchise at this step.")
    if not reason.strip():
        raise _refuse("Enter the reason for declining.", "reason")
    franchise.needs_sha_review = False  # nothing left for the SHA lead to review
    return _stop(
        franchise,
        by,
        FranchiseStatus.DECLINED,
        reason,
        "declined",
        "Franchise declined",
        also_save=["needs_sha_review"],
    )


@transaction.atomic
def end_franchise(franchise: Franchise, *, by: User, reason: str) -> Franchise:
    """End an approved franchise early, with a reason (either PCT's approver or the SHA lead)."""
    franchise = _locked(franchise)
    if not can_end_franchise(franchise, by):
        raise _refuse("Only either PCT's approver or the receiving SHA's lead can end it.")
    if franchise.status != FranchiseStatus.APPROVED:
        raise _refuse("Only an approved franchise can be ended early.")
    if not reason.strip():
        raise _refuse("Enter the reason for ending the franchise early.", "reason")
    franchise.needs_sha_review = False
    return _stop(
        franchise,
        by,
        FranchiseStatus.ENDED,
        reason,
        "ended",
        "Franchise ended early",
        also_save=["needs_sha_review"],
    )


@transaction.atomic
def keep_flagged_franchise(franchise: Franchise, *, by: User, reason: str) -> Franchise:
    """The SHA lead reviews a flagged franchise and lets it run on, saying why."""
    franchise = _locked(franchise)
    if not (by.is_sha_lead and by.sha_id == franchise.receiver.sha_id):
        raise _refuse("Only the receiving PCT's SHA lead can review a flagged franchise.")
    if not franchise.needs_sha_review:
        raise _refuse("This franchise is not flagged for review.")
    if not reason.strip():
        raise _refuse("Enter why the franchise may continue.", "reason")
    franchise.needs_sha_review = False
    franchise.save(update_fields=["needs_sha_review"])
    record(
        actor=by,
        action="franchise.review_kept",
        obj=franchise,
        label=f"Franchise {franchise} kept after SHA review",
        pct=franchise.receiver,
        reason=reason.strip(),
    )
    return franchise


# --- Multi-year budgets ------------------------------------------------------------------


@transaction.atomic
def submit_budget_proposal(
    *,
    by: User,
    title: str,
    first_year: int,
    amounts: list[Decimal],
    rationale: str,
    now: dt.datetime | None = None,
) -> BudgetProposal:
    """A holder of the multi-year budgets freedom submits a specific proposal (§5 #4)."""
    if not by.is_pct_user or by.pct is None:
        raise _refuse("Only PCT staff can submit a budget proposal.")
    if not holds_freedom(by.pct, FreedomCode.MULTI_YEAR_BUDGETS):
        raise _refuse("Your PCT does not hold the multi-year budgets freedom.")
    problems = eligibility.budget_problems(len(amounts), amounts)
    if problems:
        raise ServiceError(problems=problems)
    proposal = BudgetProposal.objects.create(
        pct=by.pct,
        title=title.strip(),
        first_year=first_year,
        amounts=[str(a) for a in amounts],
        rationale=rationale.strip(),
        submitted_by=by,
        submitted_at=now or timezone.now(),
    )
    record(
        actor=by,
        action="budget.submitted",
        obj=proposal,
        label=f"Multi-year budget proposal “{proposal.title}” (£{proposal.total:,.0f})",
        pct=by.pct,
    )
    return proposal


def _record_decision(
    obj: Decided,
    *,
    by: User,
    approve: bool,
    reason: str,
    action: str,
    kind: str = "Budget proposal",
    now: dt.datetime | None = None,
) -> None:
    """Approve, or reject with a reason, a submitted proposal or application, and audit it."""
    obj.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    obj.decided_by = by
    obj.decided_at = now or timezone.now()
    obj.decision_reason = reason.strip()
    obj.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record(
        actor=by,
        action=f"{action}.{obj.status}",
        obj=obj,
        label=f"{kind} “{obj.title}” {obj.status}",
        pct=obj.pct,
        old=DecisionStatus.SUBMITTED,
        new=obj.status,
        reason=obj.decision_reason,
    )


@transaction.atomic
def decide_budget_proposal(
    proposal: BudgetProposal, *, by: User, approve: bool, reason: str
) -> BudgetProposal:
    """The PCT's SHA lead approves, or rejects with a reason."""
    proposal = BudgetProposal.objects.select_for_update().select_related("pct").get(pk=proposal.pk)
    if not (by.is_sha_lead and by.sha_id == proposal.pct.sha_id):
        raise _refuse("Only the PCT's SHA lead can decide a budget proposal.")
    if proposal.status != DecisionStatus.SUBMITTED:
        raise _refuse("This proposal has already been decided.")
    if not approve and not reason.strip():
        raise _refuse("Enter the reason for rejecting the proposal.", "reason")
    _record_decision(proposal, by=by, approve=approve, reason=reason, action="budget")
    return proposal


# --- Innovation fund ------------------------------------------------------------------------


@transaction.atomic
def apply_to_fund(
    fund: InnovationFund,
    *,
    by: User,
    title: str,
    amount: Decimal,
    summary: str,
    now: dt.datetime | None = None,
) -> FundApplication:
    """Any PCT may apply; holders of the freedom are assessed first (§5 #6)."""
    if not by.is_pct_user or by.pct is None:
        raise _refuse("Only PCT staff can apply to the innovation fund.")
    if amount <= 0:
        raise _refuse("Enter an amount more than £0.", "amount")
    if amount > fund.pot:
        raise _refuse(f"The whole fund is £{fund.pot:,.0f}: ask for less.", "amount")
    application = FundApplication.objects.create(
        fund=fund,
        pct=by.pct,
        title=title.strip(),
        amount=amount,
        summary=summary.strip(),
        submitted_by=by,
        submitted_at=now or timezone.now(),
    )
    record(
        actor=by,
        action="fund.applied",
        obj=application,
        label=f"Applied to the {fund} for £{amount:,.0f}: {application.title}",
        pct=by.pct,
    )
    return application


def approved_total(fund: InnovationFund) -> Decimal:
    total = fund.applications.filter(status=DecisionStatus.APPROVED).aggregate(s=Sum("amount"))
    return total["s"] or Decimal(0)


@transaction.atomic
def decide_fund_application(
    application: FundApplication,
    *,
    by: User,
    approve: bool,
    reason: str,
    now: dt.datetime | None = None,
) -> FundApplication:
    """DH staff decide an application. Approvals never exceed the pot.

    Why the lock: two DH staff approving at once would each see the same remaining money.
    ``select_for_update`` on the fund row makes the second wait until the first commits,
    then count the first's approval (on SQLite the whole database is locked anyway).
    """
    if not by.is_dh:
        raise _refuse("Only DH staff can decide innovation fund applications.")
    fund = InnovationFund.objects.select_for_update().get(pk=application.fund_id)
    application = FundApplication.objects.select_related("pct").get(pk=application.pk)
    if application.status != DecisionStatus.SUBMITTED:
        raise _refuse("This application has already been decided.")
    if not approve and not reason.strip():
        raise _refuse("Enter the reason for rejecting the application.", "reason")
    if approve and not eligibility.fund_can_approve(
        fund.pot, [approved_total(fund)], application.amount
    ):
        remaining = eligibility.fund_remaining(fund.pot, [approved_total(fund)])
        raise _refuse(
            f"Approving £{application.amount:,.0f} would exceed the fund: "
            f"£{remaining:,.0f} is left."
        )
    _record_decision(
        application,
        by=by,
        approve=approve,
        reason=reason,
        action="fund",
        kind=f"{fund} application",
        now=now,
    )
    return application


# --- Plans ------------------------------------------------------------------------------


def _plan_locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("pct", "pct__sha").get(pk=plan.pk)


@transaction.atomic
def add_plan_action(
    plan: Plan, *, by: User, description: str, owner: str, due_on: dt.date
) -> PlanAction:
    """The PCT adds an action (owner, due date) to a plan it is drafting."""
    plan = _plan_locked(plan)
    if not (by.is_pct_user and by.pct_id == plan.pct_id):
        raise _refuse("Only the PCT's own staff can add actions to its plan.")
    if plan.status != PlanStatus.DRAFT:
        raise _refuse("The plan has been agreed: its actions can no longer change.")
    action = PlanAction.objects.create(
        plan=plan, description=description.strip(), owner=owner.strip(), due_on=due_on
    )
    record(
        actor=by,
        action="plan.action_added",
        obj=action,
        label=f"{plan.title}: action due {due_on:%-d %B %Y} ({owner})",
        pct=plan.pct,
    )
    return action


@transaction.atomic
def update_action_status(action: PlanAction, *, by: User, status: str) -> PlanAction:
    """The PCT reports progress on an action of an open plan."""
    action = (
        PlanAction.objects.select_for_update().select_related("plan", "plan__pct").get(pk=action.pk)
    )
    if not (by.is_pct_user and by.pct_id == action.plan.pct_id):
        raise _refuse("Only the PCT's own staff can update its actions.")
    if action.plan.status == PlanStatus.CLOSED:
        raise _refuse("The plan is closed.")
    if status not in ActionStatus.values:
        raise _refuse("Choose a status.", "status")
    old = action.status
    action.status = status
    action.save(update_fields=["status"])
    record(
        actor=by,
        action="plan.action_status",
        obj=action,
        label=f"{action.plan.title}: action now {action.get_status_display().lower()}",
        pct=action.plan.pct,
        old=old,
        new=status,
    )
    return action


@transaction.atomic
def agree_plan(plan: Plan, *, by: User, now: dt.datetime | None = None) -> Plan:
    """The PCT's SHA agrees the plan (§2.2: a recovery plan agreed with the SHA)."""
    plan = _plan_locked(plan)
    if not (by.is_sha_user and by.role != Role.PEER_EXPERT and by.sha_id == plan.pct.sha_id):
        raise _refuse("Only the PCT's SHA can agree its plan.")
    if plan.status != PlanStatus.DRAFT:
        raise _refuse("Only a plan being drafted can be agreed.")
    if not plan.actions.exists():
        raise _refuse("A plan needs at least one action before it can be agreed.")
    plan.status = PlanStatus.AGREED
    plan.agreed_by = by
    plan.agreed_at = now or timezone.now()
    plan.save(update_fields=["status", "agreed_by", "agreed_at"])
    record(
        actor=by,
        action="plan.agreed",
        obj=plan,
        label=f"{plan.title} agreed with {plan.pct.sha}",
        pct=plan.pct,
        old=PlanStatus.DRAFT,
        new=PlanStatus.AGREED,
    )
    notify(
        f"plan:{plan.pk}:agreed",
        "plan_agreed",
        f"{plan.title} agreed with {plan.pct.sha}",
        pct_people(plan.pct),
        {"plan": plan},
        link=reverse("freedoms:plan_detail", args=[plan.pk]),
    )
    return plan


@transaction.atomic
def set_grants_notes(changes: list[tuple[Grant, str]], *, by: User) -> None:
    """Several grants' notes saved together (one page, one form): all or none."""
    for grant, notes in changes:
        set_grant_notes(grant, by=by, notes=notes)


@transaction.atomic
def set_grant_notes(grant: Grant, *, by: User, notes: str) -> Grant:
    """DH staff note what a grant means in practice (e.g. the seat at the table, §5 #3, #7)."""
    if not by.is_dh:
        raise _refuse("Only DH staff can write notes on a grant.")
    grant = Grant.objects.select_for_update().select_related("pct", "freedom").get(pk=grant.pk)
    if grant.status != GrantStatus.ACTIVE:
        raise _refuse("A lapsed grant is kept as it was.")
    old = grant.notes
    grant.notes = notes.strip()
    grant.save(update_fields=["notes"])
    record(
        actor=by,
        action="grant.notes",
        obj=grant,
        label=f"Notes on {grant.freedom} for {grant.pct}",
        pct=grant.pct,
        field="notes",
        old=old,
        new=grant.notes,
    )
    return grant
