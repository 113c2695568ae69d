from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from assurance import demo
from assurance.demo.people import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Create demo users and demo data (deterministic with --seed; safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2009)
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not list the demo logins (scripts/run lists them after the servers start).",
        )

    def handle(self, *args, seed, no_logins=False, **options):
        call_command("load_reference_data", stdout=self.stdout)
        with transaction.atomic():
            demo.run(seed, self.stdout)
        if not no_logins:
            write_logins(self.stdout, self.style)


def write_logins(out, style) -> None:
    out.write(style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
    for email, name, role, _pct, _sha in DEMO_USERS:
        out.write(f"  {role.label:<22} {email:<36} {name}")
