"""Quality improvement: projects with a charter and a team, their theory of change (a driver
diagram), PDSA cycles testing each change idea, the structure of each method (Lean A3,
experience-based co-design stages, milestones), prototypes, a progress score, and change
packages that other units adopt with their local adaptations.

Measures are quality control's (`control.Measure`), named by string so this app imports
nothing of control's models; a cycle reaches a measure's chart through control's generic
chart markers (`qms.control.services`)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit


class Method(models.TextChoices):
    MODEL_FOR_IMPROVEMENT = "mfi", "Model for Improvement"
    LEAN = "lean", "Lean"
    EBCD = "ebcd", "Experience-based co-design"
    PROJECT_MANAGEMENT = "pm", "Project management"
    RESEARCH = "research", "Research and evaluation"


class Stage(models.TextChoices):
    IDEA = "idea", "Idea"
    SCOPING = "scoping", "Scoping"
    TESTING = "testing", "Testing"
    IMPLEMENTING = "implementing", "Implementing"
    SPREADING = "spreading", "Spreading"
    SUSTAINING = "sustaining", "Sustaining"
    CLOSED = "closed", "Closed"


class MeasureRole(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    PROCESS = "process", "Process"
    BALANCING = "balancing", "Balancing"


# The IHI collaborative progress scale (Institute for Healthcare Improvement, "Assessment
# scale for collaboratives"): each score with its meaning.
PROGRESS_SCALE = {
    "0.5": "Intent to participate",
    "1.0": "Charter and team established",
    "1.5": "Planning for the project has begun",
    "2.0": "Activity, but no changes",
    "2.5": "Changes tested, but no improvement",
    "3.0": "Modest improvement",
    "3.5": "Improvement",
    "4.0": "Significant improvement",
    "4.5": "Sustainable improvement",
    "5.0": "Outstanding sustainable results",
}
PROGRESS_CHOICES = [(key, f"{key}: {meaning}") for key, meaning in PROGRESS_SCALE.items()]


class PartOfProject:
    """A record that lives under a project: it is in the project's unit, and a role given on
    the project reaches it (qms.people.access)."""

    @property
    def access_unit(self) -> Unit:
        return self.project.unit

    @property
    def access_parent(self) -> "Project":
        return self.project


class Project(models.Model):
    """An improvement project: its charter, and the record its team is given roles on."""

    # The team are the people given a role on the project (qms.people.access): a partner, a
    # coach or a colleague from another unit joins this project without a role in its unit.
    accepts_grants = True

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=200)
    problem = models.TextField(help_text="What is wrong, for whom, and how we know.")
    aim = models.TextField(
        help_text="How much, by when, for whom: e.g. “Reduce falls with harm on Ward 3 by 30% "
        "by 31 March 2027”."
    )
    method = models.CharField(
        max_length=20, choices=Method.choices, default=Method.MODEL_FOR_IMPROVEMENT
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDEA)
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects_sponsored",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects_led",
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects_coached",
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    protected_hours = models.DecimalField(
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Staff hours a week set aside for the project.",
    )
    budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="In pounds.",
    )
    # The signal or issue the project started from, when it did (carried over on creation).
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_record = GenericForeignKey("source_type", "source_id")
    # The confirmed IHI progress score (PROGRESS_SCALE key); its assessments keep the history.
    progress_score = models.CharField(
        max_length=3, choices=PROGRESS_CHOICES, blank=True, default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path", "title"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="project_source_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:project-detail", args=[self.pk])


class ProjectMeasure(PartOfProject, models.Model):
    """A control measure the project watches, as its outcome, process or balancing measure."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_measures")
    measure = models.ForeignKey(
        "control.Measure", on_delete=models.CASCADE, related_name="project_links"
    )
    role = models.CharField(max_length=20, choices=MeasureRole.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "role", "measure__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "measure"], name="project_measure_once")
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.measure} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()


