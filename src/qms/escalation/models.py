"""Escalation of anything: a record (a signal, an issue, a project's blocker) passed from the
unit that holds it to the unit above, because it is outside the unit's control; the unit above
accepts it, returns it with advice, resolves it or escalates it further."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from qms.people.models import Unit


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Awaiting a response"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned to the team"
    ESCALATED = "escalated", "Escalated further"
    RESOLVED = "resolved", "Resolved"


# An escalation in one of these has been answered for good: nothing more happens to it.
ANSWERED = (EscalationStatus.RESOLVED, EscalationStatus.RETURNED, EscalationStatus.ESCALATED)


class Escalation(models.Model):
    """One step of a record's chain: from the unit that held it to its parent."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="escalations_in")
    reason = models.TextField()
    status = models.CharField(
        max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    response = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.subject} escalated from {self.from_unit} to {self.to_unit}"

    def get_absolute_url(self) -> str:
        subject = self.subject
        return subject.get_absolute_url() if subject is not None else ""

    @property
    def access_unit(self) -> Unit:
        """Where the escalation is answered (the team that escalated sees it too: see
        selectors.may_see)."""
        return self.to_unit

    @property
    def title(self) -> str:
        """What was escalated, in the words its app chose (a signal: its measure's name)."""
        from qms.escalation import registry

        subject = self.subject
        if subject is None:  # removed since (its app did not delete its chain with it)
            return "A record since removed"
        return registry.registered(type(subject)).title(subject)
