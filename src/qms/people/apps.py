from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "qms.people"
    verbose_name = "Organisation and people"