class NodeKind(models.TextChoices):
    AIM = "aim", "Aim"
    PRIMARY = "primary", "Primary driver"
    SECONDARY = "secondary", "Secondary driver"
    CHANGE_IDEA = "change_idea", "Change idea"


# Which kind of node may sit under which (services enforce it): a change idea may hang from a
# primary driver directly when there is no secondary driver between.
NODE_CHILDREN = {
    NodeKind.AIM: {NodeKind.PRIMARY},
    NodeKind.PRIMARY: {NodeKind.SECONDARY, NodeKind.CHANGE_IDEA},
    NodeKind.SECONDARY: {NodeKind.CHANGE_IDEA},
    NodeKind.CHANGE_IDEA: set(),
}


class DriverNode(PartOfProject, models.Model):
    """One node of a project's driver diagram: its aim (the root, one per project), a primary
    or secondary driver, or a change idea that PDSA cycles test."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(max_length=20, choices=NodeKind.choices)
    text = models.CharField(max_length=300)
    # Order among its siblings, from 1.
    position = models.PositiveIntegerField(default=1)
    measures = models.ManyToManyField("control.Measure", blank=True, related_name="driver_nodes")
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "parent_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(kind="aim"),
                name="driver_diagram_one_aim",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return reverse("improvement:diagram", args=[self.project_id]) + f"#node-{self.pk}"


class CycleStage(models.TextChoices):
    PLAN = "plan", "Plan"
    DO = "do", "Do"
    STUDY = "study", "Study"
    ACT = "act", "Act"
    DONE = "done", "Done"


class ActDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt"
    ADAPT = "adapt", "Adapt"
    ABANDON = "abandon", "Abandon"


class PdsaCycle(PartOfProject, models.Model):
    """One Plan-Do-Study-Act cycle testing a change idea; the change idea's cycles, in order of
    `number`, are its ramp."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cycles")
    change_idea = models.ForeignKey(DriverNode, on_delete=models.CASCADE, related_name="cycles")
    # Its place in the change idea's ramp, from 1.
    number = models.PositiveIntegerField()
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cycles"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pdsa_cycles_owned",
    )
    stage = models.CharField(max_length=10, choices=CycleStage.choices, default=CycleStage.PLAN)
    # Plan
    objective = models.TextField()
    questions = models.TextField(blank=True)
    who = models.CharField(max_length=300, blank=True)
    what = models.TextField(blank=True)
    where = models.CharField(max_length=300, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    data_to_collect = models.TextField(blank=True)
    # Do
    what_happened = models.TextField(blank=True)
    observations = models.TextField(blank=True)
    # Study
    study_summary = models.TextField(blank=True)
    # Act
    decision = models.CharField(max_length=10, choices=ActDecision.choices, blank=True)
    act_notes = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    # The due date the owner was last reminded of, so an overdue cycle reminds once per date.
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["change_idea", "number"]
        constraints = [
            models.UniqueConstraint(fields=["change_idea", "number"], name="pdsa_number_in_ramp"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="pdsa_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"PDSA {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("improvement:cycle-detail", args=[self.pk])


class PredictionOutcome(models.TextChoices):
    MET = "met", "As predicted"
    PARTLY = "partly", "Partly as predicted"
    NOT_MET = "not_met", "Not as predicted"


class Prediction(models.Model):
    """What the team predicts a cycle will show (Plan), and what it did show (Study)."""

    cycle = models.ForeignKey(PdsaCycle, on_delete=models.CASCADE, related_name="predictions")
    position = models.PositiveIntegerField(default=1)
    question = models.CharField(max_length=300, blank=True)
    prediction = models.TextField()
    result = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=PredictionOutcome.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "position", "pk"]

    def __str__(self) -> str:
        return self.prediction[:80]

    def get_absolute_url(self) -> str:
        return self.cycle.get_absolute_url()

    @property
    def access_unit(self) -> Unit:
        return self.cycle.project.unit

    @property
    def access_parent(self) -> PdsaCycle:
        return self.cycle


class A3(PartOfProject, models.Model):
    """A Lean project's A3: the problem and its solving on one page."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="a3")
    background = models.TextField(blank=True)
    current_condition = models.TextField(blank=True)
    goal = models.TextField(blank=True)
    root_causes = models.TextField(blank=True)
    countermeasures = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    follow_up = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"A3: {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("improvement:a3", args=[self.project_id])


class EbcdStageName(models.TextChoices):
    GATHER = "gather", "Gather experiences"
    TOUCHPOINTS = "touchpoints", "Identify touchpoints"
    CODESIGN = "codesign", "Co-design groups"
    IMPLEMENT = "implement", "Implement"
    REVIEW = "review", "Review"


class StageStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class EbcdStage(PartOfProject, models.Model):
    """One stage of an experience-based co-design project (Point of Care Foundation toolkit)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ebcd_stages")
    stage = models.CharField(max_length=20, choices=EbcdStageName.choices)
    status = models.CharField(
        max_length=20, choices=StageStatus.choices, default=StageStatus.NOT_STARTED
    )
    notes = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="ebcd_stage_once")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()}"

    def get_absolute_url(self) -> str:
        return reverse("improvement:ebcd", args=[self.project_id])


class Milestone(PartOfProject, models.Model):
    """A project-management milestone with an owner and a date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones_owned",
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:milestones", args=[self.project_id]) + f"#milestone-{self.pk}"


class PrototypeStatus(models.TextChoices):
    OPEN = "open", "Gathering feedback"
    BECAME_CHANGE_IDEA = "change_idea", "Became a change idea"
    DROPPED = "dropped", "Dropped"


class Prototype(PartOfProject, models.Model):
    """A quick mock-up tried before a formal test; pictures and files are attachments and the
    feedback of staff and partners its discussion (qms.comments)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="prototypes")
    title = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(
        max_length=20, choices=PrototypeStatus.choices, default=PrototypeStatus.OPEN
    )
    change_idea = models.ForeignKey(
        DriverNode, null=True, blank=True, on_delete=models.SET_NULL, related_name="prototypes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:prototype-detail", args=[self.pk])


