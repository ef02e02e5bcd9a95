"""Forms of claims: a claim for time or an expense, the approvers' decision, marking paid, and
the list's filter. Free text is screened for patient identifiers (ScreenedForm first)."""

from django import forms
from django.utils import timezone

from qms.codesign.models import MAX_CLAIM_GBP, MAX_HOURS_IN_A_DAY, ClaimKind, ClaimStatus
from qms.web.screening import ScreenedForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClaimForm(ScreenedForm, forms.Form):
    """Time (hours, paid at the hourly rate) or an expense (an amount in pounds): what for,
    when, and the involvement it belongs to. An organiser names the partner by username."""

    partner = forms.CharField(
        label="Partner's username",
        max_length=150,
        help_text="The partner this claim is for, as they sign in (e.g. “partner”).",
    )
    kind = forms.ChoiceField(label="Claim for", choices=ClaimKind.choices, widget=forms.RadioSelect)
    occurred_on = forms.DateField(
        label="Date",
        widget=_DATE,
        error_messages={"invalid": "Date: enter a date, e.g. 2026-10-05."},
    )
    activity = forms.CharField(
        label="What for",
        max_length=300,
        help_text="The meeting or event, or what the expense paid for (“Bus fare to the panel”).",
    )
    hours = forms.DecimalField(
        label="Hours (for time)",
        required=False,
        min_value=0,
        max_value=MAX_HOURS_IN_A_DAY,
        decimal_places=2,
        help_text="In hours and quarters, e.g. 2.25 for two and a quarter hours.",
    )
    amount = forms.DecimalField(
        label="Amount in £ (for an expense)",
        required=False,
        max_value=MAX_CLAIM_GBP,
        decimal_places=2,
        help_text="Attach the receipt to the claim once it is saved.",
    )
    involvement = forms.TypedChoiceField(label="Part of", coerce=int, required=False)
    unit = forms.TypedChoiceField(label="Unit", coerce=int, required=False)

    def __init__(self, *args, involvements=(), units=(), organiser=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not organiser:
            del self.fields["partner"]
        self.involvements = {entry.pk: entry for entry in involvements}
        self.units = {unit.pk: unit for unit in units}
        self.fields["involvement"].choices = [("", "Not linked to logged involvement")] + [
            (entry.pk, f"{entry.occurred_on:%d %b %Y}: {entry.contribution[:60]}")
            for entry in involvements
        ]
        self.fields["unit"].choices = [("", "Choose a unit")] + [
            (unit.pk, unit.name) for unit in units
        ]
        self.fields[
            "unit"
        ].help_text = "Where the work took place (taken from the involvement when linked)."
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean_involvement(self):
        value = self.cleaned_data.get("involvement")
        if value in (None, ""):
            return None
        if value not in self.involvements:
            raise forms.ValidationError("Choose one of your logged contributions.")
        return self.involvements[value]

    def clean_unit(self):
        value = self.cleaned_data.get("unit")
        if value in (None, ""):
            return None
        if value not in self.units:
            raise forms.ValidationError("Choose a unit from the list.")
        return self.units[value]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(label="Reason", required=False, max_length=500)


class PaidForm(forms.Form):
    paid_on = forms.DateField(
        label="Paid on",
        widget=_DATE,
        error_messages={"invalid": "Paid on: enter a date, e.g. 2026-10-05."},
    )


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any")] + list(ClaimStatus.choices)
    )
    unit = forms.TypedChoiceField(label="Unit", coerce=int, required=False)
    month = forms.DateField(
        label="Month",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Month: enter a month, e.g. 2026-10."},
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "All")] + [(u.pk, u.name) for u in units]
