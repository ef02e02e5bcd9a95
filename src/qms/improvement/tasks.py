"""Background work of quality improvement, run by django-tasks (see settings.TASKS): one task
per kind of record that reminds people of what is overdue."""

from django_tasks import task

from qms.improvement.services import cycles_remind_overdue, milestones_remind_overdue


@task()
def remind_overdue_cycles() -> int:
    """Remind the owners of overdue PDSA cycles (each end date once). Returns reminders sent."""
    return cycles_remind_overdue()


@task()
def remind_overdue_milestones() -> int:
    """Remind the owners of overdue milestones (each due date once). Returns reminders sent."""
    return milestones_remind_overdue()
