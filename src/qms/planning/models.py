"""Quality planning: the organisation's vision and aims cascaded from board to team; needs
assessments with their evidence and assets, and population-group breakdowns of measures (equity
gaps); the contributory factors of issues; priorities scored for impact and feasibility with
editable weights, their method, design, resources and roles; clinical audits against standards.

Measures, standards and observations are quality control's and projects and change packages
improvement's, named here by string (`"control.Measure"`); this app reaches their data and
writes through their services and selectors only."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.people.models import Unit

_PERSON = settings.AUTH_USER_MODEL


def _person(related_name: str = "+", **options) -> models.ForeignKey:
    return models.ForeignKey(
        _PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        **options,
    )


def _money() -> models.DecimalField:
    return models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="In pounds.",
    )


def _hours(help_text: str = "Staff hours a week.") -> models.DecimalField:
    return models.DecimalField(
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=help_text,
    )


# --- 1. Vision and aims ------------------------------------------------------------------------


class Vision(models.Model):
    """A unit's quality vision and purpose (the board's is the organisation's)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="quality_vision")
    vision = models.TextField(help_text="What quality will look like for the people we serve.")
    purpose = models.TextField(blank=True, help_text="Why we exist, in plain words.")
    updated_by = _person()
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Quality vision of {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("planning:vision", args=[self.unit_id])


class Aim(models.Model):
    """A quality aim with a target and a date, which may serve an aim of a unit above it (the
    cascade board > division > team); measures and projects serve it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="aims")
    statement = models.TextField(help_text="How much, by when, for whom.")
    target = models.CharField(
        max_length=200,
        help_text="The target in words, e.g. “fewer than 2 falls per 1,000 bed days”.",
    )
    due_on = models.DateField(help_text="When the target is to be met.")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The aim of a unit above this one that this aim serves.",
    )
    measures = models.ManyToManyField("control.Measure", blank=True, related_name="aims")
    projects = models.ManyToManyField("improvement.Project", blank=True, related_name="aims")
    is_active = models.BooleanField(default=True)
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[measures, projects])

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.statement[:80]

    def get_absolute_url(self) -> str:
        return reverse("planning:aim-detail", args=[self.pk])


# --- 2. Needs and assets; equity --------------------------------------------------------------


class NeedsAssessment(models.Model):
    """An assessment of a population group's or a service's needs and assets."""

    accepts_grants = True

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="needs_assessments")
    title = models.CharField(max_length=200)
    population = models.CharField(
        max_length=200,
        help_text="The population group or service, e.g. “Over-75s in the east locality”.",
    )
    summary = models.TextField(blank=True)
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:needs-detail", args=[self.pk])


class PartOfAssessment:
    @property
    def access_unit(self) -> Unit:
        return self.assessment.unit

    @property
    def access_parent(self) -> NeedsAssessment:
        return self.assessment


class Need(PartOfAssessment, models.Model):
    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="needs")
    statement = models.TextField()
    position = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.statement[:80]


class EvidenceKind(models.TextChoices):
    TABLE = "table", "Table of data"
    FEEDBACK = "feedback", "Feedback"
    STATISTIC = "statistic", "Published statistic"


class NeedEvidence(PartOfAssessment, models.Model):
    """Evidence for a need: an uploaded table (CSV or Excel, kept as parsed columns and rows and
    drawn as a chart), feedback, or a published statistic with its source."""

    assessment = models.ForeignKey(
        NeedsAssessment, on_delete=models.CASCADE, related_name="evidence"
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=300, help_text="Who published it, where, and when.")
    source_url = models.URLField(blank=True)
    summary = models.TextField(blank=True)
    columns = models.JSONField(default=list, blank=True)  # a table's column names
    rows = models.JSONField(default=list, blank=True)  # a table's rows, lists of cells
    chart_x = models.CharField(max_length=100, blank=True)  # the columns its chart draws
    chart_y = models.CharField(max_length=100, blank=True)
    # A published statistic: its value, what the value is in, and when it was published.
    statistic = models.FloatField(null=True, blank=True)
    statistic_unit = models.CharField(max_length=60, blank=True, help_text="E.g. %, per 1,000.")
    published_on = models.DateField(null=True, blank=True)
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class AssetKind(models.TextChoices):
    COMMUNITY = "community", "Community resource"
    STAFF = "staff", "Staff strength"
    PARTNER = "partner", "Partner organisation"


class Asset(PartOfAssessment, models.Model):
    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class GroupObservation(models.Model):
    """A measure's value for one population group in one period (deprivation quintile, age
    band...): the breakdown its equity gap is read from. Aggregate, never about a person."""

    measure = models.ForeignKey(
        "control.Measure", on_delete=models.CASCADE, related_name="group_observations"
    )
    dimension = models.CharField(max_length=60, help_text="E.g. “Deprivation quintile (SIMD)”.")
    group = models.CharField(max_length=60, help_text="E.g. “1 (most deprived)”.")
    position = models.PositiveSmallIntegerField(default=1)  # the groups' natural order
    period = models.DateField()
    value = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)
    recorded_by = _person()
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "dimension", "period", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "dimension", "group", "period"], name="one_group_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} in {self.period:%b %Y}"

    @property
    def access_unit(self) -> Unit:
        return self.measure.unit


# --- 4. Contributory factors ------------------------------------------------------------------


class FactorDomain(models.Model):
    """A domain of the contributory factor framework: by default the Yorkshire Contributory
    Factors Framework's (seeded by a migration), editable by quality leads."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    prompt = models.CharField(
        max_length=300, help_text="The system-focused question the analysis form asks."
    )
    position = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class AnalysisDecision(models.TextChoices):
    UNDECIDED = "", "Not decided yet"
    IMPROVE_HERE = "improve_here", "Improve here"
    ESCALATE = "escalate", "Escalate"


