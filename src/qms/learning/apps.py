from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "qms.learning"
    label = "learning"
    verbose_name = "Learning system"

    def ready(self) -> None:
        # Each part registers its records with the core (area, comments, notifications, issue
        # sources, history) in its own function, so the parts stay apart.
        from qms.learning import registrations

        registrations.register_all()
