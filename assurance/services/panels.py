r"""Panel days, review notes, scoring, consensus and moderation (domain brief §2–3; issue 4).

One function per use case, each in one transaction with its audit entry. Refusals are
:class:`~assurance.services.errors.ServiceError`\ s, field by field where they belong to one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assurance.models import (
    ASSESSED_STATUSES,
    PCT,
    RAG,
    Consensus,
    Cycle,
    Moderation,
    ModerationStage,
    PanelDay,
    PanelResult,
    PanelScore,
    PanelSlot,
    PhaseKind,
    PhaseStatus,
    ReviewNote,
    ScoreSheet,
    SelfAssessment,
    User,
)
from assurance.queries import panels as panel_queries
from assurance.queries.panel_items import ACTUAL, LEVEL, RATING, Item, panel_items, row_key
from assurance.rules import panels as panel_rules
from assurance.rules.problems import Problem
from assurance.services import audit
from assurance.services.errors import ServiceError

Value = int | str | Decimal | None


def _require_phase(cycle: Cycle, kind: PhaseKind, what: str) -> None:
    if not cycle.is_phase_open(kind):
        raise ServiceError(f"{what} only while phase {kind.value} ({kind.label}) is open.")


# --- Panel days --------------------------------------------------------------------------


@transaction.atomic
def schedule_panel_day(
    actor: User,
    cycle: Cycle,
    *,
    date: dt.date,
    venue: str,
    members: Iterable[User],
    chair: User | None = None,
) -> PanelDay:
    """The SHA lead arranges a panel day for their SHA: date, venue and members (§3 phase 3)."""
    if not actor.is_sha_lead:
        raise ServiceError("Only an SHA lead schedules panel days.")
    if any(
        p.kind == PhaseKind.PANEL_DAYS and p.status == PhaseStatus.CLOSED
        for p in cycle.phases.all()
    ):
        raise ServiceError("Panel days for this cycle have closed.")
    members = list(members)
    if not members:
        raise ServiceError.for_fields({"members": "Choose at least one panel member."})
    outsiders = [m for m in members if not (m.is_sha_user and m.sha_id == actor.sha_id)]
    if outsiders:
        raise ServiceError.for_fields(
            {"members": f"{outsiders[0]} is not an assessor or peer expert of {actor.sha}."}
        )
    chair = chair or actor
    day = PanelDay.objects.create(
        cycle=cycle, sha_id=actor.sha_id, date=date, venue=venue.strip(), chair=chair
    )
    day.members.set(members)
    audit.record(
        actor=actor,
        action="panel_day.scheduled",
        obj=day,
        cycle=cycle,
        label=f"{day} at {day.venue}",
        new=", ".join(sorted(str(m) for m in members)),
    )
    return day


def _bookings(
    cycle: Cycle,
    date: dt.date,
    pct: PCT | None,
    member_ids: set[int],
    *,
    exclude: Q | None = None,
) -> list[panel_rules.Booking]:
    """Slots that could clash: the PCT's slots this cycle, and slots that day with these
    members (``exclude``: slots not to count, e.g. the one being moved)."""
    clash = Q(panel_day__date=date, panel_day__members__in=member_ids)
    if pct is not None:
        clash |= Q(pct=pct)
    slots = PanelSlot.objects.filter(panel_day__cycle=cycle).filter(clash)
    if exclude is not None:
        slots = slots.exclude(exclude)
    slots = (
        slots.select_related("panel_day", "pct").prefetch_related("panel_day__members").distinct()
    )
    return [
        panel_rules.Booking(
            date=s.panel_day.date,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            pct_id=s.pct_id,
            pct_name=s.pct.name,
            member_ids=frozenset(m.pk for m in s.panel_day.members.all()),
        )
        for s in slots
    ]


@transaction.atomic
def add_slot(
    actor: User, day: PanelDay, *, pct: PCT, starts_at: dt.time, ends_at: dt.time
) -> PanelSlot:
    """Book one PCT into a time slot; refuses every conflict with a message saying which."""
    if not (actor.is_sha_lead and actor.sha_id == day.sha_id):
        raise ServiceError("Only the SHA lead arranges this panel day.")
    if pct.sha_id != day.sha_id:
        raise ServiceError.for_fields({"pct": f"{pct.name} is not a PCT of {day.sha}."})
    if not SelfAssessment.objects.filter(
        cycle_id=day.cycle_id, pct=pct, status__in=ASSESSED_STATUSES
    ).exists():
        raise ServiceError.for_fields(
            {"pct": f"{pct.name} has not submitted its self-assessment for {day.cycle}."}
        )
    # Lock the day's row: two leads booking at once cannot both pass the conflict check.
    PanelDay.objects.select_for_update().filter(pk=day.pk).first()
    members = {m.pk: str(m) for m in day.members.all()}
    problems = panel_rules.slot_conflicts(
        date=day.date,
        starts_at=starts_at,
        ends_at=ends_at,
        pct_id=pct.pk,
        pct_name=pct.name,
        members=members,
        bookings=_bookings(day.cycle, day.date, pct, set(members)),
    )
    if problems:
        raise ServiceError(problems=[Problem("", message) for message in problems])
    slot = PanelSlot.objects.create(panel_day=day, pct=pct, starts_at=starts_at, ends_at=ends_at)
    audit.record(
        actor=actor,
        action="panel_slot.added",
        obj=slot,
        cycle=day.cycle,
        pct=pct,
        label=f"{pct.name} on {day}",
        new=f"{starts_at:%H:%M}–{ends_at:%H:%M}",
    )
    return slot


def _require_not_held(day: PanelDay) -> None:
    """Slots and members change until the panel sits: refused once panel days have closed
    (a PCT whose sheets are submitted is checked where it matters, by ``_scored``)."""
    if panel_queries.panel_days_closed(day.cycle):
        raise ServiceError("Panel days for this cycle have closed: the panel has been held.")


def _require_lead_of(actor: User, day: PanelDay) -> None:
    if not (actor.is_sha_lead and actor.sha_id == day.sha_id):
        raise ServiceError("Only the SHA lead arranges this panel day.")


def _scored(sa_filter: Q) -> list[str]:
    """Who has submitted a score sheet for the matching self-assessments: they sat."""
    return sorted(
        {
            str(sheet.assessor)
            for sheet in ScoreSheet.objects.filter(
                sa_filter, submitted_at__isnull=False
            ).select_related("assessor")
        }
    )


@transaction.atomic
def move_slot(actor: User, slot: PanelSlot, *, starts_at: dt.time, ends_at: dt.time) -> PanelSlot:
    """Move a PCT's slot to another time on its day, until its panel sits (audited)."""
    day = PanelDay.objects.select_for_update().get(pk=slot.panel_day_id)
    _require_lead_of(actor, day)
    _require_not_held(day)
    sat = _scored(Q(self_assessment__cycle=day.cycle, self_assessment__pct=slot.pct))
    if sat:
        raise ServiceError(
            f"{', '.join(sat)} submitted a score sheet for {slot.pct.name}: the panel has "
            "sat, so the slot stays as it was."
        )
    members = {m.pk: str(m) for m in day.members.all()}
    problems = panel_rules.slot_conflicts(
        date=day.date,
        starts_at=starts_at,
        ends_at=ends_at,
        pct_id=slot.pct_id,
        pct_name=slot.pct.name,
        members=members,
        bookings=_bookings(day.cycle, day.date, slot.pct, set(members), exclude=Q(pk=slot.pk)),
    )
    if problems:
        raise ServiceError(problems=[Problem("", message) for message in problems])
    old = f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"
    slot.starts_at, slot.ends_at = starts_at, ends_at
    slot.save(update_fields=["starts_at", "ends_at"])
    audit.record(
        actor=actor,
        action="panel_slot.moved",
        obj=slot,
        cycle=day.cycle,
        pct=slot.pct,
        label=f"{slot.pct.name} on {day}",
        old=old,
        new=f"{starts_at:%H:%M}–{ends_at:%H:%M}",
    )
    return slot