class IssueAnalysis(models.Model):
    """The system-focused analysis of an issue: what in the system allowed it, its factors,
    and whether the unit improves it here or escalates it."""

    issue = models.OneToOneField("issues.Issue", on_delete=models.CASCADE, related_name="analysis")
    system_account = models.TextField(
        blank=True, help_text="What in the system allowed this to happen?"
    )
    decision = models.CharField(
        max_length=20, choices=AnalysisDecision.choices, blank=True, default=""
    )
    decision_reason = models.TextField(blank=True)
    analysed_by = _person()
    analysed_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Analysis of issue {self.issue_id}"

    def get_absolute_url(self) -> str:
        return reverse("planning:analysis", args=[self.issue_id])

    @property
    def access_unit(self) -> Unit:
        return self.issue.unit

    @property
    def access_parent(self):
        return self.issue


class IssueFactor(models.Model):
    """One contributory factor coded on an issue's analysis."""

    analysis = models.ForeignKey(IssueAnalysis, on_delete=models.CASCADE, related_name="factors")
    domain = models.ForeignKey(FactorDomain, on_delete=models.PROTECT, related_name="codings")
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "domain"], name="one_coding_per_domain")
        ]

    # --- 5. Priorities, 6. method, 8. resources ---------------------------------------------------

    def __str__(self) -> str:
        return str(self.domain)


class PriorityOrigin(models.TextChoices):
    GAP = "gap", "Gap against a standard"
    FACTOR = "factor", "Recurring contributory factor"
    NEED = "need", "Population need"
    AIM = "aim", "Aim"
    STRATEGY = "strategy", "Strategy"
    OTHER = "other", "Other"


class PriorityStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    APPROVED = "approved", "Approved"
    PARKED = "parked", "Parked"
    REJECTED = "rejected", "Rejected"


# Each criterion is scored 1 to 5, higher always better for the priority: for effort and cost,
# 5 means little effort or cost (so the ranking needs no inversion); the forms say so.
SCORE_RANGE = [MinValueValidator(1), MaxValueValidator(5)]
IMPACT_CRITERIA = ("people_affected", "severity", "equity", "strategic_fit")
FEASIBILITY_CRITERIA = ("effort", "cost", "readiness")


def _score(help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=SCORE_RANGE, help_text=help_text
    )


