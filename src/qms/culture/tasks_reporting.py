"""Background work of the reporting culture, run by django-tasks (see settings.TASKS)."""

from django_tasks import task


@task()
def reporting_culture_round() -> int:
    """The daily round: tell handlers of anonymous concerns and replies, then bring every
    reporting measure up to date. Returns the measures brought up to date."""
    from qms.culture.services.concerns import concerns_announce
    from qms.culture.services.reporting import reporting_measures_sync

    concerns_announce()
    return reporting_measures_sync()
