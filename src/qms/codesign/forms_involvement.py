"""Forms of involvement: logging partners' involvement in a piece of work, deciding a partner's
own entry, and the ladder summary's unit and period. Free text is screened for patient
identifiers (ScreenedForm first)."""

import datetime as dt

from django import forms
from django.utils import timezone

from qms.codesign.models import Level
from qms.web.screening import ScreenedForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GROUP = "group"


class InvolvementForm(ScreenedForm, forms.Form):
    """One occasion of partners' involvement: who, the rung, when, what they contributed and
    what difference it made. A partner logging their own sees no "who"."""

    who = forms.ChoiceField(label="Who took part")
    group_name = forms.CharField(
        label="Group or community",
        required=False,
        max_length=200,
        help_text="If a group took part: its name, without anyone's name (“Patient panel”).",
    )
    group_size = forms.IntegerField(
        label="People in the group",
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="How many took part (optional).",
    )
    level = forms.TypedChoiceField(
        label="Rung of the ladder",
        coerce=int,
        choices=[(level.value, level.label) for level in Level],
        widget=forms.RadioSelect,
    )
    occurred_on = forms.DateField(
        label="Date",
        widget=_DATE,
        error_messages={"invalid": "Date: enter a date, e.g. 2026-10-05."},
    )
    contribution = forms.CharField(
        label="What they contributed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    shaped_decision = forms.BooleanField(
        label="It shaped a decision",
        required=False,
        help_text="Something was decided or changed because of what partners said or did.",
    )
    difference = forms.CharField(
        label="What difference it made",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was decided or changed, or why nothing was (optional).",
    )
    hours = forms.DecimalField(
        label="Hours",
        required=False,
        min_value=0,
        max_value=24,
        decimal_places=2,
        help_text="Time partners gave, if known (optional).",
    )

    def __init__(self, *args, partners=(), own=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = {str(person.pk): person for person in partners}
        if own:
            for name in ("who", "group_name", "group_size"):
                del self.fields[name]
        else:
            self.fields["who"].choices = [
                (GROUP, "A group or community (counted without names)"),
                *[(pk, str(person)) for pk, person in self.partners.items()],
            ]
        self.fields["occurred_on"].initial = timezone.localdate()

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("identifiers_checked", None)
        who = data.pop("who", GROUP)
        data["partner"] = self.partners.get(who) if who != GROUP else None
        if data["partner"] is not None:
            data["group_name"], data["group_size"] = "", None
        return data


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "Confirm"), ("decline", "Do not confirm")])
    reason = forms.CharField(label="Reason", required=False, max_length=300)


class LadderForm(forms.Form):
    """The ladder summary's unit (one the person reads) and period (the last 12 months)."""

    unit = forms.TypedChoiceField(label="Unit", coerce=int)
    start = forms.DateField(label="From", widget=_DATE, required=False)
    end = forms.DateField(label="To", widget=_DATE, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in units}
        top = min((unit.depth for unit in units), default=0)
        self.fields["unit"].choices = [
            (unit.pk, f"{'— ' * (unit.depth - top)}{unit.name}") for unit in units
        ]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=365)
        if start > end:
            self.add_error("start", "From must be on or before To.")
        data["start"], data["end"] = start, end
        return data
