"""Write paths of a PCT's self-assessment (domain brief §2, §3 phase 1, §6; issue 3).

Every function is one use case: it checks the rules (pure ones in
``assurance.rules.self_assessment`` and ``assurance.rules.uploads``), saves, and writes the audit
trail (old → new) in the same transaction. Refusals are ``services.errors`` exceptions
with a message for the person acting; the phase rules live here, not only in the pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from assurance import tasks
from assurance.models import (
    KEY_DOCUMENT_KINDS,
    PCT,
    RAG,
    ChosenOutcome,
    Competency,
    CompetencyRating,
    Criterion,
    Direction,
    DocumentKind,
    EvidenceDocument,
    GovernanceArea,
    GovernanceDeclaration,
    OutcomeIndicator,
    Phase,
    SelfAssessment,
    SelfAssessmentStatus,
    SubmittedCopy,
)
from assurance.queries.self_assessment import (
    missing_items,
    self_assessment_phase,
)
from assurance.rules import self_assessment as rules
from assurance.rules.uploads import UploadRejected, check_upload, sha256_of
from assurance.services import audit
from assurance.services.errors import (
    EditConflict,
    Incomplete,
    NotAllowed,
    PhaseClosed,
    ServiceError,
)

EVIDENCE_MAX_CHARS = 20_000
COMMENTARY_MAX_CHARS = 10_000


# ---------------------------------------------------------------------------- reading


# ---------------------------------------------------------------------------- guards


def _lock(assessment: SelfAssessment) -> SelfAssessment:
    """Lock the self-assessment row: serialises edits with submission (no edit after it)."""
    locked = (
        SelfAssessment.objects.select_for_update(of=("self",))
        .select_related("cycle", "pct")
        .get(pk=assessment.pk)
    )
    assessment.status = locked.status
    return locked


def _require_pct_staff(actor: Any, assessment: SelfAssessment) -> None:
    if not (actor.is_pct_user and actor.pct_id == assessment.pct_id):
        raise NotAllowed("Only the PCT's own staff can change its self-assessment.")


def _require_editable(actor: Any, assessment: SelfAssessment) -> SelfAssessment:
    _require_pct_staff(actor, assessment)
    locked = _lock(assessment)
    phase = self_assessment_phase(locked)
    refusal = rules.editing_refusal(
        phase_one_open=bool(phase and phase.is_open),
        submitted=locked.is_submitted,
        closes_on=phase.closes_on if phase else None,
    )
    if refusal:
        raise PhaseClosed(refusal, deadline=phase.closes_on if phase else None)
    return locked


def _record_changes(
    actor: Any,
    assessment: SelfAssessment,
    obj: Any,
    action: str,
    label: str,
    changes: dict[str, tuple[Any, Any]],
) -> None:
    for field, (old, new) in changes.items():
        audit.record(
            actor=actor,
            action=action,
            obj=obj,
            label=label,
            cycle=assessment.cycle,
            pct=assessment.pct,
            field=field,
            old=old,
            new=new,
        )


def _check_version(
    entry: Any, version: int, saved: dict[str, Any], new: dict[str, Any] | None = None
) -> None:
    """Refuse a save based on an old version — unless it would save exactly what is there
    (a repeated autosave of the same text loses nothing, so it is not a conflict)."""
    if entry.version != version and saved != new:
        raise EditConflict(
            saved=saved, version=entry.version, saved_by=entry.updated_by, saved_at=entry.updated_at
        )


def _save_versioned(
    actor: Any,
    assessment: SelfAssessment,
    entry: Any,
    version: int,
    values: dict[str, Any],
    action: str,
    label: str,
    *,
    created: bool = False,
) -> Any:
    """The optimistic lock for an entry PCT staff edit: refuse a save from an old version,
    write only when something changed (version + 1) and record each change old → new.
    A just-created entry (``created``) is written even with nothing to change."""
    saved = {field: getattr(entry, field) for field in values}
    _check_version(entry, version, saved, values)
    changes = {f: (saved[f], new) for f, new in values.items() if saved[f] != new}
    if not changes and not created:
        return entry
    for field, new in values.items():
        setattr(entry, field, new)
    entry.version += 1
    entry.updated_by = actor
    entry.save()
    _record_changes(actor, assessment, entry, action, label, changes)
    return entry


# ---------------------------------------------------------------------------- ratings


@transaction.atomic
def save_competency_rating(
    actor: Any,
    assessment: SelfAssessment,
    *,
    competency: Competency,
    criterion: Criterion | None = None,
    level: int | None,
    evidence: str,
    version: int,
) -> CompetencyRating:
    """Save a level (1–4) and evidence narrative for a competency or one of its criteria.

    ``version`` is the version the editor loaded (0 for an entry never saved). If
    someone saved since, ``EditConflict`` carries their values and nothing is saved.
    """
    locked = _require_editable(actor, assessment)
    if competency.framework_id != locked.cycle.framework_id:
        raise ServiceError("This competency is not part of this cycle's framework.")
    if criterion is not None and criterion.competency_id != competency.pk:
        raise ServiceError("This criterion belongs to another competency.")
    if criterion is None and competency.criteria.exists():
        raise ServiceError("Rate each criterion of this competency.")
    if error := rules.level_error(level):
        raise ServiceError(error, field="level")
    if len(evidence) > EVIDENCE_MAX_CHARS:
        raise ServiceError(
            f"Evidence must be {EVIDENCE_MAX_CHARS:,} characters or fewer "
            f"(you have {len(evidence):,})",
            field="evidence",
        )
    rating = (
        CompetencyRating.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(self_assessment=locked, competency=competency, criterion=criterion)
        .first()
    )
    label = f"Competency {competency.number}" + (
        f", criterion {criterion.number}" if criterion else ""
    )
    if rating is None:
        if version != 0:
            raise ServiceError("This entry was removed; reload the page.")
        try:
            with transaction.atomic():
                rating = CompetencyRating.objects.create(
                    self_assessment=locked,
                    competency=competency,
                    criterion=criterion,
                    level=level,
                    evidence=evidence,
                    updated_by=actor,
                )
        except IntegrityError:
            # Two first saves raced: the other one won; show what they saved.
            other = CompetencyRating.objects.select_related("updated_by").get(
                self_assessment=locked, competency=competency, criterion=criterion
            )
            _check_version(
                other,
                version,
                {"level": other.level, "evidence": other.evidence},
                {"level": level, "evidence": evidence},
            )
            return other
        _record_changes(
            actor,
            locked,
            rating,
            "self_rating.updated",
            label,
            {
                k: v
                for k, v in {"level": (None, level), "evidence": ("", evidence)}.items()
                if v[0] != v[1]
            },
        )
        return rating
    return _save_versioned(
        actor,
        locked,
        rating,
        version,
        {"level": level, "evidence": evidence},
        "self_rating.updated",
        label,
    )


# ---------------------------------------------------------------------------- governance


@transaction.atomic
def save_governance_declaration(
    actor: Any,
    assessment: SelfAssessment,
    *,
    area: str,
    rating: str,
    commentary: str,
    version: int,
) -> GovernanceDeclaration:
    """The PCT's own red/amber/green for strategy, finance or board, with commentary (§2.2)."""
    locked = _require_editable(actor, assessment)
    if area not in GovernanceArea.values:
        raise ServiceError("Choose strategy, finance or board.", field="area")
    if rating and rating not in RAG.values:
        raise ServiceError("Choose red, amber or green", field="rating")
    if len(commentary) > COMMENTARY_MAX_CHARS:
        raise ServiceError(
            f"Commentary must be {COMMENTARY_MAX_CHARS:,} characters or fewer", field="commentary"
        )
    declaration, created = GovernanceDeclaration.objects.select_for_update(
        of=("self",)
    ).get_or_create(self_assessment=locked, area=area, defaults={"version": 0})
    # A new row starts at version 0: the editor of a never-saved entry posts 0.
    return _save_versioned(
        actor,
        locked,
        declaration,
        version,
        {"rating": rating, "commentary": commentary},
        "governance_declaration.updated",
        f"Governance: {GovernanceArea(area).label}",
        created=created,
    )


