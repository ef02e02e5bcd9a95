"""Forms of contributory factors: the framework's domains, an issue's analysis, the Pareto's
filters. Free text is screened (ScreenedForm first): for patient identifiers, and the analysis's
accounts for blame too (`blame_screened`). The services check everything again."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from qms.control.services import EARLIEST_PERIOD
from qms.issues.models import IssueSource
from qms.planning.models import AnalysisDecision, FactorDomain, IssueAnalysis
from qms.planning.services.factors import NOTE_MAX, PROMPT_MAX
from qms.text import SYSTEM_QUESTION
from qms.web.screening import ScreenedForm

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
# Months later than this many years ahead are a slip, not a period anyone analysed.
_YEARS_AHEAD = 1


class DomainForm(ScreenedForm, forms.Form):
    name = forms.CharField(label="Name", max_length=FactorDomain._meta.get_field("name").max_length)
    prompt = forms.CharField(
        label="Question asked",
        max_length=PROMPT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A question about the system, never about a person: “What about the way "
        "work is scheduled made this more likely?”",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the domain covers, for those coding it.",
    )
    # The question is screened for blame too: a prompt that asks who would defeat the form.
    blame_screened = ("prompt", "description")


class AnalysisForm(ScreenedForm, forms.Form):
    """The system-focused analysis: the account, a box and a note per domain (each with its
    question), the decision and its reason; "escalate it now" when the person may."""

    system_account = forms.CharField(
        label="What in the system allowed this to happen?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"{SYSTEM_QUESTION} Describe the conditions, not the people: the workload, "
        "the task, the equipment, the information available, the training and support.",
    )
    domains = forms.TypedMultipleChoiceField(
        label="Contributory factors",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        choices=[
            (AnalysisDecision.IMPROVE_HERE, "Improve here: within the team's control"),
            (AnalysisDecision.ESCALATE, "Escalate: outside the team's control"),
            (AnalysisDecision.UNDECIDED, "Not decided yet"),
        ],
        widget=forms.RadioSelect,
    )
    decision_reason = forms.CharField(
        label="Reason for the decision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to escalate: the unit above reads it.",
    )

    def __init__(self, *args, domains: list[FactorDomain], escalate_to=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain_list = domains
        self.fields["domains"].choices = [(d.pk, d.name) for d in domains]
        for domain in domains:
            self.fields[f"note_{domain.pk}"] = forms.CharField(
                label=f"Note on {domain.name}",
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if escalate_to is not None:
            self.fields["escalate_now"] = forms.BooleanField(
                label=f"Escalate the issue to {escalate_to} now, with this reason",
                required=False,
            )
        self.blame_screened = (
            "system_account",
            "decision_reason",
            *(f"note_{domain.pk}" for domain in domains),
        )

    @classmethod
    def initial_from(cls, analysis: IssueAnalysis | None) -> dict:
        if analysis is None:
            return {"decision": AnalysisDecision.UNDECIDED}
        codings = list(analysis.factors.all())
        return {
            "system_account": analysis.system_account,
            "domains": [coding.domain_id for coding in codings],
            "decision": analysis.decision,
            "decision_reason": analysis.decision_reason,
            **{f"note_{coding.domain_id}": coding.note for coding in codings},
        }

    def rows(self):
        """Each domain with its box's state and its note field, for the template."""
        chosen = {str(pk) for pk in (self["domains"].value() or [])}
        return [
            {
                "domain": domain,
                "checked": str(domain.pk) in chosen,
                "note": self[f"note_{domain.pk}"],
            }
            for domain in self.domain_list
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "system_account": data["system_account"],
            "factors": [(pk, data.get(f"note_{pk}", "")) for pk in data["domains"]],
            "decision": data["decision"],
            "decision_reason": data["decision_reason"],
            "escalate": bool(data.get("escalate_now")),
        }


def _month(value: str, *, label: str) -> dt.date | None:
    if not value or not value.strip():
        return None
    match = _MONTH.match(value)
    if not match:
        raise forms.ValidationError(f"{label}: give a month as year-month, e.g. 2026-04.")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise forms.ValidationError(f"{label}: there is no month {month}.")
    latest = dt.date.today().year + _YEARS_AHEAD
    if year < EARLIEST_PERIOD.year or year > latest:
        raise forms.ValidationError(
            f"{label}: choose a month from {EARLIEST_PERIOD.year} to {latest}."
        )
    return dt.date(year, month, 1)


class ParetoFilterForm(forms.Form):
    since = forms.CharField(
        label="From (month)",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    until = forms.CharField(
        label="To (month)",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}),
    )
    source = forms.ChoiceField(
        label="Kind of issue",
        required=False,
        choices=[("", "Every kind"), *IssueSource.choices],
    )

    def clean_since(self):
        return _month(self.cleaned_data["since"], label="From")

    def clean_until(self):
        return _month(self.cleaned_data["until"], label="To")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "To: the last month is before the first.")
        return data
