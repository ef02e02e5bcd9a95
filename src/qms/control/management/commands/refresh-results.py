"""`qms refresh-results`: bring SPC results up to date, all of them or the stale ones, for a
unit's subtree or one measure. After a crash (an import killed just after its commit, a worker
killed mid-task) `--stale` finds every measure whose data is newer than its results."""

from django.core.management.base import BaseCommand, CommandError

from qms.control import services
from qms.control.models import Measure, MeasureResult
from qms.people.models import Unit


class Command(BaseCommand):
    help = "Recompute stored SPC results (and signals): every measure, or only the stale ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Only measures whose data or phases changed after their results were computed.",
        )
        parser.add_argument("--unit", type=int, help="Only this unit (by id) and those below.")
        parser.add_argument("--measure", help="Only this measure (by its code).")

    def handle(self, *args, stale=False, unit=None, measure=None, **options):
        measures = self._scope(unit, measure)
        if stale:
            count = services.results_refresh_stale(measures=measures)
        else:
            count = services.results_refresh_in_batches(measures)
        failing = list(
            MeasureResult.objects.filter(
                measure__in=measures, failed_at__isnull=False
            ).select_related("measure")
        )
        done = max(0, count - len(failing))
        self.stdout.write(f"Refreshed the results of {done} measure{'s' if done != 1 else ''}.")
        for result in failing:
            self.stderr.write(f"{result.measure.code}: refresh failed: {result.failure}")
        if failing:
            raise CommandError(f"{len(failing)} measure(s) could not be refreshed (see above).")

    def _scope(self, unit_id, code):
        measures = Measure.objects.all()
        if unit_id is not None:
            unit = Unit.objects.filter(pk=unit_id).first()
            if unit is None:
                raise CommandError(f"There is no unit with id {unit_id}.")
            measures = measures.filter(unit__path__startswith=unit.path)
        if code is not None:
            measures = measures.filter(code=code)
            if not measures.exists():
                raise CommandError(f"There is no measure with code {code!r} in that scope.")
        return measures