# ---------------------------------------------------------------------------- outcomes


@transaction.atomic
def choose_outcome(
    actor: Any, assessment: SelfAssessment, indicator: OutcomeIndicator
) -> ChosenOutcome:
    """Pick an outcome from the cycle's national menu (§2.3)."""
    locked = _require_editable(actor, assessment)
    if not indicator.active or not locked.cycle.indicators.filter(pk=indicator.pk).exists():
        raise ServiceError("Choose an outcome from this year's national menu.", field="indicator")
    if ChosenOutcome.objects.filter(self_assessment=locked, indicator=indicator).exists():
        raise ServiceError(f"{indicator.name} is already one of your outcomes.", field="indicator")
    chosen = ChosenOutcome.objects.create(
        self_assessment=locked, indicator=indicator, updated_by=actor
    )
    audit.record(
        actor=actor,
        action="outcome.chosen",
        obj=chosen,
        label=f"Outcome: {indicator.name}",
        cycle=locked.cycle,
        pct=locked.pct,
        field="indicator",
        new=indicator.name,
    )
    return chosen


@transaction.atomic
def update_outcome(
    actor: Any,
    chosen: ChosenOutcome,
    *,
    baseline: Decimal | None,
    target: Decimal | None,
    direction: str,
    version: int,
) -> ChosenOutcome:
    """Baseline, this year's trajectory target and direction of a chosen outcome (§2.3)."""
    locked = _require_editable(actor, chosen.self_assessment)
    row = ChosenOutcome.objects.select_for_update(of=("self",)).select_related(
        "indicator", "updated_by"
    )
    row = row.get(pk=chosen.pk)
    if direction not in Direction.values:
        raise ServiceError("Choose whether higher or lower is better", field="direction")
    return _save_versioned(
        actor,
        locked,
        row,
        version,
        {"baseline": baseline, "target": target, "direction": direction},
        "outcome.updated",
        f"Outcome: {row.indicator.name}",
    )


