"""Loading reference data: the registry, competency frameworks and the outcome menu."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from assurance.models import (
    PCT,
    SHA,
    Competency,
    Criterion,
    Framework,
    GovernanceSubIndicator,
    LevelDescriptor,
    OutcomeIndicator,
)
from assurance.rules.reference_data import ImportProblems, parse_framework, parse_pcts, parse_shas
from assurance.services.errors import ServiceError

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


@transaction.atomic
def load_registry(
    shas_path: Path = FIXTURES / "registry" / "shas.csv",
    pcts_path: Path = FIXTURES / "registry" / "pcts.csv",
) -> tuple[LoadResult, LoadResult]:
    """Load SHAs and PCTs from CSV, idempotently. Any bad row: nothing is saved."""
    sha_rows = parse_shas(shas_path.read_text(encoding="utf-8"), str(shas_path))
    known = {r.code for r in sha_rows} | set(SHA.objects.values_list("code", flat=True))
    pct_rows = parse_pcts(pcts_path.read_text(encoding="utf-8"), known, str(pcts_path))

    # Set-based: one read per table, then bulk creates and updates of what differs (a fresh
    # database takes a handful of queries, not one per row).
    shas = {s.code: s for s in SHA.objects.all()}
    new_shas, changed_shas = [], []
    for row in sha_rows:
        sha = shas.get(row.code)
        if sha is None:
            new_shas.append(SHA(code=row.code, ons_code=row.ons_code, name=row.name))
        elif (sha.ons_code, sha.name) != (row.ons_code, row.name):
            sha.ons_code, sha.name = row.ons_code, row.name
            changed_shas.append(sha)
    SHA.objects.bulk_create(new_shas)
    SHA.objects.bulk_update(changed_shas, ["ons_code", "name"])
    sha_created, sha_updated = len(new_shas), len(sha_rows) - len(new_shas)
    shas = {s.code: s for s in SHA.objects.all()}

    pcts = {p.code: p for p in PCT.objects.all()}
    fields = ["name", "sha", "opened_on", "closed_on"]
    new_pcts, changed_pcts = [], []
    for row in pct_rows:
        values = {
            "name": row.name,
            "sha": shas[row.sha_code],
            "opened_on": row.opened_on,
            "closed_on": row.closed_on,
        }
        pct = pcts.get(row.code)
        if pct is None:
            new_pcts.append(PCT(code=row.code, **values))
        elif any(getattr(pct, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(pct, f, v)
            changed_pcts.append(pct)
    PCT.objects.bulk_create(new_pcts)
    PCT.objects.bulk_update(changed_pcts, fields)
    pct_created, pct_updated = len(new_pcts), len(pct_rows) - len(new_pcts)
    pcts = {p.code: p for p in PCT.objects.all()}
    successors = []
    for row in pct_rows:
        pct = pcts[row.code]
        successor_id = pcts[row.successor_code].pk if row.successor_code else None
        if pct.successor_id != successor_id:
            pct.successor_id = successor_id
            successors.append(pct)
    PCT.objects.bulk_update(successors, ["successor"])
    return LoadResult(sha_created, sha_updated), LoadResult(pct_created, pct_updated)


class FrameworkLocked(ServiceError):
    """An opened cycle uses this framework: it is never edited once a cycle has opened (§2.1)."""


@transaction.atomic
def import_framework(path: Path) -> tuple[Framework, bool]:
    """Create or replace a framework from a YAML file; refuses one an opened cycle uses."""
    spec = parse_framework(path.read_text(encoding="utf-8"), str(path))
    framework, created = Framework.objects.get_or_create(
        year_label=spec.year_label,
        version=spec.version,
        defaults={"name": spec.name, "description": spec.description},
    )
    if not created:
        if framework.is_locked:
            raise FrameworkLocked(
                f"{path}: framework {spec.year_label} v{spec.version} is used by a cycle that has "
                "opened; import it as a new version instead."
            )
        if _unchanged(framework, spec):
            return framework, False
        if framework.cycles.exists() and _structure_changed(framework, spec):
            raise FrameworkLocked(
                f"{path}: framework {spec.year_label} v{spec.version} is used by a cycle; "
                "its competencies and criteria cannot change."
            )
    framework.name = spec.name
    framework.description = spec.description
    framework.save()
    LevelDescriptor.objects.filter(framework=framework).delete()
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(framework=framework, level=level, name=name, description=description)
        for level, name, description in spec.levels
    )
    existing = {c.number: c for c in framework.competencies.all()}
    for comp_spec in spec.competencies:
        competency = existing.pop(comp_spec.number, None) or Competency(
            framework=framework, number=comp_spec.number
        )
        competency.short_name = comp_spec.short_name
        competency.statement = comp_spec.statement
        competency.save()
        competency.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(competency=competency, number=c.number, position=i, text=c.text)
            for i, c in enumerate(comp_spec.criteria, start=1)
        )
    for leftover in existing.values():
        leftover.delete()
    GovernanceSubIndicator.objects.filter(framework=framework).delete()
    GovernanceSubIndicator.objects.bulk_create(
        GovernanceSubIndicator(framework=framework, area=area, number=number, text=text)
        for area, number, text in spec.sub_indicators
    )
    return framework, True


def _structure(framework: Framework) -> list[tuple[int, list[str]]]:
    return [
        (c.number, [cr.number for cr in c.criteria.all()])
        for c in framework.competencies.prefetch_related("criteria")
    ]


def _structure_changed(framework: Framework, spec: object) -> bool:
    return _structure(framework) != [
        (c.number, [cr.number for cr in c.criteria])
        for c in spec.competencies  # type: ignore[attr-defined]
    ]


def _unchanged(framework: Framework, spec: object) -> bool:
    current = (
        framework.name,
        [(d.level, d.name, d.description) for d in framework.level_descriptors.all()],
        [
            (c.number, c.short_name, c.statement, [(cr.number, cr.text) for cr in c.criteria.all()])
            for c in framework.competencies.prefetch_related("criteria")
        ],
    )
    wanted = (
        spec.name,  # type: ignore[attr-defined]
        list(spec.levels),  # type: ignore[attr-defined]
        [
            (c.number, c.short_name, c.statement, [(cr.number, cr.text) for cr in c.criteria])
            for c in spec.competencies  # type: ignore[attr-defined]
        ],
    )
    return current == wanted


@transaction.atomic
def load_outcome_indicators(path: Path = FIXTURES / "outcome_indicators.yaml") -> int:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    problems = [
        f"{path}: entry {i + 1} needs a code and a name"
        for i, item in enumerate(items)
        if not isinstance(item, dict) or not item.get("code") or not item.get("name")
    ]
    if problems:
        raise ImportProblems(problems)
    for item in items:
        OutcomeIndicator.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "unit": item.get("unit", "")}
        )
    return len(items)


def load_reference_data() -> None:
    """Everything in fixtures/: registry, shipped frameworks, outcome menu. Idempotent."""
    load_registry()
    for path in sorted((FIXTURES / "frameworks").glob("*.yaml")):
        # A framework in use stays as it is: nothing to reload.
        with contextlib.suppress(FrameworkLocked):
            import_framework(path)
    load_outcome_indicators()
