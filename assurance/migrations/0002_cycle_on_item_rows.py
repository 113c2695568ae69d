"""Denormalise the cycle onto the per-item rows calibration aggregates (issue 7, scale).

Two steps: this one adds a nullable column and fills it; 0003 makes it NOT NULL and adds
the (cycle, item) covering indexes (PostgreSQL refuses ALTER TABLE on a table with pending
deferred-FK trigger events in the transaction that updated it).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

ITEM_MODELS = ("Consensus", "CompetencyRating", "GovernanceDeclaration")


def fill_cycle(apps, schema_editor):
    """Copy each row's self-assessment cycle onto it, one UPDATE per table."""
    SelfAssessment = apps.get_model("assurance", "SelfAssessment")
    cycle_of = SelfAssessment.objects.filter(pk=OuterRef("self_assessment_id")).values("cycle_id")
    for name in ITEM_MODELS:
        apps.get_model("assurance", name).objects.update(cycle_id=Subquery(cycle_of[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("assurance", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="consensus",
            name="assurance_c_compete_281ad8_idx",
        ),
        migrations.RemoveIndex(
            model_name="consensus",
            name="assurance_c_governa_f8e024_idx",
        ),
        migrations.AddField(
            model_name="competencyrating",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assurance.cycle",
            ),
        ),
        migrations.AddField(
            model_name="consensus",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assurance.cycle",
            ),
        ),
        migrations.AddField(
            model_name="governancedeclaration",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assurance.cycle",
            ),
        ),
        migrations.RunPython(fill_cycle, migrations.RunPython.noop, elidable=True),
    ]
