from django.core.management.base import BaseCommand, CommandError

from assurance.models import PCT, SHA, Framework, OutcomeIndicator
from assurance.rules.reference_data import ImportProblems
from assurance.services.reference import load_reference_data


class Command(BaseCommand):
    help = "Load the registry (SHAs, PCTs), shipped frameworks and the outcome menu. Idempotent."

    def handle(self, *args, **options):
        try:
            load_reference_data()
        except ImportProblems as exc:
            raise CommandError("Nothing was loaded:\n" + "\n".join(exc.problems)) from exc
        self.stdout.write(
            f"{SHA.objects.count()} SHAs, {PCT.objects.count()} PCTs, "
            f"{Framework.objects.count()} frameworks, "
            f"{OutcomeIndicator.objects.count()} outcome indicators."
        )
