from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qms.web"
    verbose_name = "Web interface"
