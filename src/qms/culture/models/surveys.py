"""Relationships measured: a relational coordination survey (Gittell) or a team pulse of
psychological safety (Edmondson) run for a unit, its workgroups, who has answered, and the
answers, kept apart so that nothing links a person to what they said.

Anonymity is in the shape of the tables (see docs/culture.md, "Relationships measured"):

- `SurveyResponse` has no person, no timestamp and a random UUID key; it is never ordered.
  While the survey is open it is `sealed=False`; when the survey closes, `survey_seal` copies
  every response of the run to new rows with new random keys, in shuffled order, in one
  transaction, and deletes the originals, so the database's own row versions (PostgreSQL's
  transaction ids) no longer tie an answer to the transaction that recorded who answered.
  Results read sealed responses only.
- `SurveyParticipation` says who has answered (to refuse a second answer), with no timestamp
  and a random UUID key, and nothing naming the response.
- Neither has a history table. The run itself (what was asked of whom, when) keeps history.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit

__all__ = [
    "DEFAULT_MINIMUM_GROUP_SIZE",
    "MINIMUM_GROUP_SIZE_FLOOR",
    "SurveyKind",
    "SurveyParticipation",
    "SurveyResponse",
    "SurveyRun",
    "SurveyWorkgroup",
]

# Below three, a result is one or two people's answers: never shown, whatever a runner asks.
MINIMUM_GROUP_SIZE_FLOOR = 3
DEFAULT_MINIMUM_GROUP_SIZE = 5


class SurveyKind(models.TextChoices):
    RELATIONAL_COORDINATION = "rc", "Relational coordination"
    PULSE = "pulse", "Team pulse (psychological safety)"


class SurveyRun(models.Model):
    """One survey of a unit: which instrument, about which work process (relational
    coordination), its workgroups, when it is open, and the smallest group whose results show.
    Staff of the unit and below may answer; people from elsewhere are invited by a grant on
    the run (`accepts_grants`)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="survey_runs")
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    title = models.CharField(max_length=200)
    focal_process = models.CharField(
        "focal work process",
        max_length=200,
        blank=True,
        help_text="The work the questions are about, e.g. “discharging patients”.",
    )
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="The last day answers are taken.")
    minimum_group_size = models.PositiveSmallIntegerField(
        default=DEFAULT_MINIMUM_GROUP_SIZE,
        validators=[MinValueValidator(MINIMUM_GROUP_SIZE_FLOOR)],
        help_text="Results of a group with fewer respondents are never shown.",
    )
    # Set when the answers were shuffled into their final rows (see the module's docstring).
    sealed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    accepts_grants = True

    class Meta:
        ordering = ["-opens_on", "-pk"]
        indexes = [models.Index(fields=["unit", "kind", "closes_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_group_size__gte=MINIMUM_GROUP_SIZE_FLOOR),
                name="survey_minimum_group_size_at_least_3",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("culture:survey-detail", args=[self.pk])

    @property
    def is_rc(self) -> bool:
        return self.kind == SurveyKind.RELATIONAL_COORDINATION

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    def is_closed_on(self, day) -> bool:
        return day > self.closes_on


class SurveyWorkgroup(models.Model):
    """A workgroup in the relational coordination sense (nurses, doctors, pharmacists,
    patients' families...): respondents say which is theirs and rate each of them."""

    run = models.ForeignKey(SurveyRun, on_delete=models.CASCADE, related_name="workgroups")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="one_workgroup_name_per_survey")
        ]

    def __str__(self) -> str:
        return self.name


class SurveyParticipation(models.Model):
    """That a person has answered a run: nothing else (no time, no link to the answer)."""

    # Not listed or counted on the admin's page for deleting a person (qms.people.admin).
    admin_unlisted = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(SurveyRun, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="one_answer_per_person")
        ]

    def __str__(self) -> str:
        return "Answered"


class SurveyResponse(models.Model):
    """One anonymous set of answers: the respondent's workgroup (relational coordination) and
    the scores, as {"<rated workgroup id>": [seven scores]} or {"pulse": [seven scores]}."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(SurveyRun, on_delete=models.CASCADE, related_name="responses")
    workgroup = models.ForeignKey(
        SurveyWorkgroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scores = models.JSONField(default=dict)
    sealed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "An anonymous answer"