class ProgressAssessment(PartOfProject, models.Model):
    """A confirmed progress score: what the evidence suggested, with its reasons, and what the
    lead decided (the same, or another score with a reason)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    suggested = models.CharField(max_length=3, choices=PROGRESS_CHOICES)
    reasons = models.JSONField(default=list)
    score = models.CharField(max_length=3, choices=PROGRESS_CHOICES)
    override_reason = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-assessed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project}: {self.score}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url() + "#progress"

    @property
    def overridden(self) -> bool:
        return self.score != self.suggested


class PackageStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChangePackage(PartOfProject, models.Model):
    """What a project learned, packaged for others: its tested change ideas, its measures with
    their operational definitions, the evidence and how to do it."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="packages")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    how_to = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    change_ideas = models.ManyToManyField(DriverNode, blank=True, related_name="packages")
    measures = models.ManyToManyField("control.Measure", blank=True, related_name="packages")
    status = models.CharField(
        max_length=20, choices=PackageStatus.choices, default=PackageStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:package-detail", args=[self.pk])


class AdoptionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ADOPTING = "adopting", "Adopting"
    ADOPTED = "adopted", "Adopted"
    STOPPED = "stopped", "Stopped"


class Adoption(models.Model):
    """A unit adopting a change package: what it changed for its context, and the measures that
    will show whether it worked there."""

    package = models.ForeignKey(ChangePackage, on_delete=models.PROTECT, related_name="adoptions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="adoptions")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions_led",
    )
    adopted_on = models.DateField()
    local_adaptations = models.TextField(blank=True)
    context = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=AdoptionStatus.choices, default=AdoptionStatus.ADOPTING
    )
    measures = models.ManyToManyField("control.Measure", blank=True, related_name="adoptions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["package", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["package", "unit"], name="adoption_once_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.package} in {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("improvement:adoption-detail", args=[self.pk])