@transaction.atomic
def remove_slot(actor: User, slot: PanelSlot, *, reason: str) -> None:
    """Take a PCT off a panel day, with a reason (audited). Refused once a member has
    submitted a score sheet for it: the panel has sat."""
    day = PanelDay.objects.select_for_update().get(pk=slot.panel_day_id)
    _require_lead_of(actor, day)
    _require_not_held(day)
    if not reason.strip():
        raise ServiceError.for_fields({"reason": "Give the reason for removing this slot"})
    sat = _scored(Q(self_assessment__cycle=day.cycle, self_assessment__pct=slot.pct))
    if sat:
        raise ServiceError(
            f"{', '.join(sat)} submitted a score sheet for {slot.pct.name}: the slot stays."
        )
    audit.record(
        actor=actor,
        action="panel_slot.removed",
        obj=slot,
        cycle=day.cycle,
        pct=slot.pct,
        label=f"{slot.pct.name} on {day}",
        old=f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}",
        reason=reason.strip(),
    )
    slot.delete()


@transaction.atomic
def change_members(actor: User, day: PanelDay, members: Iterable[User]) -> PanelDay:
    """Change who sits on a panel day (audited). A member who has submitted a score sheet
    for a PCT of the day stays; a new member must be free at each slot's time."""
    day = (
        PanelDay.objects.select_for_update(of=("self",))
        .select_related("cycle", "sha")
        .get(pk=day.pk)
    )
    _require_lead_of(actor, day)
    _require_not_held(day)
    members = list(members)
    if not members:
        raise ServiceError.for_fields({"members": "Choose at least one panel member."})
    outsiders = [m for m in members if not (m.is_sha_user and m.sha_id == day.sha_id)]
    if outsiders:
        raise ServiceError.for_fields(
            {"members": f"{outsiders[0]} is not an assessor or peer expert of {day.sha}."}
        )
    current = {m.pk: m for m in day.members.all()}
    wanted = {m.pk: m for m in members}
    removed = [current[pk] for pk in current.keys() - wanted.keys()]
    added = {pk: str(wanted[pk]) for pk in wanted.keys() - current.keys()}
    slots = list(day.slots.select_related("pct"))
    pcts = [s.pct_id for s in slots]
    if removed:
        sat = _scored(
            Q(self_assessment__cycle=day.cycle, self_assessment__pct_id__in=pcts)
            & Q(assessor__in=removed)
        )
        if sat:
            raise ServiceError.for_fields(
                {"members": f"{', '.join(sat)} submitted a score sheet on this panel: they stay."}
            )
    problems: list[str] = []
    if added:
        others = _bookings(day.cycle, day.date, None, set(added), exclude=Q(panel_day=day))
        for slot in slots:
            problems += panel_rules.slot_conflicts(
                date=day.date,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                pct_id=slot.pct_id,
                pct_name=slot.pct.name,
                members=added,
                bookings=[b for b in others if b.pct_id != slot.pct_id],
            )
    if problems:
        raise ServiceError(problems=[Problem("members", message) for message in problems])
    if not removed and not added:
        return day
    old = ", ".join(sorted(str(m) for m in current.values()))
    day.members.set(members)
    audit.record(
        actor=actor,
        action="panel_day.members_changed",
        obj=day,
        cycle=day.cycle,
        label=f"Members of {day}",
        old=old,
        new=", ".join(sorted(str(m) for m in members)),
    )
    return day


