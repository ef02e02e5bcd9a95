"""`qms find-bright-spots`: look for bright spots in every unit's stored results, for cron (or a
scheduler) to run once a night after `qms refresh-results`. Idempotent: an open candidate is
brought up to date, a decided finding is not raised again."""

import time

from django.core.management.base import BaseCommand

from qms.learning.services.bright_spots import bright_spots_find


class Command(BaseCommand):
    help = "Find bright spots (funnel plots across units, sustained improvement) in the data."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = bright_spots_find(by=None)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Bright spots: {result.findings} finding(s) in the data: {len(result.raised)} new "
            f"candidate(s), {result.refreshed} brought up to date, {result.already_decided} "
            f"already decided; in {seconds:.2f} s."
        )
