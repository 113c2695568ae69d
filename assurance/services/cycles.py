"""Write paths of the assurance cycle (domain brief §3, §4): DH staff run the year.

Creating a cycle (or starting it from last year's), opening, closing and reopening
phases (each recorded as a PhaseChange with who, when and why), and the cycle's rule
settings, editable until the cycle's results are published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from assurance.models import (
    Cycle,
    Framework,
    OutcomeIndicator,
    Phase,
    PhaseChange,
    PhaseKind,
    PhaseStatus,
    Publication,
    PublicationStatus,
)
from assurance.rules import cycles as cycle_rules
from assurance.services import audit, self_assessment
from assurance.services.errors import NotAllowed, ServiceError

RULE_SETTINGS = (
    "freedoms_cap",
    "notice_cap",
    "min_level_four",
    "elite_share",
    "outcome_threshold",
    # Due process (§8): the factual accuracy check's default length and the review window.
    "accuracy_check_days",
    "review_days",
)

PhaseDates = Mapping[int, tuple[dt.date, dt.date]]


def _require_dh(actor: Any) -> None:
    if not actor.is_dh:
        raise NotAllowed("Only DH staff can run the assurance cycle.")


def is_published(cycle: Cycle) -> bool:
    """A cycle counts as published once a publication of it has completed (§3 phase 5)."""
    return Publication.objects.filter(cycle=cycle, status=PublicationStatus.COMPLETE).exists()


@transaction.atomic
def create_cycle(
    actor: Any,
    *,
    year_label: str,
    framework: Framework,
    phase_dates: PhaseDates,
    previous: Cycle | None = None,
    settings: Mapping[str, Any] | None = None,
    indicators: list[OutcomeIndicator] | None = None,
) -> Cycle:
    """A new cycle with its five phases, all not yet open (§3).

    ``settings`` overrides the rule settings' defaults (§4); ``indicators`` is the
    national outcome menu (default: every active indicator).
    """
    _require_dh(actor)
    if not cycle_rules.valid_year_label(year_label):
        raise ServiceError("Enter the year like 2009/10", field="year_label")
    if Cycle.objects.filter(year_label=year_label).exists():
        raise ServiceError(f"A cycle for {year_label} already exists", field="year_label")
    for kind in PhaseKind.values:
        if kind not in phase_dates:
            raise ServiceError(f"Enter the dates of phase {kind}", field=f"phase_{kind}_closes")
        if refusal := cycle_rules.dates_refusal(*phase_dates[kind]):
            raise ServiceError(refusal, field=f"phase_{kind}_closes")
    values = {k: v for k, v in (settings or {}).items() if k in RULE_SETTINGS}
    cycle = Cycle.objects.create(
        year_label=year_label, framework=framework, previous=previous, created_by=actor, **values
    )
    Phase.objects.bulk_create(
        Phase(cycle=cycle, kind=kind, opens_on=phase_dates[kind][0], closes_on=phase_dates[kind][1])
        for kind in PhaseKind.values
    )
    cycle.indicators.set(
        indicators if indicators is not None else OutcomeIndicator.objects.filter(active=True)
    )
    audit.record(
        actor=actor,
        action="cycle.created",
        obj=cycle,
        label=f"Cycle {year_label} created",
        cycle=cycle,
        field="framework",
        new=str(framework),
    )
    return cycle


@transaction.atomic
def start_from_last_year(
    actor: Any, previous: Cycle, *, framework: Framework | None = None
) -> Cycle:
    """Next year's cycle: dates one year on, the same rule settings and outcome menu."""
    _require_dh(actor)
    phase_dates = {
        p.kind: (cycle_rules.shift_one_year(p.opens_on), cycle_rules.shift_one_year(p.closes_on))
        for p in previous.phases.all()
    }
    return create_cycle(
        actor,
        year_label=cycle_rules.next_year_label(previous.year_label),
        framework=framework or previous.framework,
        phase_dates=phase_dates,
        previous=previous,
        settings={k: getattr(previous, k) for k in RULE_SETTINGS},
        indicators=list(previous.indicators.all()),
    )