# --- Phase 2: review notes ---------------------------------------------------------------


@transaction.atomic
def save_review_note(
    actor: User, sa: SelfAssessment, *, section: str, note: str, questions: str
) -> ReviewNote:
    """An assessor's notes on a section and the questions to raise on the panel day."""
    if not actor.is_sha_user or sa.pct.sha_id != actor.sha_id:
        raise ServiceError("Only the PCT's SHA assessors write review notes.")
    _require_phase(sa.cycle, PhaseKind.PLANS_ANALYSED, "Review notes can be written")
    row, created = ReviewNote.objects.get_or_create(
        self_assessment=sa, author=actor, section=section
    )
    if not created and (row.note, row.questions) == (note.strip(), questions.strip()):
        return row  # an autosave of the same text: nothing to write or record
    old = {"note": row.note, "questions": row.questions}
    row.note = note.strip()
    row.questions = questions.strip()
    row.save()
    for field, new in (("note", row.note), ("questions", row.questions)):
        if old[field] != new or (created and field == "note"):
            audit.record(  # one entry per box changed: each says what it was and became
                actor=actor,
                action="review_note.saved",
                obj=row,
                cycle=sa.cycle,
                pct=sa.pct,
                label=f"Review note on {section}"
                + (" (questions)" if field == "questions" else ""),
                field=field,
                old=old[field],
                new=new,
            )
    return row


@transaction.atomic
def save_review_notes(
    actor: User, sa: SelfAssessment, notes: Mapping[str, tuple[str, str]]
) -> list[ReviewNote]:
    """Several sections' notes at once (the review page's one form): ``{section: (note,
    questions)}``, saved together or not at all."""
    return [
        save_review_note(actor, sa, section=section, note=note, questions=questions)
        for section, (note, questions) in notes.items()
    ]


# --- Phase 3: scoring --------------------------------------------------------------------


