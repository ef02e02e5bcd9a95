from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "qms.planning"
    label = "planning"
    verbose_name = "Quality planning"

    def ready(self) -> None:
        # Each part registers its records with the core (area, comments, notifications, issue
        # sources, history) in its own function, so the parts stay apart.
        from qms.planning import registrations

        registrations.register_all()
