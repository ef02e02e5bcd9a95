"""Records: each person's assessed level in each skill and their training.

An assessment by a lead or coach (`roles.ASSESSORS` in one of the person's units) is
confirmed; a person's own is pending until one of them confirms it. Only confirmed levels
count in the skills gap."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from qms.capability.models.framework import Level, Skill

__all__ = ["Assessment", "AssessmentStatus", "Training"]


class AssessmentStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    PENDING = "pending", "Self-assessed, waiting for confirmation"


class Assessment(models.Model):
    """A person's level in a skill: one row per person and skill, its history the earlier
    assessments."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_assessments"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="assessments")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices)
    assessed_on = models.DateField()
    evidence = models.TextField(blank=True, help_text="What the level is judged on.")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "skill__position"]
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="one_assessment_per_skill"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.level} in {self.skill}"


class Training(models.Model):
    """A course a person has done, and the skill and level it counts towards."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    hours = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    evidence = models.CharField(
        max_length=500, blank=True, help_text="A link to the certificate, or where it is kept."
    )
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="training"
    )
    level = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.PROTECT, related_name="training"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-completed_on", "pk"]
        indexes = [models.Index(fields=["completed_on"], name="training_completed_idx")]

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on:%d %b %Y})"
