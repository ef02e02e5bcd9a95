"""Partners: patients, carers and community members with an account, the unit whose organisers
look after them, how they like to be contacted, and each invitation into a unit or onto one piece
of work (a project, a priority, a network, a measure for review). Their roles themselves are the
people app's memberships and grants (qms.people.access): these records say who invited whom
where, so organisers see the partners of their units without a staff directory."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from qms.people.models import Unit

__all__ = ["ContactPreference", "PartnerProfile", "PartnerInvitation"]


class ContactPreference(models.TextChoices):
    EMAIL = "email", "By e-mail"
    PHONE = "phone", "By telephone (the team keeps the number)"
    LETTER = "letter", "By letter"
    IN_PERSON = "in_person", "In person, through the team"


class PartnerProfile(models.Model):
    """A partner's account as co-design knows it: the unit that looks after them (where they
    were first invited) and how they like to be contacted. One per person."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_profile"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="partner_profiles",
        help_text="The unit whose organisers look after the partner.",
    )
    contact_by = models.CharField(
        "how they would like to be contacted",
        max_length=20,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["person__display_name"]

    def __str__(self) -> str:
        return f"{self.person} (partner, {self.unit})"


class PartnerInvitation(models.Model):
    """One invitation of a partner: into a unit (a partner role there) or onto one record that
    accepts grants (a partner role on it alone). `unit` is the unit of the work, so organisers
    find the partners of their units in one query."""

    profile = models.ForeignKey(
        PartnerProfile, on_delete=models.CASCADE, related_name="invitations"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="partner_invitations")
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    new_account = models.BooleanField(
        default=False, help_text="Whether this invitation made the partner's account."
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.profile.person} invited to {self.subject or self.unit}"
