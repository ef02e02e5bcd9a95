"""Time: protected time for quality work, planned and used, per person per month."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

__all__ = ["ProtectedTime"]


class ProtectedTime(models.Model):
    """Hours of a person's month set aside for quality work (`planned`) and spent on it
    (`used`, blank until known). `month` is the first day of the month."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="protected_time"
    )
    month = models.DateField()
    planned = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(744)],
        help_text="Hours planned for quality work this month.",
    )
    used = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(744)],
        help_text="Hours spent on quality work this month.",
    )
    reason = models.TextField(blank=True, help_text="Why less time was used than planned.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="one_time_row_per_month"),
        ]
        indexes = [models.Index(fields=["month"], name="protected_time_month_idx")]

    def __str__(self) -> str:
        return f"{self.person}, {self.month:%B %Y}"
