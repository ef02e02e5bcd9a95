from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "qms.issues"
    label = "issues"
    verbose_name = "Issues and actions"
