"""Load the seven freedoms and the 2010-11 innovation fund (fixtures/freedoms.yaml)."""

from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    Freedom = apps.get_model("freedoms", "Freedom")
    InnovationFund = apps.get_model("freedoms", "InnovationFund")
    path = Path(settings.BASE_DIR) / "fixtures" / "freedoms.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for row in data["freedoms"]:
        Freedom.objects.update_or_create(
            code=row["code"],
            defaults={"number": row["number"], "name": row["name"], "description": row["description"]},
        )
    for row in data.get("innovation_funds", []):
        InnovationFund.objects.get_or_create(
            financial_year=row["financial_year"], defaults={"pot": Decimal(row["pot"])}
        )


class Migration(migrations.Migration):
    dependencies = [("freedoms", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
