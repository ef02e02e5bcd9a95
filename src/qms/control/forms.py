"""Forms of quality control. Every text field is screened for control characters and patient
identifiers (qms.web.screening.ScreenedForm)."""

from django import forms
from django.db.models import Q

from qms.control import icons
from qms.control.models import (
    BASELINE_MAX,
    BASELINE_MIN,
    RULE_LENGTH_MAX,
    RULE_LENGTH_MIN,
    Domain,
    Measure,
    MeasureDefinition,
    Standard,
    StandardScope,
)
from qms.control.periods import PeriodError, parse_period
from qms.web.screening import ScreenedForm


def _standards_for(unit, measure):
    """Standards a measure of `unit` may serve: national ones and the local standards of the
    unit and the units above it (never another organisation's), and the one it serves now."""
    if unit is None:
        return Standard.objects.filter(scope=StandardScope.NATIONAL)
    return Standard.objects.filter(
        Q(scope=StandardScope.NATIONAL)
        | Q(unit_id__in=unit.ancestor_ids)
        | Q(pk=measure.standard_id if measure else None)
    )


class MeasureForm(ScreenedForm, forms.ModelForm):
    reason = forms.CharField(
        label="Reason for the change",
        max_length=300,
        required=False,
        help_text="Kept in the measure's history.",
    )

    class Meta:
        model = Measure
        fields = [
            "name", "code", "kind", "domain", "operational_definition", "numerator_definition",
            "denominator_definition", "data_source", "frequency", "chart", "direction",
            "multiply", "unit_label", "target", "target_source", "standard", "rules",
            "shift_length", "trend_length", "baseline_points", "owner",
        ]  # fmt: skip
        widgets = {
            "operational_definition": forms.Textarea(attrs={"rows": 3}),
            "numerator_definition": forms.Textarea(attrs={"rows": 2}),
            "denominator_definition": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, owners=None, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = _standards_for(unit, self.instance).order_by("title")
        if owners is not None:
            self.fields["owner"].queryset = owners
        for name in ("shift_length", "trend_length"):
            self.fields[name].widget.attrs.update({"min": RULE_LENGTH_MIN, "max": RULE_LENGTH_MAX})
        baseline = self.fields["baseline_points"]
        baseline.widget.attrs.update({"min": BASELINE_MIN, "max": BASELINE_MAX})
        baseline.required = False  # left empty: keep the measure's (or the default of 20)

    def clean_baseline_points(self):
        value = self.cleaned_data.get("baseline_points")
        return self.instance.baseline_points if value is None else value


class LibraryPickForm(forms.Form):
    """Start a new measure from a definition in the library: the measure form is filled in
    with it, for the lead to adapt before saving."""

    definition = forms.ChoiceField(label="Measure definition")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "library-%s")  # apart from the measure form's ids
        super().__init__(*args, **kwargs)
        by_domain: dict[str, list[tuple[str, str]]] = {}
        for code, name, domain in MeasureDefinition.objects.order_by("name").values_list(
            "code", "name", "domain"
        ):
            by_domain.setdefault(Domain(domain).label, []).append((code, name))
        self.fields["definition"].choices = [
            ("", "Choose a definition"),
            *((label, by_domain[label]) for label in Domain.labels if label in by_domain),
        ]

    @property
    def has_choices(self) -> bool:
        return len(self.fields["definition"].choices) > 1

    def clean_definition(self) -> MeasureDefinition:
        return MeasureDefinition.objects.get(code=self.cleaned_data["definition"])


def measure_initial(definition: MeasureDefinition, unit) -> dict:
    """A new measure form's values from a library definition; the code suggested is the unit's
    code and the definition's (unique, like the demo's measures)."""
    initial = definition.measure_fields()
    initial["standard"] = definition.standard_id
    initial["code"] = f"{unit.code}-{definition.code}"[: Measure._meta.get_field("code").max_length]
    return initial


