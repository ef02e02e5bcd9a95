"""Concerns: a member of staff raises a concern in their unit, by name or anonymously. The
concern IS an issue (source "staff concern"), handled, analysed and escalated like any other;
these records hold what the issue does not: whether it is anonymous, the hash of the raiser's
follow-up code, and the thread between its handlers and the person who raised it. And, for any
issue, the feedback its handler sent the person who raised it when it was closed."""

from django.conf import settings
from django.db import models
from django.urls import reverse

__all__ = ["ClosingFeedback", "Concern", "ConcernMessage"]


class Concern(models.Model):
    """What a staff concern holds beside its issue.

    An anonymous concern has NO link to the person who raised it: `raised_by` is empty, the
    issue's `created_by`, owner and history user are empty, and `raised_on` keeps the day only
    (a time to the second could be matched to the raiser's session or last sign-in). The
    raiser holds a one-time follow-up code; only its SHA-256 is stored (the code has 160 random
    bits, so a fast hash is enough: it cannot be guessed, only stolen)."""

    issue = models.OneToOneField("issues.Issue", on_delete=models.CASCADE, related_name="concern")
    anonymous = models.BooleanField(default=False)
    # The named raiser (empty, always, for an anonymous concern).
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    raised_on = models.DateField()
    # Whether the unit's handlers have been told of it: an anonymous concern is announced by
    # the daily round, so the time of the notice says nothing about when it was raised.
    handlers_told = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_on", "-pk"]

    def __str__(self) -> str:
        return f"Concern: {self.issue.title}"

    def get_absolute_url(self) -> str:
        return self.issue.get_absolute_url()

    @property
    def access_unit(self):
        return self.issue.unit

    @property
    def access_parent(self):
        return self.issue


class ConcernMessage(models.Model):
    """One message on a concern's thread: a handler's reply, or the raiser's (sent with the
    follow-up code when anonymous). A message from an anonymous raiser has no author and its
    time is the day only."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    from_raiser = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField()
    written_at = models.DateTimeField()
    # Whether the handlers have heard of an anonymous raiser's message (the daily round).
    handlers_told = models.BooleanField(default=True)

    class Meta:
        # By id, not time: an anonymous raiser's messages carry the day only.
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Message on {self.concern}"


class ClosingFeedback(models.Model):
    """The feedback a handler sent the person who raised an issue when it was closed: to their
    inbox when named, on the thread of an anonymous concern. Counted by the reporting culture's
    measure of issues closed with feedback."""

    issue = models.OneToOneField(
        "issues.Issue", on_delete=models.CASCADE, related_name="closing_feedback"
    )
    text = models.TextField()
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    given_at = models.DateTimeField()

    class Meta:
        ordering = ["-given_at", "-pk"]

    def __str__(self) -> str:
        return f"Feedback on {self.issue}"

    def get_absolute_url(self) -> str:
        return reverse("issues:issue-detail", args=[self.issue_id])
