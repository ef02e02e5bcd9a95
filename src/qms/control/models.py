"""Quality control: measures against agreed standards, their data, SPC results, signals and
their escalations."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.escalation.models import Escalation
from qms.notifications.models import Notification
from qms.people.models import Unit
from qms.stats import CHARTS, DIRECTIONS, RULE_SETS
from qms.stats.charts import NEEDS_DENOMINATOR


class Domain(models.TextChoices):
    """The six dimensions of quality (Institute of Medicine, 2001)."""

    SAFE = "safe", "Safe"
    EFFECTIVE = "effective", "Effective"
    PERSON_CENTRED = "person_centred", "Person-centred"
    TIMELY = "timely", "Timely"
    EFFICIENT = "efficient", "Efficient"
    EQUITABLE = "equitable", "Equitable"


class MeasureKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    PROCESS = "process", "Process"
    BALANCING = "balancing", "Balancing"
    STRUCTURE = "structure", "Structure"


class Frequency(models.TextChoices):
    DAY = "day", "Daily"
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"
    QUARTER = "quarter", "Quarterly"


class StandardScope(models.TextChoices):
    NATIONAL = "national", "National"
    LOCAL = "local", "Local"


CHART_LABELS = {
    "run": "Run chart",
    "i": "I chart (individuals)",
    "mr": "Moving range chart",
    "xbar": "X-bar chart",
    "s": "S chart",
    "p": "P chart (proportion)",
    "pp": "P′ chart (Laney)",
    "u": "U chart (rate)",
    "up": "U′ chart (Laney)",
    "c": "C chart (count)",
    "g": "G chart (cases between events)",
    "t": "T chart (time between events)",
}
RULE_LABELS = {
    "mdc": "Making Data Count",
    "ptd": "NHSRplotthedots variant",
    "anhoej": "Anhøj runs rules",
}


class Standard(models.Model):
    """An agreed standard, e.g. a national quality standard statement, that measures serve."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    statement = models.TextField()
    source = models.CharField(max_length=200, help_text="Who publishes it, and where.")
    scope = models.CharField(max_length=20, choices=StandardScope.choices)
    # A local standard belongs to the unit that agreed it; national ones to no unit.
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scope", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("control:standards") + f"#standard-{self.pk}"