class PeriodField(forms.CharField):
    """A period as people write it: 2025-03, 2025-W11, 2025-Q1 or any date in the period."""

    def __init__(self, *, frequency: str, **kwargs):
        self.frequency = frequency
        kwargs.setdefault("help_text", "A date in the period, or 2025-03, 2025-W11, 2025-Q1.")
        super().__init__(max_length=20, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_period(text, self.frequency)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None


class ObservationForm(ScreenedForm, forms.Form):
    value = forms.FloatField(label="Value")
    denominator = forms.FloatField(label="Denominator", required=False, min_value=0)
    note = forms.CharField(label="Note", max_length=500, required=False)
    replace = forms.BooleanField(
        label="Replace the value already recorded for this period", required=False
    )
    reason = forms.CharField(label="Reason for replacing", max_length=300, required=False)

    def __init__(self, *args, measure: Measure, **kwargs):
        # Each form of the measure page has its own ids (the fields keep their names), so
        # "Period" of one form never labels another form's field.
        kwargs.setdefault("auto_id", "observation-%s")
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields = {
            "period": PeriodField(frequency=measure.frequency, label="Period"),
            **self.fields,
        }
        if measure.needs_denominator:
            self.fields["value"].label = "Numerator (count)"
            self.fields["denominator"].required = True
        else:
            del self.fields["denominator"]

    def clean(self):
        data = super().clean()
        if data.get("replace") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the recorded value is being replaced.")
        return data


class PhaseForm(ScreenedForm, forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)

    def __init__(self, *args, measure: Measure, **kwargs):
        kwargs.setdefault("auto_id", "phase-%s")
        super().__init__(*args, **kwargs)
        self.fields = {
            "starts_on": PeriodField(frequency=measure.frequency, label="New limits from"),
            **self.fields,
        }


class AnnotationForm(ScreenedForm, forms.Form):
    text = forms.CharField(label="Annotation", max_length=200)

    def __init__(self, *args, measure: Measure, **kwargs):
        kwargs.setdefault("auto_id", "annotation-%s")
        super().__init__(*args, **kwargs)
        self.fields = {
            "period": PeriodField(frequency=measure.frequency, label="Period"),
            **self.fields,
        }


class NoteForm(ScreenedForm, forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    # A signal's note says what was found: an account of what went wrong, asked about the system.
    blame_screened = ("note",)


class IssueForm(ScreenedForm, forms.Form):
    title = forms.CharField(label="Issue title", max_length=200)
    description = forms.CharField(
        label="What is known so far", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    blame_screened = ("title", "description")


class DeleteObservationForm(ScreenedForm, forms.Form):
    reason = forms.CharField(label="Reason for removing the value", max_length=300)


class StandardForm(ScreenedForm, forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["title", "code", "statement", "source"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": "Short identifier, e.g. ward-7-call-bells.",
            "source": "Who agreed it and when, e.g. Ward 7 team meeting, March 2026.",
        }


class MeasureListForm(forms.Form):
    """The measure list's filters and order, from the query string (GET: a list is a page
    people bookmark and share). Choices come from the units and owners the viewer can see."""

    q = forms.CharField(label="Name or code", max_length=100, required=False)
    unit = forms.TypedChoiceField(label="Unit", coerce=int, required=False, empty_value=None)
    domain = forms.ChoiceField(label="Quality domain", required=False)
    variation = forms.ChoiceField(label="Variation", required=False)
    assurance = forms.ChoiceField(label="Assurance", required=False)
    owner = forms.TypedChoiceField(label="Owner", coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(label="Order", required=False)

    def __init__(self, *args, units, owners, **kwargs):
        from qms.control.selectors import MEASURE_SORTS

        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "All units")] + [
            (unit.pk, f"{unit.indent}{unit.name}") for unit in units
        ]
        self.fields["domain"].choices = [("", "All domains"), *Domain.choices]
        self.fields["variation"].choices = [("", "Any variation")] + [
            (row.key, row.title) for row in icons.VARIATION_ROWS
        ]
        self.fields["assurance"].choices = [("", "Any assurance")] + [
            (column.key, column.title) for column in icons.ASSURANCE_COLUMNS
        ]
        self.fields["owner"].choices = [("", "Anyone")] + [
            (person.pk, str(person)) for person in owners
        ]
        self.fields["sort"].choices = [(key, label) for key, (label, _) in MEASURE_SORTS.items()]


class SuggestionDecisionForm(ScreenedForm, forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Start new limits"), ("dismiss", "Keep the current limits")]
    )
    reason = forms.CharField(label="Reason", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "accept" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the limits are recalculated from there.")
        return data
