"""The learning system: what patients and staff say (feedback with themes and sentiment), the
evidence behind change ideas graded with GRADE, learning networks of people and teams working on
a similar challenge, bright spots found from the data, and reflective practice (personal
reflections and team learning reviews).

Measures are quality control's, projects, change ideas and packages improvement's, priorities
and designs planning's: named here by string (`"control.Measure"`), reached through their
services and selectors only."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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


# --- 1. Feedback ------------------------------------------------------------------------------


class FeedbackSource(models.TextChoices):
    PATIENT = "patient", "Patient"
    CARER = "carer", "Carer or family"
    STAFF = "staff", "Staff"
    OTHER = "other", "Other"


class FeedbackImport(models.Model):
    """One file or API request of feedback, saved all or nothing: where it came from, how many
    comments, how many identifiers were redacted from their text."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="feedback_imports")
    filename = models.CharField(max_length=255, blank=True)
    via_api = models.CharField(max_length=100, blank=True, help_text="The integration's name.")
    comments = models.PositiveIntegerField(default=0)
    redactions = models.PositiveIntegerField(default=0)
    imported_by = _person()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.comments} comments for {self.unit} ({self.imported_at:%d %b %Y})"


# Sentiment as in the pxtextmining framework: 1 very positive ... 5 very negative, 3 mixed.
SENTIMENT_RANGE = [MinValueValidator(1), MaxValueValidator(5)]
# Negative comments, for the unit's p chart: sentiment 4 and 5.
NEGATIVE_SENTIMENT = 4


class Feedback(models.Model):
    """One comment (Friends and Family Test style): when, which unit and service, the rating
    given (1 very good ... 5 very poor), the free text with identifiers redacted, and the themes
    and sentiment the classifier gave it (`model_*`) or a person corrected them to."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="feedback")
    batch = models.ForeignKey(
        FeedbackImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    received_on = models.DateField()
    service = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=20, choices=FeedbackSource.choices, default=FeedbackSource.PATIENT
    )
    rating = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=SENTIMENT_RANGE,
        help_text="1 very good, 2 good, 3 neither, 4 poor, 5 very poor.",
    )
    question = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    redactions = models.PositiveSmallIntegerField(default=0)
    # External reference from the source system (e.g. "Comment ID"), unique per unit when given.
    reference = models.CharField(max_length=100, blank=True)
    sentiment = models.PositiveSmallIntegerField(null=True, blank=True, validators=SENTIMENT_RANGE)
    model_sentiment = models.PositiveSmallIntegerField(null=True, blank=True)
    model_themes = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    corrected_by = _person()
    corrected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["unit", "received_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "reference"],
                condition=~models.Q(reference=""),
                name="one_feedback_per_reference_and_unit",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("learning:feedback-detail", args=[self.pk])

    @property
    def is_negative(self) -> bool:
        return self.sentiment is not None and self.sentiment >= NEGATIVE_SENTIMENT


class FeedbackTheme(models.Model):
    """A theme of a comment (a label of the framework in qms.text.feedback.THEMES), one row each
    so themes are counted per unit and month in the database."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["label"]
        indexes = [models.Index(fields=["label", "feedback"])]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "label"], name="one_theme_per_feedback")
        ]

    def __str__(self) -> str:
        return self.label


class FeedbackMeasure(models.Model):
    """A control measure of a unit kept in step with its feedback (the unit's and the units'
    below it): each month, the comments that are negative (`theme` blank) or have `theme`, over
    all comments, on a p chart. Its observations are rewritten on every import and correction,
    so it raises signals and reaches the huddle board and board report like any measure."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="feedback_measures")
    measure = models.OneToOneField(
        "control.Measure", on_delete=models.CASCADE, related_name="feedback_source"
    )
    theme = models.CharField(max_length=100, blank=True)
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "theme"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "theme"], name="one_feedback_measure_per_theme")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.theme or 'negative comments'}"


# --- 2. Evidence ------------------------------------------------------------------------------


class EvidenceKind(models.TextChoices):
    GUIDELINE = "guideline", "Guideline"
    SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
    TRIAL = "trial", "Trial"
    AUDIT = "audit", "Audit"
    LOCAL_DATA = "local_data", "Local data"
    EXPERT_OPINION = "expert_opinion", "Expert opinion"
    PATIENT_EXPERIENCE = "patient_experience", "Patient experience"


class Certainty(models.TextChoices):
    """GRADE certainty of evidence (Guyatt et al., BMJ 2008;336:924)."""

    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"
    VERY_LOW = "very_low", "Very low"


class Evidence(models.Model):
    """An item of the evidence library: what it is, where it comes from, what it says and how
    certain it is; linked (EvidenceLink) to the change ideas, packages, priorities, designs and
    networks that use it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="evidence")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=EvidenceKind.choices)
    source = models.CharField(
        max_length=500, help_text="Citation: authors, title, journal or publisher, year."
    )
    url = models.URLField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    summary = models.TextField()
    certainty = models.CharField(max_length=20, choices=Certainty.choices)
    certainty_reason = models.TextField(
        blank=True,
        help_text="Why this grade (risk of bias, inconsistency, indirectness, imprecision).",
    )
    is_active = models.BooleanField(default=True)
    added_by = _person()
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:evidence-detail", args=[self.pk])


