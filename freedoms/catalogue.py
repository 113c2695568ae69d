"""Loading the freedoms catalogue (fixtures/freedoms.yaml): reference data, idempotent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from assurance.rules import consequences
from freedoms.models import Freedom, InnovationFund

CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "freedoms.yaml"


@transaction.atomic
def load_catalogue(path: Path = CATALOGUE) -> int:
    """Create or update the seven freedoms and the fund pots; returns the freedoms loaded.

    An existing fund's pot is left alone: DH staff may have changed it.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = {row["code"] for row in data["freedoms"]}
    missing = {c.value for c in consequences.FreedomCode} - codes
    if missing:
        raise ValueError(f"{path}: freedoms missing: {', '.join(sorted(missing))}")
    for row in data["freedoms"]:
        Freedom.objects.update_or_create(
            code=row["code"],
            defaults={
                "number": row["number"],
                "name": row["name"],
                "description": row["description"],
            },
        )
    for row in data.get("innovation_funds", []):
        InnovationFund.objects.get_or_create(
            financial_year=row["financial_year"], defaults={"pot": Decimal(row["pot"])}
        )
    return len(data["freedoms"])