class ScoringWeights(models.Model):
    """The weights a unit's priorities are scored with; a unit without its own uses the nearest
    unit above that has them, else equal weights."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="scoring_weights")
    people_affected = models.FloatField(default=1, validators=[MinValueValidator(0)])
    severity = models.FloatField(default=1, validators=[MinValueValidator(0)])
    equity = models.FloatField(default=1, validators=[MinValueValidator(0)])
    strategic_fit = models.FloatField(default=1, validators=[MinValueValidator(0)])
    effort = models.FloatField(default=1, validators=[MinValueValidator(0)])
    cost = models.FloatField(default=1, validators=[MinValueValidator(0)])
    readiness = models.FloatField(default=1, validators=[MinValueValidator(0)])
    updated_by = _person()
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Priority weights of {self.unit}"


class Priority(models.Model):
    """A candidate or decided quality priority: where it came from, its scores, its decision,
    its method, resources and what it became (a project or a control measure)."""

    accepts_grants = True

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="priorities")
    title = models.CharField(max_length=200)
    problem = models.TextField(help_text="What is wrong, for whom, and how we know.")
    origin = models.CharField(max_length=20, choices=PriorityOrigin.choices)
    # The record it came from: a measure (gap), a factor domain (with the issues behind it), a
    # need, an aim; none for strategy.
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_record = GenericForeignKey("source_type", "source_id")
    aim = models.ForeignKey(
        Aim, null=True, blank=True, on_delete=models.SET_NULL, related_name="priorities"
    )
    measures = models.ManyToManyField("control.Measure", blank=True, related_name="priorities")
    factors = models.ManyToManyField(FactorDomain, blank=True, related_name="priorities")
    people_affected = _score("How many people it affects: 1 few … 5 very many.")
    severity = _score("How serious the harm or poor experience is: 1 minor … 5 severe.")
    equity = _score("How much it narrows inequalities: 1 not at all … 5 greatly.")
    strategic_fit = _score("How well it fits the organisation's aims: 1 poorly … 5 fully.")
    effort = _score("Effort needed: 1 very large … 5 very small.")
    cost = _score("Cost: 1 very high … 5 very low.")
    readiness = _score("Readiness to start: 1 not ready … 5 ready now.")
    status = models.CharField(
        max_length=20, choices=PriorityStatus.choices, default=PriorityStatus.CANDIDATE
    )
    decision_reason = models.TextField(blank=True)
    decided_by = _person()
    decided_at = models.DateTimeField(null=True, blank=True)
    owner = _person("priorities_owned")
    protected_hours = _hours()
    budget = _money()
    needs_design = models.BooleanField(
        default=False, help_text="It needs a new system, model of care or process designed."
    )
    # What it became.
    project = models.ForeignKey(
        "improvement.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="priorities",
    )
    measure = models.ForeignKey(
        "control.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[measures, factors])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:priority-detail", args=[self.pk])


class MethodChoice(models.Model):
    """The method chooser's answers, its recommendation with reasons, and the method chosen,
    for a priority or a project (exactly one)."""

    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.CASCADE, related_name="method_choices"
    )
    project = models.ForeignKey(
        "improvement.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="method_choices",
    )
    answers = models.JSONField(default=dict)  # question key -> "yes" / "no" / "unsure"
    recommended = models.CharField(max_length=20)  # improvement.Method value
    reasons = models.JSONField(default=list)
    chosen = models.CharField(max_length=20)
    chosen_reason = models.TextField(blank=True)  # when the chosen method differs
    chosen_by = _person()
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-chosen_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__isnull=False, project__isnull=True)
                | Q(priority__isnull=True, project__isnull=False),
                name="method_choice_for_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.chosen} (recommended {self.recommended})"


class UnitCapacity(models.Model):
    """What a unit can give to quality work: protected hours a week and budget, and the
    standing hours it spends on each activity besides its priorities, projects and audits."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="quality_capacity")
    protected_hours = _hours("Staff hours a week the unit can protect for quality work.")
    budget = _money()
    planning_hours = _hours("Standing hours a week on planning (needs, priorities).")
    control_hours = _hours("Standing hours a week on control (huddles, measure reviews).")
    assurance_hours = _hours("Standing hours a week on assurance (audits, reports).")
    updated_by = _person()
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Capacity of {self.unit}"


