from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "qms.issues"
    label = "issues"
    verbose_name = "Issues and actions"

    def ready(self):
        from qms.comments import registry as comments
        from qms.core import history
        from qms.escalation import registry as escalation
        from qms.issues import services
        from qms.issues.area import AREA
        from qms.issues.models import Action, Issue
        from qms.issues.roles import ESCALATION_RESPONDERS, HANDLERS, VIEWERS
        from qms.notifications import registry as notifications
        from qms.web import areas

        areas.register(AREA)
        # Anyone on the staff who sees an issue may discuss it and attach evidence to it.
        comments.register(Issue, read_roles=VIEWERS, write_roles=VIEWERS)
        # An issue's history shows its actions' too.
        history.register_related(Issue, lambda issue: Action.history.filter(issue_id=issue.pk))
        history.register_summary(
            Action, lambda row, names: f"Action “{row.what}” {history.ACTIONS[row.history_type]}"
        )
        notifications.register(
            Issue, read_roles=VIEWERS, queryset=lambda: Issue.objects.select_related("unit")
        )
        notifications.register(
            Action,
            read_roles=VIEWERS,
            queryset=lambda: Action.objects.select_related("issue__unit"),
            detail=lambda action: "done" if action.is_done else f"due {action.due_on:%d %b %Y}",
        )
        # An issue the team cannot resolve goes up the same chain as a signal: returned, it is
        # in progress again; resolved above, it is closed with the answer as its note.
        escalation.register(
            Issue,
            handlers=HANDLERS,
            responders=ESCALATION_RESPONDERS,
            check=services.issue_may_escalate,
            on_escalate=services.issue_escalated,
            on_decision=services.issue_decided,
            resolve_label="Resolved: close the issue",
            queryset=lambda: Issue.objects.select_related("unit"),
        )
