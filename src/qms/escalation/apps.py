from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "qms.escalation"
    label = "escalation"
    verbose_name = "Escalation"
