"""Claims: partners' time and expenses, recorded for recognition and payment (NHS England,
"Reward and recognition for people with lived experience"), approved by the claim approvers
of the unit and marked paid for the finance team."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.codesign.models.involvement import Involvement
from qms.people.models import Unit

__all__ = ["Claim", "ClaimKind", "ClaimStatus", "MAX_CLAIM_GBP", "MAX_HOURS_IN_A_DAY"]

# Beyond this a claim is a mistake or needs the finance team, not this form.
MAX_CLAIM_GBP = Decimal("10000.00")
MAX_HOURS_IN_A_DAY = Decimal("24")


class ClaimKind(models.TextChoices):
    TIME = "time", "Time"
    EXPENSE = "expense", "Expense"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


class Claim(models.Model):
    """Time given (hours at the hourly rate in force that day) or an expense (an amount in
    pounds, what it was for, its receipt attached to the claim's discussion) by one partner."""

    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ClaimKind.choices)
    occurred_on = models.DateField("date")
    activity = models.CharField("what for", max_length=300)
    involvement = models.ForeignKey(
        Involvement, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(MAX_HOURS_IN_A_DAY)],
    )
    # The rate is kept on the claim: a later change of rate leaves past claims as they were.
    hourly_rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(
        "amount (£)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_CLAIM_GBP)],
    )
    status = models.CharField(
        max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    decision_reason = models.CharField("reason", max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["partner", "occurred_on"]),
            models.Index(fields=["unit", "occurred_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) & models.Q(amount__lte=MAX_CLAIM_GBP),
                name="claim_amount_within_limits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} claim by {self.partner}: £{self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("codesign:claim-detail", args=[self.pk])
