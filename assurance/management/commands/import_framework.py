from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assurance.rules.reference_data import ImportProblems
from assurance.services.reference import FrameworkLocked, import_framework


class Command(BaseCommand):
    help = "Import a competency framework from a YAML file (validated; refused if in use)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        try:
            framework, changed = import_framework(path)
        except ImportProblems as exc:
            raise CommandError("Not imported:\n" + "\n".join(exc.problems)) from exc
        except (FrameworkLocked, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        verb = "Imported" if changed else "Unchanged:"
        self.stdout.write(f"{verb} {framework} with {framework.competencies.count()} competencies.")
