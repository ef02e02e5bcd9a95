"""Forms of capacity, a priority's resources and responsibilities (RACI). The services check
everything again."""

from django import forms

from qms.planning.models import Raci, Responsibility
from qms.planning.services.resources import BUDGET_MAX, HOURS_MAX
from qms.web.screening import ScreenedForm


def _hours(label: str, help_text: str = "Staff hours a week.") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=HOURS_MAX,
        max_digits=7,
        decimal_places=1,
        help_text=help_text + " Leave blank if not known.",
    )


def _budget() -> forms.DecimalField:
    return forms.DecimalField(
        label="Budget (£)",
        required=False,
        min_value=0,
        max_value=BUDGET_MAX,
        max_digits=12,
        decimal_places=2,
        help_text="In pounds. Leave blank if not known.",
    )


class CapacityForm(forms.Form):
    protected_hours = _hours(
        "Protected hours for quality work", "Staff hours a week the unit can protect."
    )
    budget = _budget()
    planning_hours = _hours("Standing hours on planning", "Hours a week on needs and priorities.")
    control_hours = _hours(
        "Standing hours on control", "Hours a week on huddles and measure reviews."
    )
    assurance_hours = _hours("Standing hours on assurance", "Hours a week on audits and reports.")


class PriorityResourcesForm(forms.Form):
    protected_hours = _hours("Protected hours", "Staff hours a week set aside for the priority.")
    budget = _budget()


class ResponsibilityForm(ScreenedForm, forms.Form):
    person = forms.TypedChoiceField(label="Person", coerce=int, empty_value=None)
    raci = forms.ChoiceField(label="Responsibility", choices=Raci.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=Responsibility._meta.get_field("note").max_length,
        help_text="Optional: what for, e.g. “runs the weekly huddle”.",
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["person"].choices = [("", "Choose a person")] + [
            (person.pk, f"{person} ({person.job_title})" if person.job_title else str(person))
            for person in people
        ]

    def clean_person(self):
        person = self.people.get(self.cleaned_data.get("person"))
        if person is None:
            raise forms.ValidationError("Choose one of the people listed.")
        return person