@transaction.atomic
def change_phase(
    actor: Any, phase: Phase, action: str, *, reason: str = "", now: dt.datetime | None = None
) -> Phase:
    """Open, close or reopen a phase; recorded as a PhaseChange and in the trail.

    ``now`` is when a phase first opened (default: the clock); the demo passes its
    cycle's calendar (domain brief §7)."""
    _require_dh(actor)
    locked = Phase.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=phase.pk)
    statuses = dict(Phase.objects.filter(cycle_id=locked.cycle_id).values_list("kind", "status"))
    if refusal := cycle_rules.transition_refusal(action, locked.kind, statuses, reason):
        raise ServiceError(refusal, field="reason" if "reason" in refusal else "")
    old = locked.get_status_display()
    locked.status = PhaseStatus.CLOSED if action == "close" else PhaseStatus.OPEN
    if locked.opened_at is None and action == "open":
        locked.opened_at = now or timezone.now()
    locked.save(update_fields=["status", "opened_at"])
    PhaseChange.objects.create(phase=locked, action=action, reason=reason.strip(), changed_by=actor)
    audit.record(
        actor=actor,
        action=f"phase.{action}",
        obj=locked,
        label=str(locked),
        cycle=locked.cycle,
        field="status",
        old=old,
        new=locked.get_status_display(),
        reason=reason.strip(),
    )
    if locked.kind == PhaseKind.SELF_ASSESSMENT:
        # §4 [rule]: closing phase 1 marks every unsubmitted self-assessment "not submitted"
        # (its draft kept, read-only); reopening it gives the drafts back.
        if action == "close":
            self_assessment.mark_not_submitted(actor, locked)
        else:
            self_assessment.restore_drafts(actor, locked)
    phase.status, phase.opened_at = locked.status, locked.opened_at
    return locked


def open_phase(
    actor: Any, phase: Phase, *, reason: str = "", now: dt.datetime | None = None
) -> Phase:
    return change_phase(actor, phase, "open", reason=reason, now=now)


def close_phase(actor: Any, phase: Phase, *, reason: str = "") -> Phase:
    return change_phase(actor, phase, "close", reason=reason)


def reopen_phase(actor: Any, phase: Phase, *, reason: str) -> Phase:
    return change_phase(actor, phase, "reopen", reason=reason)


@transaction.atomic
def update_phase_dates(actor: Any, phase: Phase, *, opens_on: dt.date, closes_on: dt.date) -> Phase:
    """Move a phase's published schedule (the close date is the deadline people see)."""
    _require_dh(actor)
    if refusal := cycle_rules.dates_refusal(opens_on, closes_on):
        raise ServiceError(refusal, field="closes_on")
    locked = Phase.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=phase.pk)
    for field, new in (("opens_on", opens_on), ("closes_on", closes_on)):
        old = getattr(locked, field)
        if old != new:
            setattr(locked, field, new)
            audit.record(
                actor=actor,
                action="phase.dates",
                obj=locked,
                label=str(locked),
                cycle=locked.cycle,
                field=field,
                old=old,
                new=new,
            )
    locked.save(update_fields=["opens_on", "closes_on"])
    return locked


@transaction.atomic
def update_rule_settings(actor: Any, cycle: Cycle, **values: Any) -> Cycle:
    """Change the cycle's rule settings (§4) — refused once the cycle is published."""
    _require_dh(actor)
    locked = Cycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    if is_published(locked):
        raise ServiceError(
            "This cycle's results are published: its rule settings can no longer change."
        )
    unknown = set(values) - set(RULE_SETTINGS)
    if unknown:
        raise ServiceError(f"Unknown settings: {', '.join(sorted(unknown))}")
    for field in ("elite_share", "outcome_threshold"):
        if field in values and not Decimal(0) <= Decimal(values[field]) <= Decimal(1):
            raise ServiceError("Enter a share between 0 and 1", field=field)
    for field in ("freedoms_cap", "notice_cap", "min_level_four"):
        if field in values and int(values[field]) < 0:
            raise ServiceError("Enter 0 or more", field=field)
    if "accuracy_check_days" in values and not 1 <= int(values["accuracy_check_days"]) <= 60:
        raise ServiceError("Enter between 1 and 60 working days", field="accuracy_check_days")
    if "review_days" in values and not 1 <= int(values["review_days"]) <= 365:
        raise ServiceError("Enter between 1 and 365 days", field="review_days")
    if "min_level_four" in values and int(values["min_level_four"]) > 11:
        raise ServiceError("There are at most 11 competencies", field="min_level_four")
    for field, new in values.items():
        old = getattr(locked, field)
        if old != new:
            setattr(locked, field, new)
            audit.record(
                actor=actor,
                action="cycle.settings",
                obj=locked,
                label=f"Cycle {locked.year_label} rule settings",
                cycle=locked,
                field=field,
                old=old,
                new=new,
            )
    locked.save()
    for field in values:
        setattr(cycle, field, getattr(locked, field))
    return locked
