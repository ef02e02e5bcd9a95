"""Forms of the vision and aims pages. Free text is screened for patient identifiers
(ScreenedForm first); an aim without a measurable target or a date is a prompt, not a refusal."""

from django import forms

from qms.planning.models import Aim
from qms.text.aims import aim_problems
from qms.web.screening import ScreenedForm

AIM_CHECKED_LABEL = "Keep the aim as it is: we will add what is missing later"
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Ids typed into a form fit a database integer; anything larger is no record's.
_ID_MAX = 2**31 - 1


class VisionForm(ScreenedForm, forms.Form):
    vision = forms.CharField(
        label="Our quality vision",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What quality will look like for the people we serve.",
    )
    purpose = forms.CharField(
        label="Our purpose",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why we exist, in plain words (optional).",
    )


class AimForm(ScreenedForm, forms.Form):
    """An aim: its statement (checked for a measurable target and a date), the target in words,
    the due date, and the aim of this unit or a unit above that it serves."""

    statement = forms.CharField(
        label="Aim",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How much, by when, for whom: e.g. “Reduce falls with harm across the "
        "division by 30% by 31 March 2027”.",
    )
    statement_checked = forms.BooleanField(label=AIM_CHECKED_LABEL, required=False)
    target = forms.CharField(
        label="Target",
        max_length=Aim._meta.get_field("target").max_length,
        help_text="The target in words, e.g. “fewer than 2 falls per 1,000 bed days”.",
    )
    due_on = forms.DateField(
        label="Due on",
        widget=_DATE,
        error_messages={"invalid": "Due on: enter a date, e.g. 2027-03-31."},
    )
    parent = forms.TypedChoiceField(
        label="Serves the aim",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="An aim of this unit or a unit above it that this aim helps to reach (optional).",
    )

    statement_prompted = False

    def __init__(self, *args, parents=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents = {aim.pk: aim for aim in parents}
        self.fields["parent"].choices = [("", "None: it serves no other aim")] + [
            (aim.pk, f"{aim.unit.name}: {aim}") for aim in parents
        ]
        if editing:
            self.fields["reason"] = forms.CharField(
                label="Why it changes",
                required=False,
                max_length=300,
                help_text="Optional; kept in the aim's history.",
            )

    def clean(self):
        data = super().clean()
        statement = data.get("statement")
        if statement and not data.get("statement_checked"):
            problems = aim_problems(statement)
            if problems:
                self.statement_prompted = True
                self.add_error(
                    "statement",
                    [*problems, f"Change the aim, or tick “{AIM_CHECKED_LABEL}” below."],
                )
        data.pop("statement_checked", None)
        if "parent" in data:
            data["parent"] = self.parents.get(data["parent"]) if data["parent"] else None
        return data

    @property
    def show_statement_checked(self) -> bool:
        return self.statement_prompted or bool(self.is_bound and self.data.get("statement_checked"))


def aim_initial(aim: Aim) -> dict:
    return {
        "statement": aim.statement,
        "target": aim.target,
        "due_on": aim.due_on,
        "parent": aim.parent_id,
    }


class RetireForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Why it is retired",
        max_length=300,
        help_text="Kept in the aim's history and shown on its page, e.g. “Met in full” or "
        "“Replaced by the division's new aim on falls”.",
    )


class LinkForm(forms.Form):
    """A measure or project to link, by id (from the list on the page)."""

    record = forms.IntegerField(min_value=1, max_value=_ID_MAX, widget=forms.HiddenInput)


class SearchForm(forms.Form):
    text = forms.CharField(label="Name contains", required=False, max_length=100)


class CascadeFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label="Unit", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "This unit and every unit below")] + [
            (u.pk, f"{u.indent}{u.name}") for u in units
        ]
