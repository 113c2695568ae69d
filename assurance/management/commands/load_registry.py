from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assurance.rules.reference_data import ImportProblems
from assurance.services.reference import FIXTURES, load_registry


class Command(BaseCommand):
    help = "Load SHAs and PCTs from CSV files. Idempotent; a bad row saves nothing."

    def add_arguments(self, parser):
        parser.add_argument("--shas", type=Path, default=FIXTURES / "registry" / "shas.csv")
        parser.add_argument("--pcts", type=Path, default=FIXTURES / "registry" / "pcts.csv")

    def handle(self, *args, shas, pcts, **options):
        try:
            sha_result, pct_result = load_registry(shas, pcts)
        except ImportProblems as exc:
            raise CommandError("Nothing was loaded:\n" + "\n".join(exc.problems)) from exc
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"SHAs: {sha_result.created} created, {sha_result.updated} updated. "
            f"PCTs: {pct_result.created} created, {pct_result.updated} updated."
        )
