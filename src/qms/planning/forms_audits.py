"""Forms of clinical audits: the audit, a criterion, a case (one answer per criterion), an
upload of cases, analysis, an action of a finding's plan, the re-audit. Free text is screened
for patient identifiers (ScreenedForm first); a case reference refuses them outright."""

from __future__ import annotations

from django import forms

from qms.control import selectors as control_selectors
from qms.people.models import Person
from qms.people.roles import STAFF_ROLES
from qms.planning.models import Audit, AuditCase, AuditCriterion, Compliance
from qms.planning.services.audits import (
    CRITERION_MAX,
    EXCEPTIONS_MAX,
    REFERENCE_MAX,
    SAMPLE_MAX,
    TITLE_MAX,
)
from qms.web.screening import ScreenedForm, problems_without_prompt


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a date, e.g. 2026-03-31.",
            "required": f"Give the {label.lower()}.",
        },
    )


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} ({person.job_title})" if person.job_title else str(person)


def staff_of(unit) -> forms.models.QuerySet:
    """Active people with a staff role in the unit or a unit above it (who may lead, own)."""
    paths = _ancestor_paths(unit.path)
    return (
        Person.objects.filter(
            is_active=True,
            memberships__unit__path__in=paths,
            memberships__role__in=STAFF_ROLES,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _related(field: str):
    return Audit._meta.get_field(field).related_model


class AuditForm(ScreenedForm, forms.Form):
    """What an audit is: its title, standard, measure, sample, period and lead."""

    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    standard = forms.ModelChoiceField(
        label="Standard",
        queryset=_related("standard").objects.none(),
        required=False,
        empty_label="No standard from the library",
        help_text="The standard the audit measures practice against.",
    )
    measure = forms.ModelChoiceField(
        label="Measure its result feeds",
        queryset=_related("measure").objects.none(),
        required=False,
        empty_label="No measure",
        help_text="On analysis, the overall compliance is recorded on this measure for the "
        "period that holds the audit's period (a monthly measure: a period within one month). "
        "A p chart of the percentage suits it best.",
    )
    sample = forms.CharField(
        label="Sample",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who is included and how they are chosen.",
    )
    sample_size = forms.IntegerField(
        label="Sample size", min_value=1, max_value=SAMPLE_MAX, help_text="Cases to collect."
    )
    period_start = _date_field("Start of the period")
    period_end = _date_field("End of the period")

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        # A standard the unit can use: national, or local to the unit or a unit above it.
        usable = [
            s.pk
            for s in control_selectors.standards_library(user)
            if s.unit_id is None or unit.path.startswith(s.unit.path)
        ]
        self.fields["standard"].queryset = _related("standard").objects.filter(pk__in=usable)
        self.fields["measure"].queryset = control_selectors.measures_in(user, unit).order_by(
            "unit__path", "name"
        )
        self.fields["lead"] = _PersonChoice(
            label="Lead", queryset=staff_of(unit), required=False, empty_label="You"
        )


class CriterionForm(ScreenedForm, forms.Form):
    text = forms.CharField(
        label="Criterion",
        max_length=CRITERION_MAX,
        help_text="What each case should show, e.g. “Risk assessed within 14 hours of admission”.",
    )
    expected = forms.FloatField(
        label="Expected compliance (%)",
        min_value=0,
        max_value=100,
        help_text="The standard's level, e.g. 95 (100 for an absolute standard).",
    )
    exceptions = forms.CharField(
        label="Exceptions",
        max_length=EXCEPTIONS_MAX,
        required=False,
        help_text="When the criterion does not apply (recorded as n/a).",
    )


class CaseForm(forms.Form):
    """A case's reference and, per criterion, met / not met / not applicable."""

    reference = forms.CharField(
        label="Case reference",
        max_length=REFERENCE_MAX,
        help_text="A reference that identifies no one, e.g. “Case 12”: never an NHS or CHI "
        "number, a name or a date of birth.",
    )

    def __init__(self, *args, criteria: list[AuditCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.ChoiceField(
                label=f"{criterion.position}. {criterion.text}",
                choices=Compliance.choices,
                widget=forms.RadioSelect,
                help_text=f"Not applicable when: {criterion.exceptions}"
                if criterion.exceptions
                else "",
                error_messages={"required": "Answer met, not met or not applicable."},
            )

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        problems = problems_without_prompt(reference, label="Case reference", multiline=False)
        if problems:
            raise forms.ValidationError(problems)
        return reference

    def answers(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}

    @classmethod
    def initial_for(cls, case: AuditCase) -> dict:
        initial = {"reference": case.reference}
        for criterion_id, answer in case.answers.values_list("criterion_id", "answer"):
            initial[f"criterion_{criterion_id}"] = answer
        return initial


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File of cases (CSV or Excel)",
        help_text="A column “case” with each case's reference, and one column per criterion "
        "headed by its number (1, 2...) or its text, answered met / not met / n/a (or yes / no "
        "/ na, Y / N, 1 / 0).",
    )


class AnalyseForm(forms.Form):
    replace = forms.BooleanField(
        label="Replace the value already recorded on the measure for that period",
        required=False,
    )


class ScheduleForm(forms.Form):
    reaudit_due = _date_field(
        "Re-audit due", required=False, help_text="Its lead is reminded on the day."
    )


class ReauditForm(ScreenedForm, forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX, required=False)
    period_start = _date_field("Start of the period")
    period_end = _date_field("End of the period")
    sample_size = forms.IntegerField(
        label="Sample size",
        min_value=1,
        max_value=SAMPLE_MAX,
        required=False,
        help_text="The same as the audit's unless given.",
    )


class ActionForm(ScreenedForm, forms.Form):
    what = forms.CharField(label="What will be done", max_length=300)
    due_on = _date_field("Due")

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _PersonChoice(label="Owner", queryset=staff_of(unit))
        self.order_fields(["what", "owner", "due_on"])


__all__ = [
    "ActionForm",
    "AnalyseForm",
    "AuditForm",
    "CaseForm",
    "CriterionForm",
    "ReauditForm",
    "ScheduleForm",
    "UploadForm",
    "staff_of",
]
