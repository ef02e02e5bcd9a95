from django.apps import AppConfig


class CodesignConfig(AppConfig):
    name = "qms.codesign"
    label = "codesign"
    verbose_name = "Co-design and co-production"

    def ready(self) -> None:
        # Each part registers its records with the core (area, comments, notifications, issue
        # sources, history) in its own function, so the parts stay apart.
        from qms.codesign import registrations

        registrations.register_all()
