from django.core.management.base import BaseCommand, CommandError

from vaultpay.health import worker_heartbeat_age


class Command(BaseCommand):
    help = "Exit 1 unless a worker ran the heartbeat beat schedules within --max-age seconds (a healthcheck)."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=60, help="Seconds. Default: 60.")

    def handle(self, *args, max_age: int, **options):
        age = worker_heartbeat_age()
        if age is None or age > max_age:
            raise CommandError(f"No worker heartbeat in the last {max_age} s (last: {age and round(age)} s ago).")
        self.stdout.write(f"Worker heartbeat {age:.0f} s ago.")
