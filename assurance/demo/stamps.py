"""Dating what the demo writes by its cycle's calendar (domain brief §7 [rule]).

Services stamp the audit trail (and a few other rows) with the machine's clock through
``auto_now_add``; the demo writes its history years after it happened, so it re-dates
those rows to the moment the calendar (:mod:`assurance.demo.dates`) gives. Services that
stamp a field the demo needs to control take a ``now=`` keyword instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models

from assurance.models import AuditEntry, PhaseChange


def _last_pk(model: type[models.Model]) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@contextmanager
def dated(at: dt.datetime, *also: tuple[type[models.Model], str]) -> Iterator[None]:
    """Everything written to the trail inside the block happened at ``at``: audit entries,
    phase changes, and the rows of each ``(model, field)`` in ``also`` created there."""
    watched = [(AuditEntry, "at"), (PhaseChange, "changed_at"), *also]
    before = [_last_pk(model) for model, _ in watched]
    yield
    for (model, field), last in zip(watched, before, strict=True):
        model.objects.filter(pk__gt=last).update(**{field: at})