class EvidenceLink(models.Model):
    """Evidence cited by a record of another area (a change idea, a change package, a priority,
    a design) or a learning network: a generic link, so those areas need not know this one."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    note = models.CharField(max_length=500, blank=True, help_text="How it supports the work.")
    linked_by = _person()
    linked_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["evidence__title", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "content_type", "object_id"],
                name="one_link_per_evidence_and_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence} cited by {self.content_type.model} {self.object_id}"


# --- 3. Learning networks ---------------------------------------------------------------------


class NetworkStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Network(models.Model):
    """People and teams across units working on a similar challenge. Its host unit's leads run
    it; members join through object grants (partners included), teams through NetworkTeam."""

    accepts_grants = True

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="networks",
        help_text="The unit that hosts the network.",
    )
    name = models.CharField(max_length=200)
    topic = models.TextField(help_text="The shared challenge, in a few sentences.")
    status = models.CharField(
        max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.ACTIVE
    )
    measures = models.ManyToManyField("control.Measure", blank=True, related_name="networks")
    packages = models.ManyToManyField(
        "improvement.ChangePackage", blank=True, related_name="networks"
    )
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[measures, packages])

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("learning:network-detail", args=[self.pk])


class NetworkTeam(models.Model):
    """A unit taking part in a network."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="teams")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="network_teams")
    joined_by = _person()
    joined_at = models.DateTimeField(auto_now_add=True)
    # Who joined and left when, on the network's history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["network", "unit"], name="one_team_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.unit} in {self.network}"

    access_parent = property(lambda self: self.network)


class NetworkEvent(models.Model):
    """A meeting, webinar or learning session of a network."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True, help_text="A room or a meeting link.")
    description = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="What was learned, after the event.")
    created_by = _person()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    access_parent = property(lambda self: self.network)


# --- 4. Bright spots --------------------------------------------------------------------------


class BrightSpotKind(models.TextChoices):
    FUNNEL = "funnel", "Better than peers (funnel plot)"
    SUSTAINED = "sustained", "Sustained improvement (own chart)"


class BrightSpotStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class Generalisability(models.TextChoices):
    LIKELY = "likely", "Likely to generalise"
    CONDITIONAL = "conditional", "Likely under some conditions"
    UNLIKELY = "unlikely", "Unlikely to generalise"
    UNKNOWN = "unknown", "Not yet known"


class BrightSpot(models.Model):
    """A unit doing better than its peers or than its own past, found from the data (a
    candidate), and once a quality lead accepts it, what the unit does differently, its context
    and what is likely to generalise, under which conditions."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bright_spots")
    measure = models.ForeignKey(
        "control.Measure", on_delete=models.PROTECT, related_name="bright_spots"
    )
    kind = models.CharField(max_length=20, choices=BrightSpotKind.choices)
    status = models.CharField(
        max_length=20, choices=BrightSpotStatus.choices, default=BrightSpotStatus.CANDIDATE
    )
    # What the data showed when it was found: the funnel point and limits, or the sustained run.
    finding = models.JSONField(default=dict)
    period_end = models.DateField(help_text="The last period of the data it was found in.")
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = _person()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # Appreciative inquiry, asked of the unit.
    what_differently = models.TextField(blank=True, help_text="What does the team do differently?")
    what_works = models.TextField(
        blank=True, help_text="What makes it work here: the people, the habits, the help they get?"
    )
    context = models.TextField(
        blank=True, help_text="The unit's context: patients, staffing, layout, resources."
    )
    generalisability = models.CharField(
        max_length=20, choices=Generalisability.choices, default=Generalisability.UNKNOWN
    )
    conditions = models.TextField(
        blank=True, help_text="Under which conditions it is likely to work elsewhere."
    )
    package = models.ForeignKey(
        "improvement.ChangePackage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bright_spots",
    )
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="bright_spots"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "kind"],
                condition=models.Q(status="candidate"),
                name="one_open_candidate_per_measure_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("learning:bright-spot-detail", args=[self.pk])


# --- 5. Reflective practice -------------------------------------------------------------------


class ReflectionSharing(models.TextChoices):
    PRIVATE = "private", "Only me"
    UNIT = "unit", "My unit's staff"
    NETWORK = "network", "A learning network"


class Reflection(models.Model):
    """A personal reflection following Gibbs' reflective cycle (1988), private to its author
    unless they choose to share it; may be about a signal, an issue, a project or a cycle."""

    author = models.ForeignKey(_PERSON, on_delete=models.CASCADE, related_name="reflections")
    title = models.CharField(max_length=200)
    happened_on = models.DateField()
    description = models.TextField(help_text="What happened?")
    feelings = models.TextField(blank=True, help_text="What were you thinking and feeling?")
    evaluation = models.TextField(
        blank=True, help_text="What was good and bad about the experience?"
    )
    analysis = models.TextField(blank=True, help_text="What sense can you make of the situation?")
    conclusion = models.TextField(blank=True, help_text="What else could you have done?")
    action_plan = models.TextField(blank=True, help_text="If it arose again, what would you do?")
    # The NMC revalidation account asks which themes of the Code it relates to.
    code_themes = models.JSONField(default=list, blank=True)
    sharing = models.CharField(
        max_length=20, choices=ReflectionSharing.choices, default=ReflectionSharing.PRIVATE
    )
    shared_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="reflections"
    )
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:reflection-detail", args=[self.pk])


class LearningReview(models.Model):
    """A team's after-action review of a project, a signal or an escalation: what was
    expected, what happened, why it differed and what the team will do."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="learning_reviews")
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    participants = models.TextField(blank=True, help_text="Who took part (roles, not patients).")
    expected = models.TextField(help_text="What did we expect to happen?")
    happened = models.TextField(help_text="What actually happened?")
    why_different = models.TextField(help_text="Why was there a difference?")
    will_do = models.TextField(help_text="What will we sustain or do differently?")
    shared_network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:review-detail", args=[self.pk])
