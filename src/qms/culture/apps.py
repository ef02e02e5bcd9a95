from django.apps import AppConfig


class CultureConfig(AppConfig):
    name = "qms.culture"
    label = "culture"
    verbose_name = "Leadership, culture and relationships"

    def ready(self) -> None:
        # Each part registers its records with the core (area, comments, notifications, issue
        # sources, history) in its own function, so the parts stay apart.
        from qms.culture import registrations

        registrations.register_all()
