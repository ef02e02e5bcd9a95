from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "qms.issues"
    label = "issues"
    verbose_name = "Issues and actions"

    def ready(self):
        from qms.issues.area import AREA
        from qms.web import areas

        areas.register(AREA)
