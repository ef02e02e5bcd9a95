"""Background work of issues, run by django-tasks (see settings.TASKS)."""

from django_tasks import task

from qms.issues.services import actions_remind_overdue


@task()
def remind_overdue_actions() -> int:
    """Remind the owners of overdue actions (each due date once). Returns reminders sent."""
    return actions_remind_overdue()
