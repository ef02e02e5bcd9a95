"""Forms of the progress score, change packages and adoptions. Free text is screened for
patient identifiers (ScreenedForm first); the services check everything again."""

from django import forms

from qms.improvement.models import PROGRESS_CHOICES, AdoptionStatus, ChangePackage, DriverNode
from qms.improvement.selectors import measure_model
from qms.people.models import Person
from qms.web.screening import ScreenedForm

TITLE_MAX = ChangePackage._meta.get_field("title").max_length
_LARGEST_ID = 2**63 - 1  # the largest primary key a database holds
DATE_ERRORS = {"invalid": "Enter the date as a date, e.g. 2026-12-31."}


def _text(label: str, *, rows: int = 4, required: bool = False, help_text: str = ""):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        max_length=5000,
        help_text=help_text,
    )


class _Choices(forms.ModelMultipleChoiceField):
    """Checkboxes whose label comes from a function of the record."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, describe=str, **kwargs):
        self.describe = describe
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.describe(obj)

    def _check_values(self, value):
        # An id beyond the database's integers fails the `pk__in` query on SQLite (an
        # OverflowError, a 500): no such choice.
        for pk in value:
            if isinstance(pk, str) and pk.strip().isdigit() and int(pk) > _LARGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class _Person(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} ({person.job_title})" if person.job_title else str(person)


class ProgressForm(ScreenedForm, forms.Form):
    score = forms.ChoiceField(label="Progress score", choices=PROGRESS_CHOICES)
    reason = _text(
        "Reason",
        rows=3,
        help_text="Needed when the score is not the one suggested: what the evidence misses.",
    )


def _idea_label(idea) -> str:
    tested = getattr(idea, "tested", 0)
    cycles = getattr(idea, "cycle_count", 0)
    if tested:
        return f"{idea.text} (tested: {tested} of {cycles} cycles adopted or adapted)"
    if cycles:
        return f"{idea.text} ({cycles} cycle{'s' if cycles != 1 else ''}, none adopted yet)"
    return f"{idea.text} (not tested)"


def _measure_label(measure) -> str:
    return f"{measure.name} ({measure.unit.name}): {measure.operational_definition}"


class PackageForm(ScreenedForm, forms.Form):
    """A change package: its text, and which of the project's change ideas and measures it
    holds (tested change ideas first)."""

    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    summary = _text("Summary", required=True, help_text="What changed, for whom, and the result.")
    how_to = _text("How to do it", rows=6, help_text="Steps, resources and what to watch for.")
    evidence = _text("Evidence", help_text="What the data and the PDSA cycles showed.")

    def __init__(self, *args, change_ideas, measures, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {idea.pk: _idea_label(idea) for idea in change_ideas}
        self.fields["change_ideas"] = _Choices(
            label="Change ideas",
            queryset=DriverNode.objects.filter(pk__in=labels),
            required=False,
            describe=lambda idea: labels[idea.pk],
            help_text="Tested change ideas (cycles adopted or adapted) come first.",
        )
        # In the order offered (tested first), not the queryset's.
        self.fields["change_ideas"].choices = list(labels.items())
        self.fields["measures"] = _Choices(
            label="Measures, with their operational definitions",
            queryset=_queryset(measures),
            required=False,
            describe=_measure_label,
        )


def _queryset(measures):
    return (
        measure_model()
        .objects.filter(pk__in=[m.pk for m in measures])
        .select_related("unit")
        .order_by("name", "pk")
    )


class WithdrawForm(ScreenedForm, forms.Form):
    reason = _text("Why it is withdrawn", rows=3, required=True)


def _lead_field(people) -> forms.ModelChoiceField:
    return _Person(
        label="Lead",
        queryset=Person.objects.filter(pk__in=[p.pk for p in people]).order_by(
            "display_name", "pk"
        ),
        required=False,
        empty_label="Me",
    )


class AdoptionForm(ScreenedForm, forms.Form):
    """Adopting a package in one unit: date, adaptations, context, lead, and the measures:
    copies of the package's definitions and the unit's own."""

    adopted_on = forms.DateField(
        label="Adopted on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
        help_text="A date ahead makes the adoption planned.",
    )
    local_adaptations = _text(
        "Local adaptations", help_text="What you change to make it work here."
    )
    context = _text("Context", help_text="What is different here: patients, staff, setting.")

    def __init__(self, *args, people, package_measures, unit_measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"] = _lead_field(people)
        self.fields["copy_measures"] = _Choices(
            label="Copy the package's measures into this unit",
            queryset=_queryset(package_measures),
            required=False,
            describe=_measure_label,
            help_text="A new measure with the same definition, without data, in one step.",
        )
        self.fields["link_measures"] = _Choices(
            label="Link this unit's own measures",
            queryset=_queryset(unit_measures),
            required=False,
            describe=lambda m: f"{m.name} ({m.unit.name})",
        )


class AdoptionEditForm(ScreenedForm, forms.Form):
    adopted_on = forms.DateField(
        label="Adopted on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    local_adaptations = _text("Local adaptations")
    context = _text("Context")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"] = _lead_field(people)
        self.fields["lead"].empty_label = "No one"


class AdoptionMeasuresForm(forms.Form):
    def __init__(self, *args, package_measures, unit_measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_measures"] = _Choices(
            label="Copy the package's measures into this unit",
            queryset=_queryset(package_measures),
            required=False,
            describe=_measure_label,
        )
        self.fields["link_measures"] = _Choices(
            label="Link this unit's own measures",
            queryset=_queryset(unit_measures),
            required=False,
            describe=lambda m: f"{m.name} ({m.unit.name})",
        )


class AdoptionStatusForm(ScreenedForm, forms.Form):
    status = forms.ChoiceField(label="New status")
    reason = _text("Reason", rows=2, help_text="Needed when the adoption stops.")

    def __init__(self, *args, moves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = moves or list(AdoptionStatus.choices)