class MeasureDefinition(models.Model):
    """A measure as the product library defines it (`qms load-library`), the same for every
    installation: a lead starts a unit's measure from one and adapts it. Measures are copies,
    so a library update never changes a measure already defined."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MeasureKind.choices)
    domain = models.CharField(max_length=20, choices=Domain.choices)
    operational_definition = models.TextField()
    numerator_definition = models.TextField(blank=True)
    denominator_definition = models.TextField(blank=True)
    data_source = models.CharField(max_length=200, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    chart = models.CharField(max_length=10, choices=[(c, CHART_LABELS[c]) for c in CHARTS])
    direction = models.CharField(max_length=10, choices=[(d, d.title()) for d in DIRECTIONS])
    multiply = models.FloatField(default=1.0, validators=[MinValueValidator(1e-6)])
    unit_label = models.CharField(max_length=60, blank=True)
    standard = models.ForeignKey(
        Standard, null=True, blank=True, on_delete=models.SET_NULL, related_name="definitions"
    )
    target = models.FloatField(null=True, blank=True, help_text="A suggested target.")
    target_source = models.CharField(max_length=200, blank=True)
    rules = models.CharField(
        max_length=10, choices=[(r, RULE_LABELS[r]) for r in RULE_SETS], default="mdc"
    )
    history = HistoricalRecords()

    # What a measure copies from its definition (everything but the code).
    MEASURE_FIELDS = (
        "name", "kind", "domain", "operational_definition", "numerator_definition",
        "denominator_definition", "data_source", "frequency", "chart", "direction", "multiply",
        "unit_label", "standard", "target", "target_source", "rules",
    )  # fmt: skip

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.chart in NEEDS_DENOMINATOR and not (
            self.numerator_definition and self.denominator_definition
        ):
            raise ValidationError(
                {
                    "denominator_definition": "A p or u chart needs numerator and denominator "
                    "definitions."
                }
            )
        if (self.target is None) != (not self.target_source):
            raise ValidationError(
                {"target_source": "A suggested target needs its source, and a source its target."}
            )

    def measure_fields(self) -> dict:
        """The fields of a new measure defined from this definition."""
        return {name: getattr(self, name) for name in self.MEASURE_FIELDS}


RULE_LENGTH_MIN, RULE_LENGTH_MAX = 3, 20
BASELINE_MIN, BASELINE_MAX = 6, 100


class Measure(models.Model):
    # A role may be given on one measure (qms.people.access): an analyst or a coach from
    # elsewhere who helps with it, without a role in its unit.
    accepts_grants = True

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="measures")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_measures",
    )
    name = models.CharField(max_length=200)
    code = models.SlugField(
        max_length=80, unique=True, help_text="Short stable identifier, used in files and the API."
    )
    kind = models.CharField(max_length=20, choices=MeasureKind.choices)
    domain = models.CharField(max_length=20, choices=Domain.choices)
    operational_definition = models.TextField()
    numerator_definition = models.TextField(blank=True)
    denominator_definition = models.TextField(blank=True)
    data_source = models.CharField(max_length=200, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    chart = models.CharField(max_length=10, choices=[(c, CHART_LABELS[c]) for c in CHARTS])
    direction = models.CharField(max_length=10, choices=[(d, d.title()) for d in DIRECTIONS])
    multiply = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(1e-6), MaxValueValidator(1e6)],
        help_text="E.g. 100 for a percentage (greater than 0).",
    )
    unit_label = models.CharField(max_length=60, blank=True, help_text="E.g. %, per 1,000 bed days")
    target = models.FloatField(null=True, blank=True)
    target_source = models.CharField(max_length=200, blank=True)
    standard = models.ForeignKey(
        Standard, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    # The library definition the measure was made from: units measuring the same definition
    # are compared on a funnel plot (learning). A measure stays a copy; this only links it.
    definition = models.ForeignKey(
        MeasureDefinition,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    rules = models.CharField(
        max_length=10, choices=[(r, RULE_LABELS[r]) for r in RULE_SETS], default="mdc"
    )
    shift_length = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(RULE_LENGTH_MIN), MaxValueValidator(RULE_LENGTH_MAX)],
        help_text="Points in a row on one side of the centre line that make a shift "
        "(3 to 20; Making Data Count 7, IHI 6, Western Electric 9).",
    )
    trend_length = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(RULE_LENGTH_MIN), MaxValueValidator(RULE_LENGTH_MAX)],
        help_text="Points in a row going up or down that make a trend "
        "(3 to 20; Making Data Count 7, IHI 5, Western Electric 6).",
    )
    baseline_points = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(BASELINE_MIN), MaxValueValidator(BASELINE_MAX)],
        help_text="Each phase's centre line and limits come from its first this many points and "
        "are then held (Provost and Murray 20; Making Data Count 15 to 20). Until a phase has "
        "them, its limits are trial limits.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the data or phases last changed: results computed before this are stale.
    data_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["data_changed_at"])

    class Meta:
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="measure_name_unique_in_unit"),
            models.CheckConstraint(
                condition=models.Q(shift_length__gte=3, shift_length__lte=20)
                & models.Q(trend_length__gte=3, trend_length__lte=20),
                name="measure_rule_lengths_3_to_20",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_points__gte=BASELINE_MIN)
                & models.Q(baseline_points__lte=BASELINE_MAX),
                name="measure_baseline_points_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("control:measure-detail", args=[self.pk])

    @property
    def needs_denominator(self) -> bool:
        return self.chart in NEEDS_DENOMINATOR


class Observation(models.Model):
    """One period's value of a measure. Corrections keep the old value in history."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="observations")
    period = models.DateField(help_text="The first day of the period.")
    value = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="one_value_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.measure}, {self.period}: {self.value:g}"

    def get_absolute_url(self) -> str:
        return self.measure.get_absolute_url() + "#data-heading"


class Phase(models.Model):
    """A recalculation point: limits start afresh from this period, for a stated reason."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="phases")
    starts_on = models.DateField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "starts_on"], name="one_phase_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.measure}: new limits from {self.starts_on}"

    def get_absolute_url(self) -> str:
        return self.measure.get_absolute_url()


class Annotation(models.Model):
    """A note on a measure's chart at a period: written by hand on the measure page, or a
    marker put there by another area's record (a PDSA cycle), linked generically so control
    imports nothing of that area (`services.chart_markers_set`)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="annotations")
    period = models.DateField()
    text = models.CharField(max_length=200)
    # The record the marker comes from (any model with get_absolute_url); none for a note
    # written by hand.
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period", "pk"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="annotation_source_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source_type__isnull=True, source_id__isnull=True)
                | models.Q(source_type__isnull=False, source_id__isnull=False),
                name="annotation_source_whole",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}, {self.period}: {self.text}"

    def get_absolute_url(self) -> str:
        return self.measure.get_absolute_url()

    @property
    def is_marker(self) -> bool:
        """Put on the chart by another record (not written by hand)."""
        return self.source_type_id is not None


