"""Forms of bright spots' pages: the list's filters, the decision on a candidate, recording one
seen on the compare page, the appreciative inquiry. Free text is screened for patient
identifiers (ScreenedForm first)."""

from django import forms

from qms.learning.models import BrightSpot, BrightSpotKind, BrightSpotStatus, Generalisability
from qms.learning.services.bright_spots import INQUIRY_MAX, REASON_MAX
from qms.web.screening import ScreenedForm

DECISIONS = [("accept", "Accept it as a bright spot"), ("dismiss", "Dismiss it")]


class BrightSpotFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *BrightSpotStatus.choices]
    )
    kind = forms.ChoiceField(
        label="Found by", required=False, choices=[("", "Either way"), *BrightSpotKind.choices]
    )


def _reason_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
        help_text=help_text,
    )


class DecisionForm(ScreenedForm, forms.Form):
    """Accept or dismiss a candidate, with the reason."""

    decision = forms.ChoiceField(label="Decision", choices=DECISIONS, widget=forms.RadioSelect)
    reason = _reason_field("Why: kept in the bright spot's history.")


class RecordForm(ScreenedForm, forms.Form):
    """Record a bright spot seen on the compare page or on the unit's chart."""

    reason = _reason_field("Why it is a bright spot worth learning from: kept in its history.")


def _inquiry_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=INQUIRY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )


class InquiryForm(ScreenedForm, forms.Form):
    """The appreciative inquiry: what the team does differently, what makes it work there, its
    context, and what is likely to generalise, under which conditions."""

    what_differently = _inquiry_field(
        "What does the team do differently?",
        "Ask the team, appreciatively: what do you do that others may not? Habits, checks, "
        "roles, the way the day is organised.",
    )
    what_works = _inquiry_field(
        "What makes it work here?",
        "The people, the habits, the help they get, what they would need to keep doing it.",
    )
    context = _inquiry_field(
        "The unit's context",
        BrightSpot._meta.get_field("context").help_text,
    )
    generalisability = forms.ChoiceField(
        label="Is it likely to work elsewhere?",
        choices=Generalisability.choices,
        widget=forms.RadioSelect,
    )
    conditions = _inquiry_field(
        "Under which conditions?",
        "What another unit would need for it to work there (staffing, patients, equipment, "
        "leadership), and where it would not.",
    )
