"""Framework: the skills framework of an organisation (the root unit): its ordered levels
(awareness, foundation, practitioner, expert by default), its skills (knowledge areas), and
the level each membership role and each project team role needs in each skill.

Records are retired, never deleted, once anything uses them: assessments and training name
them, and their history keeps every name they have had."""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit
from qms.people.roles import Role

__all__ = [
    "Level",
    "ProjectRole",
    "ProjectRoleRequirement",
    "RoleRequirement",
    "Skill",
]


class Level(models.Model):
    """A level of improvement skill; `rank` orders them (higher is more)."""

    organisation = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="skill_levels",
        limit_choices_to={"parent": None},
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    covers = models.TextField(help_text="What someone at this level knows and can do.")
    who = models.CharField(max_length=300, blank=True, help_text="Who this level is for.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="level_code_once"),
            models.UniqueConstraint(fields=["organisation", "rank"], name="level_rank_once"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("capability:framework", args=[self.organisation_id])

    @property
    def access_unit(self) -> Unit:
        return self.organisation


class Skill(models.Model):
    """A knowledge area of quality improvement (measurement and variation, the model for
    improvement...). Retired skills stay for the assessments that name them."""

    organisation = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="skills", limit_choices_to={"parent": None}
    )
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=150)
    covers = models.TextField(blank=True, help_text="The knowledge and methods this skill covers.")
    position = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="skill_code_once"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("capability:framework", args=[self.organisation_id])

    @property
    def access_unit(self) -> Unit:
        return self.organisation

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class RoleRequirement(models.Model):
    """The level a membership role needs in a skill (no row: no level needed)."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="role_requirements")
    role = models.CharField(max_length=30, choices=Role.choices)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["skill", "role"]
        constraints = [
            models.UniqueConstraint(fields=["skill", "role"], name="role_requirement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.level} in {self.skill}"

    @property
    def access_unit(self) -> Unit:
        return self.skill.organisation


class ProjectRole(models.TextChoices):
    """The roles on an improvement project's team (the charter's lead, coach and sponsor, and
    the members given a role on the project)."""

    LEAD = "lead", "Project lead"
    COACH = "coach", "Improvement coach"
    SPONSOR = "sponsor", "Sponsor"
    MEMBER = "member", "Team member"


class ProjectRoleRequirement(models.Model):
    """The level a role on a project's team needs in a skill."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="project_requirements")
    role = models.CharField(max_length=20, choices=ProjectRole.choices)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["skill", "role"]
        constraints = [
            models.UniqueConstraint(fields=["skill", "role"], name="project_requirement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.level} in {self.skill}"

    @property
    def access_unit(self) -> Unit:
        return self.skill.organisation
