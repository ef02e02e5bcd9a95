from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "qms.control"
    verbose_name = "Quality control"
