"""Coaching: a coach's log of their work with a person or a team (goals, sessions with notes and
progress, agreed actions with owners and due dates), ended with a summary.

Everything written in a coaching log is private to the coach and the coachees named in it: not
the unit's leads, not system administrators, not the Django admin, not exports. So no model here
keeps a history table (a copy of every version would be one more place to read it), and none is
registered in the admin. What others may learn is the hours of coaching in a unit, never its
content (`selectors.coaching.coaching_hours`).

A project team is named by string ("improvement.Project") and reached through improvement's
selectors only."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from qms.people.models import Unit

__all__ = [
    "AgreedAction",
    "CoachingKind",
    "CoachingRelationship",
    "CoachingSession",
    "CoachingStatus",
]

_PERSON = settings.AUTH_USER_MODEL
# A session longer than a working day is a typing mistake, not coaching.
SESSION_MINUTES_MAX = 8 * 60


class CoachingKind(models.TextChoices):
    PERSON = "person", "A person"
    TEAM = "team", "A team"


class CoachingStatus(models.TextChoices):
    OPEN = "open", "Open"
    ENDED = "ended", "Ended"


class CoachingRelationship(models.Model):
    """A coach working with a person or a team of a unit. The coachees are named one by one
    (a team's members too): they, and the coach, are the only readers."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="coaching")
    coach = models.ForeignKey(_PERSON, on_delete=models.PROTECT, related_name="coaching_given")
    kind = models.CharField(max_length=10, choices=CoachingKind.choices)
    title = models.CharField(max_length=200, help_text="Who or what the coaching is for.")
    coachees = models.ManyToManyField(_PERSON, related_name="coaching_received")
    project = models.ForeignKey(
        "improvement.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The improvement project whose team is coached, if any.",
    )
    goals = models.TextField(help_text="What the coachee or team wants to achieve.")
    status = models.CharField(
        max_length=10, choices=CoachingStatus.choices, default=CoachingStatus.OPEN
    )
    started_on = models.DateField()
    next_session_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="What was achieved, written at the end.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-status", "-started_on", "-pk"]  # open ("open" > "ended") first
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", ended_on__isnull=True)
                | models.Q(status="ended", ended_on__isnull=False),
                name="culture_coaching_ended_has_date",
            ),
        ]

    def __str__(self) -> str:
        # Not the title: a record's name is shown where its content is not (the admin's list
        # of what deleting a person would touch), and the title names who is coached.
        return "A coaching log"

    def get_absolute_url(self) -> str:
        return reverse("culture:coaching-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == CoachingStatus.OPEN


class CoachingSession(models.Model):
    """One session: when, how long, its focus, the coach's notes and the progress on the goals."""

    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField()
    minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SESSION_MINUTES_MAX)]
    )
    focus = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    progress = models.TextField(blank=True, help_text="Progress on the goals.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return "A coaching session"


class AgreedAction(models.Model):
    """What was agreed in a session, with its owner (the coach or a coachee) and due date."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(_PERSON, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return "An agreed action of a coaching log"

    def get_absolute_url(self) -> str:
        return self.session.relationship.get_absolute_url()
