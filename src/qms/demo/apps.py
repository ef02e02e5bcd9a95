from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qms.demo"
    verbose_name = "Demo organisation"
