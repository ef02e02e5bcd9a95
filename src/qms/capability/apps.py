from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "qms.capability"
    label = "capability"
    verbose_name = "Staff capability and time"

    def ready(self) -> None:
        # Each part registers its records with the core (area, comments, notifications, issue
        # sources, history) in its own function, so the parts stay apart.
        from qms.capability import registrations

        registrations.register_all()
