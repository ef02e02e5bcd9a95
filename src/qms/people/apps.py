from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "qms.people"
    verbose_name = "Organisation and people"

    def ready(self):
        from qms.people.area import AREA
        from qms.web import areas

        areas.register(AREA)
