from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "qms.improvement"
    label = "improvement"
    verbose_name = "Quality improvement"

    def ready(self) -> None:
        # Each part registers its records with the core (area, comments, notifications,
        # escalation, issue sources) in its own function, so the parts stay apart.
        from qms.improvement import registrations

        registrations.register_all()