def check_value(item: Item, value: Value, rationale: str) -> dict[str, str]:
    """Field errors for one item's value and rationale (issue 4 bad input); empty when fine."""
    errors: dict[str, str] = {}
    if value is None or value == "":
        return errors
    if item.kind == LEVEL and value not in (1, 2, 3, 4):
        errors["value"] = f"Choose a level from 1 to 4 for {item.label}."
    elif item.kind == RATING and value not in RAG.values:
        errors["value"] = f"Choose red, amber or green for {item.label}."
    elif item.kind == ACTUAL and not isinstance(value, Decimal):
        errors["value"] = f"Enter the actual value for {item.label} as a number, like 12.5."
    if not rationale.strip():
        errors["rationale"] = f"Enter a rationale for {item.label}."
    return errors


def _assign(row: Any, item: Item, value: Value) -> None:
    row.level = value if item.kind == LEVEL else None
    row.rating = value if item.kind == RATING else ""
    row.actual = value if item.kind == ACTUAL else None


def _stored(row: Any, item: Item) -> Value:
    return {LEVEL: row.level, RATING: row.rating or None, ACTUAL: row.actual}[item.kind]


def _validate_all(items: Mapping[str, Item], values: Mapping[str, tuple[Value, str]]) -> None:
    errors: dict[str, list[str]] = {}
    for key, (value, rationale) in values.items():
        if key not in items:
            raise ServiceError(f"Unknown item {key}.")
        for field, message in check_value(items[key], value, rationale).items():
            errors.setdefault(f"{items[key].field_prefix}__{field}", []).append(message)
    if errors:
        raise ServiceError.for_fields(errors)


def _require_member(actor: User, sa: SelfAssessment) -> None:
    if not PanelSlot.objects.filter(
        pct_id=sa.pct_id, panel_day__cycle_id=sa.cycle_id, panel_day__members=actor
    ).exists():
        raise ServiceError("Only members of this PCT's panel score it.")


@transaction.atomic
def record_panel_scores(
    actor: User, sa: SelfAssessment, values: Mapping[str, tuple[Value, str]]
) -> ScoreSheet:
    """Save a panel member's scores (draft): ``{item key: (value, rationale)}``."""
    _require_phase(sa.cycle, PhaseKind.PANEL_DAYS, "Panel scores can be recorded")
    _require_member(actor, sa)
    items = {i.key: i for i in panel_items(sa)}
    _validate_all(items, values)
    sheet, _ = ScoreSheet.objects.select_for_update().get_or_create(
        self_assessment=sa, assessor=actor
    )
    if sheet.submitted_at:
        raise ServiceError("You have submitted your score sheet; it can no longer change.")
    existing = {row_key(r): r for r in sheet.scores.all()}
    for key, (value, rationale) in values.items():
        item = items[key]
        row = existing.get(key)
        if value in (None, "") and not rationale.strip():
            if row is not None:
                row.delete()
            continue
        old = _stored(row, item) if row else None
        row = row or PanelScore(sheet=sheet, **item.lookup)
        if old == value and row.rationale == rationale.strip():
            continue
        _assign(row, item, value)
        row.rationale = rationale.strip()
        row.save()
        audit.record(
            actor=actor,
            action="panel_score.recorded",
            obj=row,
            cycle=sa.cycle,
            pct=sa.pct,
            label=f"Panel score: {item.label}",
            field=key,
            old=old,
            new=value,
        )
    return sheet


def record_panel_score(
    actor: User, sa: SelfAssessment, key: str, value: Value, rationale: str
) -> ScoreSheet:
    """One item of a member's sheet."""
    return record_panel_scores(actor, sa, {key: (value, rationale)})


def row_kind(row: Any) -> str:
    return LEVEL if row.competency_id else RATING if row.governance_area else ACTUAL


def missing_items(items: Iterable[Item], rows: Iterable[Any]) -> list[Item]:
    """Items without both a value and a rationale."""
    done = {
        row_key(r)
        for r in rows
        if r.rationale.strip()
        and {LEVEL: r.level, RATING: r.rating or None, ACTUAL: r.actual}[row_kind(r)] is not None
    }
    return [i for i in items if i.key not in done]


def submit_score_sheet(
    actor: User, sa: SelfAssessment, values: Mapping[str, tuple[Value, str]] | None = None
) -> ScoreSheet:
    """Submit a member's sheet: every item scored with a rationale. Then it is fixed.

    ``values`` are the scores on screen when the member pressed submit: they are saved
    first (as by :func:`record_panel_scores`), and stay saved if the submission is refused,
    so nothing typed is lost (issue 14).
    """
    if values:
        record_panel_scores(actor, sa, values)
    return _submit_score_sheet(actor, sa)


