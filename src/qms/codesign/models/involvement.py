"""Involvement: partners' part in a piece of work (a project, a priority, a measure review, a
learning network, an issue), with its rung on a ladder of participation, so a board sees where
partners shaped decisions and where they were only told.

The work belongs to other areas: it is named by a generic link, and the kinds of work that may
be logged against are registered with their areas' rules (`selectors.involvement`)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit

__all__ = ["Involvement", "InvolvementStatus", "Level", "WorkArea"]


class Level(models.IntegerChoices):
    """The ladder of participation, lowest rung first: Arnstein's ladder (1969) as adapted by
    NHS England's "Working in partnership with people and communities" (2022) and the Think
    Local Act Personal ladder of co-production. Numbered so the highest rung is a maximum."""

    INFORMING = 1, "Informing"
    CONSULTING = 2, "Consulting"
    INVOLVING = 3, "Involving"
    CO_DESIGNING = 4, "Co-designing"
    CO_PRODUCING = 5, "Co-producing"


class WorkArea(models.TextChoices):
    """The part of the framework a piece of work belongs to, for the ladder summary."""

    PLANNING = "planning", "Planning"
    IMPROVEMENT = "improvement", "Improvement"
    CONTROL = "control", "Control"
    LEARNING = "learning", "Learning"


class InvolvementStatus(models.TextChoices):
    # Logged by a partner about their own part: counted once an organiser confirms it.
    PROPOSED = "proposed", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Not confirmed"


class Involvement(models.Model):
    """One occasion of partners taking part in a piece of work: who (a partner with an account,
    or a group counted without names), at which rung of the ladder, what they contributed and
    what difference it made."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    area = models.CharField(max_length=20, choices=WorkArea.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    work = GenericForeignKey("content_type", "object_id")
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="involvements",
        help_text="A partner with an account on this work, or leave empty for a group.",
    )
    group_name = models.CharField(
        "group",
        max_length=200,
        blank=True,
        help_text="A group or community taking part, without names (“patient panel”).",
    )
    group_size = models.PositiveIntegerField(
        "people in the group",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    level = models.PositiveSmallIntegerField("rung of the ladder", choices=Level.choices)
    occurred_on = models.DateField("date")
    contribution = models.TextField("what they contributed", max_length=2000)
    shaped_decision = models.BooleanField("it shaped a decision", default=False)
    difference = models.TextField("what difference it made", max_length=2000, blank=True)
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    status = models.CharField(
        max_length=20, choices=InvolvementStatus.choices, default=InvolvementStatus.CONFIRMED
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["unit", "occurred_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partner__isnull=False) | ~models.Q(group_name=""),
                name="involvement_names_a_partner_or_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.who} {self.get_level_display().lower()} on {self.occurred_on}"

    def get_absolute_url(self) -> str:
        return reverse("codesign:involvement-detail", args=[self.pk])

    @property
    def who(self) -> str:
        if self.partner_id:
            return str(self.partner)
        if self.group_size:
            return f"{self.group_name} ({self.group_size} people)"
        return self.group_name

    @property
    def access_unit(self) -> Unit:
        return self.unit
