from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "qms.comments"
    label = "comments"
    verbose_name = "Comments and attachments"
