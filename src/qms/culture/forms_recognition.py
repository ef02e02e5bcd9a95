"""Forms of recognition: recognising a colleague or a team, passing thanks on, the period of the
themes' Pareto, and the themes of excellence."""

from __future__ import annotations

import datetime as dt

from django import forms

from qms.culture.services.recognition import NOTE_MAX, TEXT_MAX, THEME_NAME_MAX
from qms.web.screening import ScreenedForm

TEAM = "team"


class UnitChoiceForm(forms.Form):
    """Which unit the excellence was seen in (its staff are offered as recipients)."""

    unit = forms.TypedChoiceField(label="Where", coerce=int)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]


class RecognitionForm(ScreenedForm, forms.Form):
    recipient = forms.ChoiceField(
        label="Who",
        help_text="A colleague of this unit or its teams, or the whole team.",
    )
    what_happened = forms.CharField(
        label="What happened",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you saw them do. No patient names or numbers.",
    )
    why_it_mattered = forms.CharField(
        label="Why it mattered",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The difference it made, to a patient, a family or the team.",
    )
    themes = forms.TypedMultipleChoiceField(
        label="Themes of excellence",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose up to four that stand out.",
    )

    def __init__(self, *args, unit, recipients, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [
            ("", "Choose…"),
            (TEAM, f"The whole {unit.name} team"),
            *[(str(person.pk), _label(person)) for person in recipients],
        ]
        self.fields["themes"].choices = [(theme.pk, theme.name) for theme in themes]
        self._people = {str(person.pk): person for person in recipients}

    def clean_recipient(self):
        chosen = self.cleaned_data["recipient"]
        return None if chosen == TEAM else self._people[chosen]


def _label(person) -> str:
    return f"{person}, {person.job_title}" if person.job_title else str(person)


class ThanksForm(ScreenedForm, forms.Form):
    note = forms.CharField(
        label="How you passed it on (optional)",
        required=False,
        max_length=NOTE_MAX,
        help_text="For example: read out at the morning huddle.",
    )


class PeriodForm(forms.Form):
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


def _month(value: str, *, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise forms.ValidationError(f"{label}: give a month as YYYY-MM.") from None
    if month.year < 1900:
        raise forms.ValidationError(f"{label}: give a month from 1900 on.")
    return month


class ThemeForm(ScreenedForm, forms.Form):
    name = forms.CharField(label="Name", max_length=THEME_NAME_MAX)
    description = forms.CharField(
        label="What belongs in it",
        required=False,
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
