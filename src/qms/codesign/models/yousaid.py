"""“You said, we did”: a unit's board of what patients, carers and partners said (a feedback
theme, a partner's contribution, or words) and what followed (an action, a PDSA cycle, a project,
a change package), drafted by organisers and published to everyone with a role in the unit or
its work, partners included."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit

__all__ = ["WeDidStatus", "YouSaidEntry"]


class WeDidStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DOING = "doing", "Doing it now"
    DONE = "done", "Done"


class YouSaidEntry(models.Model):
    """One line of the board: “You said …” → “We did …”, with what followed and its status."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="yousaid_entries")
    you_said = models.TextField(
        "you said",
        max_length=600,
        help_text="What people told us, in their words or a short summary. No names.",
    )
    theme = models.CharField(
        "feedback theme",
        max_length=100,
        blank=True,
        help_text="The theme of the unit's feedback this answers, if any.",
    )
    involvement = models.ForeignKey(
        "codesign.Involvement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="yousaid_entries",
        verbose_name="partner's contribution",
        help_text="The partners' contribution this answers, if any.",
    )
    we_did = models.TextField(
        "we did", max_length=600, help_text="What changed or will change, in plain words."
    )
    followed_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followed_id = models.PositiveBigIntegerField(null=True, blank=True)
    followed = GenericForeignKey("followed_type", "followed_id")
    status = models.CharField(
        max_length=10, choices=WeDidStatus.choices, default=WeDidStatus.PLANNED
    )
    status_on = models.DateField("date", help_text="When it is planned for, started, or was done.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-status_on", "-pk"]
        verbose_name = "“you said, we did” entry"
        verbose_name_plural = "“you said, we did” entries"
        indexes = [models.Index(fields=["unit", "published_at"])]

    def __str__(self) -> str:
        said = self.you_said if len(self.you_said) <= 60 else self.you_said[:59] + "…"
        return f"You said: {said}"

    def get_absolute_url(self) -> str:
        return reverse("codesign:yousaid-board", args=[self.unit_id]) + f"#entry-{self.pk}"

    @property
    def published(self) -> bool:
        return self.published_at is not None
