"""Notifications: an entry in a person's inbox about anything (a signal, an escalation, an
issue, an action...), and how each person wants them to reach their e-mail."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class NotificationKind(models.TextChoices):
    """What a notification is about. The label is the inbox's heading for the kind."""

    SIGNAL = "signal", "Signals"
    ESCALATION = "escalation", "Escalations"
    ISSUE = "issue", "Issues"
    ACTION = "action", "Actions"
    COMMENT = "comment", "Comments"
    BASELINE = "baseline", "Suggested new limits"
    IMPROVEMENT = "improvement", "Improvement projects"
    PLANNING = "planning", "Quality planning"
    RECOGNITION = "recognition", "Recognition"
    PARTNERS = "partners", "Partners' involvement and claims"
    SYSTEM = "system", "System"


class Notification(models.Model):
    """An entry in a person's inbox, about a subject (any record) when there is one."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=20, choices=NotificationKind.choices, default=NotificationKind.SYSTEM
    )
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "read_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return self.text


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", "As soon as a signal is raised"
    DAILY = "daily", "In a daily digest"
    NONE = "none", "Never (inbox only)"


class NotificationPreference(models.Model):
    """How notifications reach a person's e-mail. A person without one gets the daily digest."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(
        max_length=10,
        choices=EmailChoice.choices,
        default=EmailChoice.DAILY,
        help_text="How signals about your measures reach your e-mail.",
    )

    def __str__(self) -> str:
        return f"{self.person}: {self.get_email_display()}"
