"""Issues and the actions taken on them: a problem from any source (a control chart signal, an
incident, a complaint, an audit finding...), in a unit, owned by a person, worked through actions
until it is closed. Any area raises them; the record it came from is linked generically."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit


class IssueSource(models.TextChoices):
    SIGNAL = "signal", "Control chart signal"
    INCIDENT = "incident", "Incident"
    COMPLAINT = "complaint", "Complaint"
    AUDIT_FINDING = "audit_finding", "Audit finding"
    FEEDBACK = "feedback", "Feedback"
    STAFF_CONCERN = "staff_concern", "Staff concern"
    PROJECT_BLOCKER = "project_blocker", "Project blocker"
    OTHER = "other", "Other"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Issue(models.Model):
    """A problem to analyse and act on. Quality control's signal-linked issues are these rows:
    the table keeps its original name, so nothing was copied when the model moved here."""

    # A role may be given on one issue (qms.people.access): a coach or a lead from elsewhere who
    # helps with it, without a role in its unit.
    accepts_grants = True

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="issues")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=IssueSource.choices)
    # The record it came from, when there is one (an incident reported in words has none).
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_record = GenericForeignKey("source_type", "source_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues_owned",
    )
    status = models.CharField(max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(table_name="control_historicalissue")

    class Meta:
        db_table = "control_issue"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="issue_source_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("issues:issue-detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == IssueStatus.CLOSED


class Action(models.Model):
    """Something a person will do about an issue, by a date."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="actions_owned",
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The due date the owner was last reminded of: one reminder per overdue date, another only
    # when the date is moved. Bookkeeping of the reminder job, so not part of the history.
    reminded_for = models.DateField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["reminded_for"])

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="action_owner_due_idx")]

    def __str__(self) -> str:
        return self.what

    def get_absolute_url(self) -> str:
        return self.issue.get_absolute_url() + f"#action-{self.pk}"

    @property
    def access_unit(self) -> Unit:
        return self.issue.unit

    @property
    def access_parent(self) -> Issue:
        return self.issue

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