@transaction.atomic
def _submit_score_sheet(actor: User, sa: SelfAssessment) -> ScoreSheet:
    _require_phase(sa.cycle, PhaseKind.PANEL_DAYS, "Score sheets can be submitted")
    _require_member(actor, sa)
    sheet = (
        ScoreSheet.objects.select_for_update().filter(self_assessment=sa, assessor=actor).first()
    )
    if sheet is None:
        raise ServiceError("Score every item before you submit.")
    if sheet.submitted_at:
        raise ServiceError("You have already submitted your score sheet.")
    missing = missing_items(panel_items(sa), sheet.scores.all())
    if missing:
        names = ", ".join(i.label for i in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ServiceError(f"Score every item before you submit: {names}{more} still to do.")
    sheet.submitted_at = timezone.now()
    sheet.save(update_fields=["submitted_at"])
    audit.record(
        actor=actor,
        action="score_sheet.submitted",
        obj=sheet,
        cycle=sa.cycle,
        pct=sa.pct,
        label=f"Score sheet for {sa.pct.name} submitted",
    )
    return sheet


# --- Consensus ---------------------------------------------------------------------------


AGREED = {LEVEL: "level", RATING: "rating", ACTUAL: "actual value"}


def _require_values_with_rationales(
    items: Mapping[str, Item], values: Mapping[str, tuple[Value, str]]
) -> None:
    """A consensus rationale is saved with its value: one typed alone would be dropped."""
    errors = {
        f"{items[key].field_prefix}__value": (
            f"Choose the agreed {AGREED[items[key].kind]} for {items[key].label}, "
            "or its rationale is not saved."
        )
        for key, (value, rationale) in values.items()
        if value in (None, "") and rationale.strip()
    }
    if errors:
        raise ServiceError.for_fields(errors)


@transaction.atomic
def set_consensus(
    actor: User,
    sa: SelfAssessment,
    values: Mapping[str, tuple[Value, str]],
    *,
    lock: bool = True,
) -> PanelResult:
    """The SHA lead sets the panel's agreed value per item; every item agreed locks the result.

    ``lock=False`` saves the items without locking (an item saved as the lead types, issue
    14): the result locks when the lead saves the consensus with every item agreed.
    """
    if not (actor.is_sha_lead and actor.sha_id == sa.pct.sha_id):
        raise ServiceError("Only the SHA lead sets the panel's consensus.")
    _require_phase(sa.cycle, PhaseKind.PANEL_DAYS, "Consensus can be set")
    result, _ = PanelResult.objects.select_for_update().get_or_create(self_assessment=sa)
    if result.is_locked:
        raise ServiceError(
            "The panel result is locked: every item has a consensus. Changes are made by "
            "moderation in calibration."
        )
    if not ScoreSheet.objects.filter(self_assessment=sa, submitted_at__isnull=False).exists():
        raise ServiceError("No panel member has submitted a score sheet yet.")
    items = {i.key: i for i in panel_items(sa)}
    _validate_all(items, values)
    _require_values_with_rationales(items, values)
    existing = {row_key(r): r for r in Consensus.objects.filter(self_assessment=sa)}
    for key, (value, rationale) in values.items():
        if value in (None, ""):
            continue
        item = items[key]
        row = existing.get(key) or Consensus(self_assessment=sa, **item.lookup)
        old = _stored(row, item) if row.pk else None
        if row.pk and old == value and row.rationale == rationale.strip():
            continue
        _assign(row, item, value)
        row.rationale = rationale.strip()
        row.set_by = actor
        row.save()
        existing[key] = row
        audit.record(
            actor=actor,
            action="consensus.set",
            obj=row,
            cycle=sa.cycle,
            pct=sa.pct,
            label=f"Consensus: {item.label}",
            field=key,
            old=old,
            new=value,
            reason=row.rationale,
        )
    if lock and all(key in existing for key in items):
        _lock(actor, sa, result)
    return result


def _lock(actor: User, sa: SelfAssessment, result: PanelResult) -> None:
    result.locked_at = timezone.now()
    result.locked_by = actor
    result.save(update_fields=["locked_at", "locked_by"])
    audit.record(
        actor=actor,
        action="panel_result.locked",
        obj=result,
        cycle=sa.cycle,
        pct=sa.pct,
        label=f"Panel result for {sa.pct.name} locked",
    )


@transaction.atomic
def lock_panel_result(actor: User, sa: SelfAssessment) -> PanelResult:
    """The lead agrees the panel result for good, as a step of its own (issue 14): every
    item must have a consensus. After this, scores change only by moderation."""
    if not (actor.is_sha_lead and actor.sha_id == sa.pct.sha_id):
        raise ServiceError("Only the SHA lead locks the panel result.")
    _require_phase(sa.cycle, PhaseKind.PANEL_DAYS, "The panel result can be locked")
    result, _ = PanelResult.objects.select_for_update().get_or_create(self_assessment=sa)
    if result.is_locked:
        raise ServiceError("The panel result is already locked.")
    agreed = {row_key(r) for r in Consensus.objects.filter(self_assessment=sa)}
    missing = [i.label for i in panel_items(sa) if i.key not in agreed]
    if missing:
        names = ", ".join(missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ServiceError(
            f"Agree every item before you lock the result: {names}{more} still to agree.",
            field="confirm",
        )
    _lock(actor, sa, result)
    return result


# --- Phase 4: moderation -----------------------------------------------------------------


def consensus_item(consensus: Consensus) -> Item:
    kind = LEVEL if consensus.competency_id else RATING if consensus.governance_area else ACTUAL
    if consensus.criterion_id:
        label = f"Criterion {consensus.criterion.number}"
    elif consensus.competency_id:
        label = str(consensus.competency)
    elif consensus.governance_area:
        label = consensus.get_governance_area_display()
    else:
        label = "Outcome actual"
    return Item(key=row_key(consensus), kind=kind, group="", label=label)


def _final(consensus: Consensus, kind: str) -> Value:
    return {
        LEVEL: consensus.final_level,
        RATING: consensus.final_rating,
        ACTUAL: consensus.final_actual,
    }[kind]


@transaction.atomic
def moderate_score(actor: User, consensus: Consensus, *, value: Value, reason: str) -> Moderation:
    """Change a consensus value in calibration, with a mandatory reason (§3).

    The SHA lead moderates their region (regional stage); DH staff nationally.
    """
    sa = consensus.self_assessment
    if actor.is_dh:
        stage = ModerationStage.NATIONAL
    elif actor.is_sha_lead and actor.sha_id == sa.pct.sha_id:
        stage = ModerationStage.REGIONAL
    else:
        raise ServiceError("Only the SHA lead (regional) or DH staff (national) moderate.")
    _require_phase(sa.cycle, PhaseKind.CALIBRATION, "Scores can be moderated")
    return apply_moderation(actor, consensus, stage=stage, value=value, reason=reason)


def apply_moderation(
    actor: User, consensus: Consensus, *, stage: str, value: Value, reason: str
) -> Moderation:
    """The one audited moderation write: the caller has decided who may moderate now.

    :func:`moderate_score` (calibration) and the due process services (a challenge
    accepted, a rating review upheld; §8) both record their changes through here.
    """
    sa = consensus.self_assessment
    if not PanelResult.objects.filter(self_assessment=sa, locked_at__isnull=False).exists():
        raise ServiceError("The panel has not agreed every item yet: nothing to moderate.")
    consensus = Consensus.objects.select_for_update().get(pk=consensus.pk)
    item = consensus_item(consensus)
    errors = {k: v for k, v in check_value(item, value, "-").items() if k == "value"}
    if value in (None, ""):
        errors["value"] = f"Enter the moderated value for {item.label}."
    if not reason.strip():
        errors["reason"] = "Enter the reason for moderating this score."
    if errors:
        raise ServiceError.for_fields(errors)
    old = _final(consensus, item.kind)
    if old == value:
        raise ServiceError.for_fields(
            {"value": "The moderated value is the same as the current one."}
        )
    if item.kind == LEVEL:
        consensus.moderated_level = value  # type: ignore[assignment]
    elif item.kind == RATING:
        consensus.moderated_rating = value  # type: ignore[assignment]
    else:
        consensus.moderated_actual = value  # type: ignore[assignment]
    consensus.save(update_fields=["moderated_level", "moderated_rating", "moderated_actual"])
    moderation = Moderation.objects.create(
        consensus=consensus,
        stage=stage,
        old_value=str(old),
        new_value=str(value),
        reason=reason.strip(),
        moderated_by=actor,
    )
    audit.record(
        actor=actor,
        action=f"moderation.{stage}",
        obj=consensus,
        cycle=sa.cycle,
        pct=sa.pct,
        label=f"Moderated: {item.label}",
        field=item.key,
        old=old,
        new=value,
        reason=moderation.reason,
    )
    return moderation
