"""The item rows' cycle is required, and leads the calibration indexes (see 0002)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assurance", "0002_cycle_on_item_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="competencyrating",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assurance.cycle",
            ),
        ),
        migrations.AlterField(
            model_name="consensus",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assurance.cycle",
            ),
        ),
        migrations.AlterField(
            model_name="governancedeclaration",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assurance.cycle",
            ),
        ),
        migrations.AddIndex(
            model_name="competencyrating",
            index=models.Index(
                fields=["cycle", "competency"],
                include=("self_assessment", "criterion", "level"),
                name="self_rating_cycle_competency",
            ),
        ),
        migrations.AddIndex(
            model_name="consensus",
            index=models.Index(
                fields=["cycle", "competency"],
                include=("self_assessment", "criterion", "level", "moderated_level"),
                name="consensus_cycle_competency",
            ),
        ),
        migrations.AddIndex(
            model_name="consensus",
            index=models.Index(
                fields=["cycle", "governance_area"],
                include=("self_assessment", "rating", "moderated_rating"),
                name="consensus_cycle_area",
            ),
        ),
        migrations.AddIndex(
            model_name="governancedeclaration",
            index=models.Index(
                fields=["cycle", "area"],
                include=("self_assessment", "rating"),
                name="declaration_cycle_area",
            ),
        ),
    ]