@transaction.atomic
def remove_outcome(actor: Any, chosen: ChosenOutcome) -> None:
    locked = _require_editable(actor, chosen.self_assessment)
    name = chosen.indicator.name
    audit.record(
        actor=actor,
        action="outcome.removed",
        obj=chosen,
        label=f"Outcome: {name}",
        cycle=locked.cycle,
        pct=locked.pct,
        field="indicator",
        old=name,
    )
    chosen.delete()


# ---------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    sha256: str


def check_evidence_upload(upload: UploadedFile) -> CheckedUpload:
    """The evidence upload checks (rules/uploads.py), shared by every upload of evidence —
    a self-assessment's and a factual accuracy challenge's (§8). Renames ``upload`` to a
    name whose extension follows its content; refuses with a ServiceError on ``file``."""
    try:
        found = check_upload(upload, upload.size or 0, settings.EVIDENCE_MAX_BYTES)
    except UploadRejected as exc:
        raise ServiceError(str(exc), field="file") from exc
    digest = sha256_of(upload)
    original = (upload.name or "evidence")[:255]
    # The stored name is random (the model's upload_to); the extension follows the content.
    upload.name = f"upload{found.extension}"
    return CheckedUpload(original, found.content_type, upload.size or 0, digest)


def _store(actor: Any, assessment: SelfAssessment, kind: str, upload: UploadedFile, title: str):
    checked = check_evidence_upload(upload)
    original, digest = checked.original_name, checked.sha256
    return EvidenceDocument.objects.create(
        self_assessment=assessment,
        kind=kind,
        title=title[:200],
        file=upload,
        original_name=original,
        content_type=checked.content_type,
        size=checked.size,
        sha256=digest,
        uploaded_by=actor,
    )