class Raci(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class Responsibility(models.Model):
    """A person's responsibility (RACI) for a priority or a project (exactly one)."""

    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.CASCADE, related_name="responsibilities"
    )
    project = models.ForeignKey(
        "improvement.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    person = models.ForeignKey(_PERSON, on_delete=models.CASCADE, related_name="responsibilities")
    raci = models.CharField(max_length=1, choices=Raci.choices)
    note = models.CharField(max_length=200, blank=True)
    created_by = _person()
    history = HistoricalRecords()

    class Meta:
        ordering = ["raci", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__isnull=False, project__isnull=True)
                | Q(priority__isnull=True, project__isnull=False),
                name="responsibility_for_one",
            ),
            models.UniqueConstraint(
                fields=["priority", "person", "raci"], name="one_raci_per_priority_person"
            ),
            models.UniqueConstraint(
                fields=["project", "person", "raci"], name="one_raci_per_project_person"
            ),
        ]

    # --- 7. Design --------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.get_raci_display()}: {self.person}"


class DesignKind(models.TextChoices):
    SYSTEM = "system", "New system"
    MODEL_OF_CARE = "model_of_care", "Model of care"
    PROCESS = "process", "Process"


class Design(models.Model):
    """The design of a new system, model of care or process for a priority: its current and
    future process, the evidence and technology it draws on; it becomes a change package."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="designs")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DesignKind.choices)
    purpose = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="The evidence it draws on, with sources.")
    technology = models.TextField(blank=True, help_text="The technology it uses.")
    package = models.ForeignKey(
        "improvement.ChangePackage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="designs",
    )
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:design-detail", args=[self.pk])

    @property
    def access_unit(self) -> Unit:
        return self.priority.unit

    @property
    def access_parent(self) -> Priority:
        return self.priority


class ProcessState(models.TextChoices):
    CURRENT = "current", "Current process"
    FUTURE = "future", "Future process"


class StepKind(models.TextChoices):
    STEP = "step", "Step"
    DECISION = "decision", "Decision"
    WAIT = "wait", "Wait or delay"


class DesignStep(models.Model):
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="steps")
    state = models.CharField(max_length=10, choices=ProcessState.choices)
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=StepKind.choices, default=StepKind.STEP)
    actor = models.CharField(max_length=120, blank=True, help_text="Who does it.")
    minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Typical time taken.")
    notes = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def access_unit(self) -> Unit:
        return self.design.priority.unit

    @property
    def access_parent(self) -> Design:
        return self.design


# --- 9. Audits against standards ---------------------------------------------------------------


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COLLECTING = "collecting", "Collecting data"
    ANALYSED = "analysed", "Analysed"
    CLOSED = "closed", "Closed"


class Audit(models.Model):
    """A clinical audit against a standard: criteria with expected compliance, a sample and
    period, cases collected, compliance per criterion; a re-audit names the audit it repeats."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=200)
    standard = models.ForeignKey(
        "control.Standard", null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    measure = models.ForeignKey(
        "control.Measure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audits",
        help_text="The standard's measure its overall compliance feeds.",
    )
    sample = models.TextField(help_text="Who is included and how they are chosen.")
    sample_size = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    lead = _person("audits_led")
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reaudits",
        help_text="The audit this one repeats.",
    )
    reaudit_due = models.DateField(null=True, blank=True)
    # The re-audit date its lead was last reminded of (once per date, as for PDSA cycles).
    reaudit_reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:audit-detail", args=[self.pk])


class PartOfAudit:
    @property
    def access_unit(self) -> Unit:
        return self.audit.unit

    @property
    def access_parent(self) -> Audit:
        return self.audit


class AuditCriterion(PartOfAudit, models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=500)
    expected = models.FloatField(
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Expected compliance, %.",
    )
    exceptions = models.CharField(max_length=500, blank=True)
    # The issue raised when it fell short (an audit finding with its action plan).
    issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "position"], name="one_criterion_per_position")
        ]

    def __str__(self) -> str:
        return self.text


class AuditCase(PartOfAudit, models.Model):
    """One case of the sample, by a reference that identifies no one (“Case 12”)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="cases")
    reference = models.CharField(max_length=40)
    collected_by = _person()
    collected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "reference"], name="one_case_per_reference")
        ]

    def __str__(self) -> str:
        return self.reference


class Compliance(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "na", "Not applicable"


class AuditAnswer(models.Model):
    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(AuditCriterion, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(max_length=10, choices=Compliance.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "criterion"], name="one_answer_per_criterion")
        ]

    def __str__(self) -> str:
        return self.get_answer_display()
