"""Forms of needs assessments and group breakdowns. Free text is screened for patient
identifiers (ScreenedForm first); files are screened by the services, without a prompt."""

from __future__ import annotations

from django import forms

from qms.planning.models import Asset, AssetKind, EvidenceKind, Need, NeedEvidence, NeedsAssessment
from qms.web.screening import ScreenedForm

# What a page accepts for an uploaded table (the services bound rows and columns).
UPLOAD_ACCEPT = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
STATEMENT_MAX = 2_000
TEXT_MAX = 5_000


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _file_field(label: str, help_text: str, *, required: bool) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        error_messages={"required": "Choose the file.", "empty": "The file is empty."},
    )


class AssessmentForm(ScreenedForm, forms.Form):
    title = forms.CharField(label="Title", max_length=_max(NeedsAssessment, "title"))
    population = forms.CharField(
        label="Population group or service",
        max_length=_max(NeedsAssessment, "population"),
        help_text="E.g. “Over-75s in the east locality” or “People using the stroke service”.",
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the assessment found, in a few sentences.",
    )


class NeedForm(ScreenedForm, forms.Form):
    statement = forms.CharField(
        label="Need statement",
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who needs what, and why it matters: “Older people discharged alone need a "
        "call within 48 hours”.",
        error_messages={"required": "Write the need."},
    )


class AssetForm(ScreenedForm, forms.Form):
    kind = forms.ChoiceField(label="Kind of asset", choices=AssetKind.choices)
    name = forms.CharField(label="Name", max_length=_max(Asset, "name"))
    description = forms.CharField(
        label="What it offers",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _NeedChoice(forms.ModelChoiceField):
    def label_from_instance(self, need):
        return f"{need.position}. {str(need)}"


class EvidenceForm(ScreenedForm, forms.Form):
    """One item of evidence; which fields count depends on its kind (the service decides)."""

    kind = forms.ChoiceField(
        label="Kind of evidence", choices=EvidenceKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label="Title", max_length=_max(NeedEvidence, "title"))
    source = forms.CharField(
        label="Source",
        max_length=_max(NeedEvidence, "source"),
        help_text="Who published it or said it, where, and when.",
    )
    source_url = forms.URLField(
        label="Link to the source", required=False, max_length=200, assume_scheme="https"
    )
    summary = forms.CharField(
        label="Summary or quotation",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For feedback, the quoted summary; for a table or a statistic, what it shows.",
    )
    file = _file_field(
        "Table (CSV or Excel)",
        "For a table: the first row names the columns; at most 5,000 rows and 30 columns of "
        "counts or rates for groups, never a list of patients.",
        required=False,
    )
    statistic = forms.FloatField(
        label="Value",
        required=False,
        help_text="For a published statistic: the figure.",
        error_messages={"invalid": "Give the value as a number, e.g. 12.5."},
    )
    statistic_unit = forms.CharField(
        label="Value is in",
        required=False,
        max_length=_max(NeedEvidence, "statistic_unit"),
        help_text="E.g. %, per 1,000 people, years.",
    )
    published_on = forms.DateField(
        label="Published on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date it was published, e.g. 2025-06-30."},
    )

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"] = _NeedChoice(
            label="Evidence for",
            queryset=Need.objects.filter(pk__in=[n.pk for n in needs]).order_by("position", "pk"),
            required=False,
            empty_label="The assessment as a whole",
            error_messages={"invalid_choice": "Choose a need of this assessment."},
        )


class ChartForm(forms.Form):
    def __init__(self, *args, columns=(), numeric=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chart_x"] = forms.ChoiceField(
            label="Labels from the column", choices=[(c, c) for c in columns]
        )
        self.fields["chart_y"] = forms.ChoiceField(
            label="Bars from the column of numbers", choices=[(c, c) for c in numeric]
        )


class GroupUploadForm(forms.Form):
    file = _file_field(
        "File (CSV or Excel)",
        "Columns: dimension, group, period, value and, if the values are counts, denominator.",
        required=True,
    )


class GroupValueForm(ScreenedForm, forms.Form):
    dimension = forms.CharField(
        label="Dimension", max_length=60, help_text="E.g. “Deprivation quintile (SIMD)”."
    )
    group = forms.CharField(label="Group", max_length=60, help_text="E.g. “1 (most deprived)”.")
    period = forms.CharField(
        label="Period", max_length=20, help_text="As the measure's periods: 2025-03, 2025-Q1."
    )
    value = forms.FloatField(label="Value", error_messages={"invalid": "Give a number."})
    denominator = forms.FloatField(
        label="Denominator",
        required=False,
        help_text="When the value is a count: what it is out of.",
        error_messages={"invalid": "Give a number."},
    )


class DimensionRemoveForm(forms.Form):
    dimension = forms.CharField(max_length=60)
