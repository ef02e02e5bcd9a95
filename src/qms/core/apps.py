from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qms.core"
    label = "core"
    verbose_name = "Shared core"

    def ready(self) -> None:
        from qms.core import people_history

        people_history.register()
