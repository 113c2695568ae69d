from django.core.management.base import BaseCommand

from assurance.management.commands.seed_demo import write_logins


class Command(BaseCommand):
    help = "List the demo logins (scripts/run prints them once the servers are up)."

    def handle(self, *args, **options):
        write_logins(self.stdout, self.style)
