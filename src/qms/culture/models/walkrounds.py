"""Leadership walkrounds (IHI Patient Safety Leadership WalkRounds; Frankel et al., Jt Comm J
Qual Saf 2003): senior leaders plan a visit to a unit, go, listen to what its staff raise about
the system they work in, act on it through issues and actions (qms.issues), and tell the team
what was done. The follow-up is the point: a walkround whose items are never fed back teaches
staff that speaking up changes nothing."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit
from qms.text import SYSTEM_DOMAINS

__all__ = ["Walkround", "WalkroundItem", "WalkroundStatus", "WalkroundTheme"]

FOCUS_MAX = 300
WHAT_MAX = 1000
FEEDBACK_MAX = 3000


class WalkroundStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# What staff raised, by the part of the work system it is about (qms.text.SYSTEM_DOMAINS: the
# same parts the issue analysis asks about), so items are counted by theme.
WalkroundTheme = models.TextChoices(
    "WalkroundTheme", {domain.code.upper(): (domain.code, domain.name) for domain in SYSTEM_DOMAINS}
)


class Walkround(models.Model):
    """A visit by senior leaders to a unit: planned for a date with a focus, then done (with
    what staff raised) or cancelled, and the feedback given back to the team afterwards."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="walkrounds")
    planned_on = models.DateField("planned for")
    focus = models.CharField(
        max_length=FOCUS_MAX, blank=True, help_text="What the visit will ask about, if anything."
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="walkrounds_led", verbose_name="leaders going"
    )
    status = models.CharField(
        max_length=20, choices=WalkroundStatus.choices, default=WalkroundStatus.PLANNED
    )
    done_on = models.DateField("done on", null=True, blank=True)
    feedback = models.TextField("feedback to the team", blank=True)
    feedback_on = models.DateField("feedback given on", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[leaders])

    class Meta:
        ordering = ["-planned_on", "-pk"]
        indexes = [models.Index(fields=["status", "planned_on"], name="walkround_status_idx")]

    def __str__(self) -> str:
        return f"Walkround of {self.unit} on {self.planned_on:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("culture:walkround-detail", args=[self.pk])


class WalkroundItem(models.Model):
    """One thing staff raised on a walkround, about a part of the system; when it needs action,
    the issue raised for it (its actions, owners and due dates live there)."""

    walkround = models.ForeignKey(Walkround, on_delete=models.CASCADE, related_name="items")
    what = models.TextField("what staff raised", max_length=WHAT_MAX)
    theme = models.CharField(max_length=20, choices=WalkroundTheme.choices)
    issue = models.OneToOneField(
        "issues.Issue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="walkround_item",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.what if len(self.what) <= 60 else self.what[:59] + "…"

    def get_absolute_url(self) -> str:
        return self.walkround.get_absolute_url() + f"#item-{self.pk}"

    @property
    def access_unit(self) -> Unit:
        return self.walkround.unit

    @property
    def access_parent(self) -> Walkround:
        return self.walkround
