"""Reporting: a unit's reporting culture as control measures (issues and concerns raised per
month, the share raised by front-line staff, days to first response, the share closed with
feedback), kept in step with the issues by QMS."""

from django.conf import settings
from django.db import models

__all__ = ["ReportingMeasure", "ReportingMeasureKind"]


class ReportingMeasureKind(models.TextChoices):
    RAISED = "raised", "Issues and concerns raised"
    FRONT_LINE = "front_line", "Share raised by front-line staff"
    FIRST_RESPONSE = "first_response", "Days from raising to first response"
    FEEDBACK = "feedback", "Share closed with feedback to the person who raised it"


class ReportingMeasure(models.Model):
    """A control measure of a unit tracking one side of its reporting culture (its issues and
    those of the units below it). Its observations are rewritten by the nightly round and after
    the writes that change them, complete months only, so it raises signals and reaches the
    huddle board and the board report like any measure."""

    unit = models.ForeignKey(
        "people.Unit", on_delete=models.PROTECT, related_name="reporting_measures"
    )
    kind = models.CharField(max_length=20, choices=ReportingMeasureKind.choices)
    measure = models.OneToOneField(
        "control.Measure", on_delete=models.CASCADE, related_name="reporting_source"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="one_reporting_measure_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_kind_display()}"
