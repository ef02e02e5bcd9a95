"""Forms of the method structures: the A3's sections, a co-design stage, a milestone. Free text
is screened for patient identifiers (ScreenedForm first)."""

from __future__ import annotations

from django import forms

from qms.improvement.models import Milestone, StageStatus
from qms.improvement.services.methods import A3_SECTIONS, A3_TEXT_MAX, NOTES_MAX
from qms.people.models import Person
from qms.web.screening import ScreenedForm


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a date, e.g. 2026-12-31.",
            "required": f"Give the {label.lower()}.",
        },
    )


class A3Form(ScreenedForm, forms.Form):
    """The A3's seven sections, each a few paragraphs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (heading, help_text) in A3_SECTIONS.items():
            self.fields[name] = forms.CharField(
                label=heading,
                help_text=help_text,
                required=False,
                max_length=A3_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        # Added after ScreenedForm's own set-up: limits and screening still apply (clean).


class EbcdStageForm(ScreenedForm, forms.Form):
    """Where one co-design stage is: its status, dates and notes."""

    status = forms.ChoiceField(label="Status", choices=StageStatus.choices)
    started_on = _date_field("Start date", required=False)
    completed_on = _date_field("Date done", required=False)
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who took part, what was learned, what comes next.",
    )


class _OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} ({person.job_title})" if person.job_title else str(person)


class MilestoneForm(ScreenedForm, forms.Form):
    """A milestone: what, by when, who owns it."""

    title = forms.CharField(
        label="Milestone",
        max_length=Milestone._meta.get_field("title").max_length,
        error_messages={"required": "Say what the milestone is."},
    )
    due_on = _date_field("Due date")

    def __init__(self, *args, owners: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _OwnerChoice(
            label="Owner",
            queryset=Person.objects.filter(pk__in=[p.pk for p in owners]).order_by(
                "display_name", "pk"
            ),
            required=False,
            empty_label="No one yet (the project lead is reminded)",
        )


class MilestoneRemoveForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Why remove it?",
        max_length=100,
        error_messages={"required": "Say why the milestone is removed."},
    )
