from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "qms.control"
    verbose_name = "Quality control"

    def ready(self):
        from qms.control.area import AREA
        from qms.web import areas

        areas.register(AREA)
