"""Organisation: units in a tree, the people in them, and the roles they hold there."""

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.roles import Role


class UnitKind(models.TextChoices):
    BOARD = "board", "Board"
    DIVISION = "division", "Division"
    SERVICE = "service", "Service"
    TEAM = "team", "Team"
    WARD = "ward", "Ward"


class Unit(models.Model):
    """An organisational unit. `path` holds the ids from the root down, e.g. "/1/4/17/",
    so a whole subtree is one indexed prefix query on SQLite and PostgreSQL alike."""

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=60, unique=True, help_text="Short stable identifier.")
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["path"])

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:unit-detail", args=[self.pk])

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class ProfessionalGroup(models.TextChoices):
    NURSING = "nursing", "Nursing and midwifery"
    MEDICAL = "medical", "Medical and dental"
    AHP = "ahp", "Allied health professions"
    PHARMACY = "pharmacy", "Pharmacy"
    PSYCHOLOGY = "psychology", "Psychology"
    HEALTHCARE_SCIENCE = "science", "Healthcare science"
    MANAGEMENT = "management", "Management and administration"
    SUPPORT = "support", "Support services"
    PUBLIC = "public", "Patient, carer or public partner"


class Person(AbstractUser):
    """Anyone who signs in: staff and patient or carer partners."""

    display_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    professional_group = models.CharField(
        max_length=20, choices=ProfessionalGroup.choices, blank=True
    )
    current_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The unit the person last switched to; pages open on it.",
    )

    class Meta:
        ordering = ["display_name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("people:person-detail", args=[self.pk])


class Membership(models.Model):
    """A person holds a role in a unit; the role reaches every unit below it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path", "role", "person__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "unit", "role"], name="one_role_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}, {self.unit}"


class ObjectGrant(models.Model):
    """A role on one record (a project, a priority, a network, an issue) without a role in its
    unit: how a patient partner or a visiting coach joins one piece of work. The role reaches the
    record and whatever declares it as its `access_parent` (a project's PDSA cycles), never the
    unit around it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["content_type", "object_id", "person__display_name"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "content_type", "object_id", "role"],
                name="one_grant_per_role_and_record",
            )
        ]

    def __str__(self) -> str:
        role = self.get_role_display()
        return f"{self.person} — {role} on {self.content_type.name} {self.object_id}"


class ApiKey(models.Model):
    """A key another system (a data warehouse, an incident system) uses on the API and FHIR
    endpoints, limited to one unit and the units below it, to reading or to reading and writing,
    and to a time. Only a hash of the key is kept; the key is shown once, when it is made.

    The key acts through its own account (`principal`), which holds no membership: while a
    request carries the key, access treats the account as holding `role` in `unit` and nothing
    else (qms.people.access), so the API runs the pages' services and permission checks, and
    history names the key as who made each change."""

    name = models.CharField(max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="api_keys")
    role = models.CharField(max_length=30, choices=Role.choices)
    can_write = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=128)
    principal = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="api_key", editable=False
    )
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Not in history: it changes on every call (written with update(), which history skips).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["unit__path", "revoked_at", "-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope(self) -> str:
        return "read and write" if self.can_write else "read"


class ExternalIdentity(models.Model):
    """A person as an identity provider knows them (single sign-on, qms.web.sso): the issuer
    and its subject identifier, which stays the same when the person's name or e-mail changes.
    Linked on first sign-in, then matched by this alone."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "subject"]
        verbose_name = "external identity"
        verbose_name_plural = "external identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_person_per_identity")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.issuer}"
