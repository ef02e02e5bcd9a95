from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qms.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from qms.notifications.area import AREA
        from qms.web import areas

        areas.register(AREA)
