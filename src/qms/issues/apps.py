from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "qms.issues"
    label = "issues"
    verbose_name = "Issues and actions"

    def ready(self):
        from qms.issues.area import AREA
        from qms.issues.models import Action, Issue
        from qms.issues.roles import VIEWERS
        from qms.notifications import registry as notifications
        from qms.web import areas

        areas.register(AREA)
        notifications.register(
            Issue, read_roles=VIEWERS, queryset=lambda: Issue.objects.select_related("unit")
        )
        notifications.register(
            Action,
            read_roles=VIEWERS,
            queryset=lambda: Action.objects.select_related("issue__unit"),
            detail=lambda action: "done" if action.is_done else f"due {action.due_on:%d %b %Y}",
        )
