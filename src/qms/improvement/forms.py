"""Forms of projects' pages (each other part has its own `forms_<part>.py`). Free text is
screened for patient identifiers (ScreenedForm first)."""

from django import forms

from qms.improvement.models import (
    PROGRESS_CHOICES,
    MeasureRole,
    Method,
    Project,
    Stage,
)
from qms.improvement.selectors.projects import PORTFOLIO_SORTS
from qms.improvement.services.projects import TEAM_ROLES
from qms.people.forms import PersonField
from qms.people.roles import LISTING_ORDER, Role
from qms.text.aims import aim_problems
from qms.web.screening import ScreenedForm

AIM_CHECKED_LABEL = "Keep the aim as it is: we will add what is missing later"
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=_DATE,
        error_messages={"invalid": f"{label}: enter a date, e.g. 2027-03-31."},
    )


class _OptionalPersonField(PersonField):
    """A person by username or e-mail, or no one when left empty."""

    def clean(self, value):
        if not (value or "").strip():
            return None
        return super().clean(value)


def _person_field(label: str, help_text: str) -> PersonField:
    return _OptionalPersonField(label=label, required=False, help_text=help_text)


class ProjectForm(ScreenedForm, forms.Form):
    """A project's charter. An aim without a measurable target or a date is a prompt, not a
    refusal: the form shows what is missing and saves when the person ticks AIM_CHECKED_LABEL."""

    title = forms.CharField(label="Title", max_length=Project._meta.get_field("title").max_length)
    problem = forms.CharField(
        label="The problem",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What is wrong, for whom, and how you know.",
    )
    aim = forms.CharField(
        label="Aim",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="How much, by when, for whom: e.g. “Reduce falls with harm on Ward 3 by 30% "
        "by 31 March 2027”.",
    )
    aim_checked = forms.BooleanField(label=AIM_CHECKED_LABEL, required=False)
    method = forms.ChoiceField(label="Method", choices=Method.choices)
    stage = forms.ChoiceField(label="Stage", choices=Stage.choices)
    lead = _person_field(
        "Project lead", "Username or e-mail address; you lead it if you leave this empty."
    )
    coach = _person_field("Improvement coach", "Username or e-mail address (optional).")
    sponsor = _person_field("Sponsor", "Username or e-mail address (optional).")
    starts_on = _date_field("Starts on")
    ends_on = _date_field("Ends on")
    protected_hours = forms.DecimalField(
        label="Protected hours a week",
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=1,
        help_text="Staff hours a week set aside for the project.",
    )
    budget = forms.DecimalField(
        label="Budget (£)", required=False, min_value=0, max_digits=12, decimal_places=2
    )

    aim_prompted = False

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["lead"].help_text = "Username or e-mail address."
            self.fields["reason"] = forms.CharField(
                label="Why it changes",
                required=False,
                max_length=300,
                help_text="Optional; kept in the project's history.",
            )

    def clean(self):
        data = super().clean()
        aim = data.get("aim")
        if aim and not data.get("aim_checked"):
            problems = aim_problems(aim)
            if problems:
                self.aim_prompted = True
                self.add_error(
                    "aim",
                    [*problems, f"Change the aim, or tick “{AIM_CHECKED_LABEL}” below."],
                )
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "Ends on: the end date is before the start date.")
        data.pop("aim_checked", None)
        return data

    @property
    def show_aim_checked(self) -> bool:
        return self.aim_prompted or bool(self.is_bound and self.data.get("aim_checked"))


def project_initial(project: Project) -> dict:
    """A charter form's starting values from a project (people by username)."""
    initial = {
        name: getattr(project, name)
        for name in (
            "title",
            "problem",
            "aim",
            "method",
            "stage",
            "starts_on",
            "ends_on",
            "protected_hours",
            "budget",
        )
    }
    for name in ("lead", "coach", "sponsor"):
        person = getattr(project, name)
        initial[name] = person.username if person is not None else ""
    return initial


class StageForm(ScreenedForm, forms.Form):
    stage = forms.ChoiceField(label="Stage", choices=Stage.choices)
    reason = forms.CharField(
        label="Why", required=False, max_length=300, help_text="Optional; kept in the history."
    )


_TEAM_ROLE_CHOICES = sorted(
    [(value, label) for value, label in Role.choices if value in TEAM_ROLES],
    key=lambda choice: LISTING_ORDER.get(choice[0], 99),
)


class TeamAddForm(forms.Form):
    """Someone joins the team: anyone with an active account, by username or e-mail (a grant is
    how people from outside the unit, partners too, join one project)."""

    person = PersonField()
    role = forms.ChoiceField(label="Role on the team", choices=_TEAM_ROLE_CHOICES)


class TeamRemoveForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Reason", required=False, max_length=200, help_text="Optional; kept in the history."
    )


class MeasureLinkForm(forms.Form):
    measure = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    role = forms.ChoiceField(label="Link as", choices=MeasureRole.choices)


class MeasureSearchForm(forms.Form):
    text = forms.CharField(label="Name or code contains", required=False, max_length=100)
    unit = forms.TypedChoiceField(label="Look in", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, f"{u.indent}{u.name}") for u in units]


class PortfolioFilterForm(forms.Form):
    text = forms.CharField(label="Title or aim contains", required=False, max_length=100)
    unit = forms.TypedChoiceField(label="Unit", coerce=int, required=False, empty_value=None)
    stage = forms.ChoiceField(
        label="Stage", choices=[("", "Any stage"), *Stage.choices], required=False
    )
    method = forms.ChoiceField(
        label="Method", choices=[("", "Any method"), *Method.choices], required=False
    )
    progress = forms.ChoiceField(
        label="Progress score",
        choices=[("", "Any score"), *PROGRESS_CHOICES],
        required=False,
    )
    lead = forms.TypedChoiceField(label="Lead", coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            choice
            for key, (label, _) in PORTFOLIO_SORTS.items()
            for choice in ((key, label), (f"-{key}", f"{label}, reversed"))
        ],
    )

    def __init__(self, *args, units, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Every unit")] + [
            (u.pk, f"{u.indent}{u.name}") for u in units
        ]
        self.fields["lead"].choices = [("", "Anyone")] + [(p.pk, str(p)) for p in leads]