@transaction.atomic
def upload_evidence(
    actor: Any, assessment: SelfAssessment, *, kind: str, upload: UploadedFile, title: str = ""
) -> EvidenceDocument:
    """Add an evidence file. A key document of a kind already uploaded replaces it."""
    locked = _require_editable(actor, assessment)
    if kind not in DocumentKind.values:
        raise ServiceError("Choose what kind of document this is", field="kind")
    previous = None
    if kind in KEY_DOCUMENT_KINDS:
        previous = (
            EvidenceDocument.objects.select_for_update(of=("self",))
            .filter(self_assessment=locked, kind=kind, is_current=True)
            .first()
        )
    return _replace(actor, locked, previous, kind, upload, title)


def _replace(actor, locked, previous, kind, upload, title) -> EvidenceDocument:
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    document = _store(actor, locked, kind, upload, title)
    if previous is not None:
        document.replaces = previous
        document.save(update_fields=["replaces"])
    audit.record(
        actor=actor,
        action="evidence.replaced" if previous else "evidence.uploaded",
        obj=document,
        label=f"Evidence: {DocumentKind(kind).label}",
        cycle=locked.cycle,
        pct=locked.pct,
        field="file",
        old=f"{previous.original_name} (sha256 {previous.sha256[:12]})" if previous else "",
        new=f"{document.original_name} (sha256 {document.sha256[:12]})",
    )
    return document


@transaction.atomic
def remove_evidence(actor: Any, document: EvidenceDocument) -> None:
    """Remove a document before submission. The file is kept for the trail, not shown."""
    locked = _require_editable(actor, document.self_assessment)
    row = EvidenceDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)
    if not row.is_current:
        raise ServiceError("This document has already been replaced or removed.")
    row.is_current = False
    row.removed_at = timezone.now()
    row.save(update_fields=["is_current", "removed_at"])
    audit.record(
        actor=actor,
        action="evidence.removed",
        obj=row,
        label=f"Evidence: {DocumentKind(row.kind).label}",
        cycle=locked.cycle,
        pct=locked.pct,
        field="file",
        old=row.original_name,
    )


# ---------------------------------------------------------------------------- sign-off


@transaction.atomic
def submit_self_assessment(
    actor: Any, assessment: SelfAssessment, *, board_ratified_on: dt.date | None
) -> SelfAssessment:
    """The PCT approver submits after the board's ratification (§3, §6).

    Refused unless phase 1 is open, every competency (or criterion) has a level and
    evidence and the four key documents are uploaded: ``Incomplete.missing`` lists
    each missing item (use ``missing_items`` to show them before trying).
    """
    if not (actor.is_pct_approver and actor.pct_id == assessment.pct_id):
        raise NotAllowed("Only the PCT's approver can submit the self-assessment.")
    locked = _require_editable(actor, assessment)
    if board_ratified_on is None:
        raise ServiceError(
            "Enter the date the board ratified the self-assessment", field="board_ratified_on"
        )
    if board_ratified_on > timezone.localdate():
        raise ServiceError(
            "The board ratification date must be today or in the past", field="board_ratified_on"
        )
    missing = missing_items(locked)
    if missing:
        raise Incomplete(missing)
    locked.status = SelfAssessmentStatus.SUBMITTED
    locked.board_ratified_on = board_ratified_on
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.save(
        update_fields=["status", "board_ratified_on", "submitted_at", "submitted_by", "updated_at"]
    )
    copy = SubmittedCopy.objects.create(
        self_assessment=locked,
        submitted_at=locked.submitted_at,
        submitted_by=actor,
        board_ratified_on=board_ratified_on,
    )
    transaction.on_commit(lambda: tasks.render_submitted_copy.delay(copy.pk))
    audit.record(
        actor=actor,
        action="self_assessment.submitted",
        obj=locked,
        label="Self-assessment submitted",
        cycle=locked.cycle,
        pct=locked.pct,
        field="status",
        old=SelfAssessmentStatus.DRAFT.label,
        new=f"{SelfAssessmentStatus.SUBMITTED.label} (board ratified {board_ratified_on:%-d %B %Y})",
    )
    assessment.status = locked.status
    assessment.board_ratified_on = board_ratified_on
    assessment.submitted_at = locked.submitted_at
    assessment.submitted_by = actor
    return locked


