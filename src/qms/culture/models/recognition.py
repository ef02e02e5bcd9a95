"""Recognition (learning from excellence): excellent practice by a colleague or a team, reported
by anyone with a role in the unit, and the organisation's themes of excellence it is coded with,
so what goes well is counted and studied as seriously as what goes wrong."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

__all__ = ["ExcellenceTheme", "Recognition"]


class ExcellenceTheme(models.Model):
    """A theme of excellence (teamwork, kindness and compassion...): an editable list for the
    whole organisation, seeded with a default set (qms.culture.excellence), like planning's
    contributory factor framework."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Recognition(models.Model):
    """Excellent practice seen in a unit: by one colleague (`recipient`) or by the team as a
    whole (no recipient: the unit itself is recognised). A person's recognition lives in the
    unit where they work (the one they hold a staff role in), so it shows on that unit's page
    and huddle board and their leads hear of it. The recipient may choose not to have it shown
    to the unit (`shown`); their leads, the reporter and they still see it."""

    unit = models.ForeignKey("people.Unit", on_delete=models.PROTECT, related_name="recognitions")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recognitions_received",
        help_text="The colleague recognised; empty when the whole team is.",
    )
    what_happened = models.TextField()
    why_it_mattered = models.TextField()
    themes = models.ManyToManyField(ExcellenceTheme, related_name="recognitions")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recognitions_given",
    )
    reported_at = models.DateTimeField(db_index=True)
    shown = models.BooleanField(
        default=True, help_text="Shown on the unit's page and huddle board."
    )
    thanked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The lead who passed the thanks on.",
    )
    thanked_at = models.DateTimeField(null=True, blank=True)
    thanks_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["unit", "reported_at"])]

    def __str__(self) -> str:
        return f"Recognition of {self.recipient_name}"

    def get_absolute_url(self) -> str:
        return reverse("culture:recognition-detail", args=[self.pk])

    @property
    def recipient_name(self) -> str:
        """The person recognised, or the team."""
        return str(self.recipient) if self.recipient_id else f"the {self.unit} team"

    @property
    def is_team(self) -> bool:
        return self.recipient_id is None
