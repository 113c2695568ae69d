from django.core.management.base import BaseCommand

from freedoms.catalogue import load_catalogue


class Command(BaseCommand):
    help = "Load the seven freedoms and the innovation fund pots from fixtures/freedoms.yaml."

    def handle(self, *args, **options):
        count = load_catalogue()
        self.stdout.write(self.style.SUCCESS(f"{count} freedoms loaded."))