@transaction.atomic
def reopen_self_assessment(
    actor: Any, assessment: SelfAssessment, *, reason: str
) -> SelfAssessment:
    """DH staff reopen a submitted self-assessment, with a reason (issue 3 §5)."""
    if not actor.is_dh:
        raise NotAllowed("Only DH staff can reopen a submitted self-assessment.")
    if not reason.strip():
        raise ServiceError("Give a reason for reopening", field="reason")
    locked = _lock(assessment)
    if not locked.is_submitted:
        raise ServiceError("Only a submitted self-assessment can be reopened.")
    locked.status = SelfAssessmentStatus.DRAFT
    locked.submitted_at = None
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="self_assessment.reopened",
        obj=locked,
        label="Self-assessment reopened",
        cycle=locked.cycle,
        pct=locked.pct,
        field="status",
        old=SelfAssessmentStatus.SUBMITTED.label,
        new=SelfAssessmentStatus.DRAFT.label,
        reason=reason.strip(),
    )
    assessment.status = locked.status
    return locked


# ---------------------------------------------------------------------------- phase 1 closes


def _pcts_of_cycle(phase: Phase) -> QuerySet[PCT]:
    """PCTs open when phase 1 closed (the registry keeps open and close dates, §1)."""
    day = phase.closes_on
    return PCT.objects.filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=day),
        Q(closed_on__isnull=True) | Q(closed_on__gte=day),
    )


def mark_not_submitted(actor: Any, phase: Phase) -> int:
    """Phase 1 has closed: each PCT without a submitted self-assessment is marked *not
    submitted* — its draft kept, read-only — so its panel still assesses it and it is ranked
    like the others (domain brief §4 [rule]). A PCT that never started gets an empty one.
    Runs inside the phase change's transaction; audited per PCT. Returns how many."""
    cycle = phase.cycle
    have = SelfAssessment.objects.filter(cycle=cycle).values_list("pct_id", flat=True)
    created = SelfAssessment.objects.bulk_create(
        [
            SelfAssessment(cycle=cycle, pct=pct, status=SelfAssessmentStatus.NOT_SUBMITTED)
            for pct in _pcts_of_cycle(phase).exclude(pk__in=have)
        ]
    )
    drafts = list(
        SelfAssessment.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, status=SelfAssessmentStatus.DRAFT)
        .select_related("pct")
    )
    SelfAssessment.objects.filter(pk__in=[sa.pk for sa in drafts]).update(
        status=SelfAssessmentStatus.NOT_SUBMITTED
    )
    marked = drafts + list(SelfAssessment.objects.filter(pk__in=[sa.pk for sa in created]))
    audit.record_many(
        actor=actor,
        action="self_assessment.not_submitted",
        objects=marked,
        cycle=cycle,
        field="status",
        old="Draft",
        new="Not submitted",
        reason="Phase 1 closed before the board's sign-off",
    )
    return len(marked)


def restore_drafts(actor: Any, phase: Phase) -> int:
    """Phase 1 reopened: not-submitted self-assessments are drafts again (audited)."""
    cycle = phase.cycle
    restored = list(
        SelfAssessment.objects.select_for_update()
        .filter(cycle=cycle, status=SelfAssessmentStatus.NOT_SUBMITTED)
        .select_related("pct")
    )
    SelfAssessment.objects.filter(pk__in=[sa.pk for sa in restored]).update(
        status=SelfAssessmentStatus.DRAFT
    )
    audit.record_many(
        actor=actor,
        action="self_assessment.draft_again",
        objects=restored,
        cycle=cycle,
        field="status",
        old="Not submitted",
        new="Draft",
        reason="Phase 1 reopened",
    )
    return len(restored)