class MeasureResult(models.Model):
    """The stored SPC analysis of a measure, refreshed in batches after data change, so pages
    and reports read it instead of recomputing."""

    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField(null=True)  # null: never analysed successfully
    last_period = models.DateField(null=True)
    last_value = models.FloatField(null=True)
    # The centre line and limits at that point (the current phase's): what quality planning's
    # gaps read for thousands of measures at once without loading their points.
    last_centre = models.FloatField(null=True)
    last_lcl = models.FloatField(null=True)
    last_ucl = models.FloatField(null=True)
    variation_icon = models.CharField(max_length=20, default="none")
    assurance_icon = models.CharField(max_length=20, default="none")
    points = models.JSONField(default=list)  # one dict per period, qms.stats point fields
    phases = models.JSONField(default=list)  # Anhøj runs analysis per phase
    # The current phase's baseline is not complete: its limits are trial limits.
    trial_limits = models.BooleanField(default=False)
    # The last refresh that failed for this measure (the results above are from before it).
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"Results of {self.measure}"

    def get_absolute_url(self) -> str:
        return self.measure.get_absolute_url()


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class BaselineSuggestion(models.Model):
    """New limits suggested after a shift has held for a baseline's worth of points: a lead
    accepts it (a new phase, with the reason) or dismisses it. Either way it is not asked
    again for the same start."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="baseline_suggestions"
    )
    starts_on = models.DateField(help_text="Where the shift began.")
    points = models.PositiveIntegerField(help_text="Points in the sustained shift.")
    side = models.CharField(max_length=5, choices=[("above", "above"), ("below", "below")])
    old_centre = models.FloatField()
    new_centre = models.FloatField(help_text="The centre line the new limits would have.")
    evidence = models.CharField(max_length=500)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "starts_on"], name="one_baseline_suggestion_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}: new limits from {self.starts_on}?"

    def get_absolute_url(self) -> str:
        return self.measure.get_absolute_url() + "#baseline-suggestion"

    @property
    def access_unit(self) -> Unit:
        return self.measure.unit


class SignalKind(models.TextChoices):
    CONCERN = "special_cause_concern", "Special cause concern"
    ASSURANCE_FAIL = "assurance_fail", "Target not being met"


class SignalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ESCALATED = "escalated", "Escalated"
    CLOSED = "closed", "Closed"


class Signal(models.Model):
    """Variation from the standard that someone must look at. One signal covers a continuing
    run of concerning points: new points extend it instead of raising another."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(max_length=30, choices=SignalKind.choices)
    first_period = models.DateField()
    last_period = models.DateField()
    explanation = models.CharField(max_length=300)
    status = models.CharField(
        max_length=20, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="signals"
    )
    # The inbox entries about the signal (Notification.objects.filter(signal=...)); they go
    # when the signal goes.
    notifications = GenericRelation(Notification, related_query_name="signal")
    # Its chain up the organisation (qms.escalation), oldest first; Escalation.objects.filter(
    # signal__measure=...) reads them by signal.
    escalations = GenericRelation(Escalation, related_query_name="signal")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.measure}"

    def get_absolute_url(self) -> str:
        return reverse("control:measure-detail", args=[self.measure_id]) + f"#signal-{self.pk}"

    @property
    def access_unit(self) -> Unit:
        """A signal lives in its measure's unit (an escalation takes it to the units above,
        whose roles reach down to it)."""
        return self.measure.unit

    @property
    def access_parent(self) -> Measure:
        """A role granted on the measure reaches its signals."""
        return self.measure


class ExportKind(models.TextChoices):
    """The PDFs of the integrated report, made in the background (they take seconds)."""

    ATTENTION = "attention", "Report with the charts of measures that need attention"
    ALL = "all", "Report with every chart"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportExport(models.Model):
    """A PDF of a unit's integrated report, asked for by someone and made by a task. The
    fingerprint sums up what went into it (the measures in scope with their results' times,
    open signals and annotations, the filters), so the same request reuses the file until the
    results change. The file is kept through Django's default storage."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="report_exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=ExportKind.choices)
    domain = models.CharField(max_length=20, blank=True, choices=Domain.choices)
    measure_kind = models.CharField(max_length=20, blank=True, choices=MeasureKind.choices)
    fingerprint = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    stage = models.CharField(max_length=200, blank=True)  # what is being done now, in words
    file = models.FileField(upload_to="exports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)  # the name the download gets
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_export_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("control:report-export", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
