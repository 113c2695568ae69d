"""Writing the audit trail. Called inside the service's own transaction."""

from __future__ import annotations

from typing import Any

from assurance.models import AuditEntry


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    label: str = "",
    cycle: Any = None,
    pct: Any = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the trail: who, what, old → new, and why where required."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        label=label[:200],
        cycle=cycle,
        pct=pct,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        reason=reason,
    )


def record_many(
    *,
    actor: Any,
    action: str,
    objects: list[Any],
    cycle: Any = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> None:
    """One entry per object (each with its PCT, where it has one), in one INSERT."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                label=str(obj)[:200],
                cycle=cycle,
                pct=getattr(obj, "pct", None),
                field=field,
                old_value=_text(old),
                new_value=_text(new),
                reason=reason,
            )
            for obj in objects
        ]
    )
