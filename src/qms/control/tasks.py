"""Background work of quality control, run by django-tasks (see settings.TASKS)."""

from django_tasks import task


@task()
def refresh_results(measure_ids: list[int]) -> int:
    """Recompute SPC results (and signals) for these measures. Returns the signals raised."""
    from qms.control.services import results_refresh

    return len(results_refresh(measure_ids))


@task()
def build_report_export(export_id: int) -> str:
    """Make a report PDF (control.exports). Returns the export's status."""
    from qms.control.exports import report_export_build

    return report_export_build(export_id).status
