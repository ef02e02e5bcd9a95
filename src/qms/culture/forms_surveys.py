"""Forms of surveys: planning a run, inviting someone from elsewhere, and the two
questionnaires (built from the instruments, one radio group per question)."""

from __future__ import annotations

import datetime as dt

from django import forms

from qms.culture import instruments
from qms.culture.models import DEFAULT_MINIMUM_GROUP_SIZE, MINIMUM_GROUP_SIZE_FLOOR, SurveyKind
from qms.culture.services.surveys import MAX_MINIMUM_GROUP_SIZE, MAX_WORKGROUPS
from qms.people.forms import PersonField
from qms.web.screening import ScreenedForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A date field refuses years a typo makes (9999) before the service sees them.
_YEARS = (2000, 2100)
NOT_RATED = ""


def _in_range(day: dt.date | None) -> dt.date | None:
    if day is not None and not (_YEARS[0] <= day.year <= _YEARS[1]):
        raise forms.ValidationError("Give a date between 2000 and 2100.")
    return day


class SurveyForm(ScreenedForm, forms.Form):
    kind = forms.ChoiceField(label="Survey", choices=SurveyKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Title", max_length=200)
    focal_process = forms.CharField(
        label="Work process (relational coordination)",
        max_length=200,
        required=False,
        help_text="What the questions are about, e.g. “discharging patients”.",
    )
    workgroups = forms.CharField(
        label="Workgroups (relational coordination)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"One a line, 2 to {MAX_WORKGROUPS}: e.g. nurses, doctors, physiotherapists, "
        "pharmacists, ward clerks. Each respondent chooses their own and rates them all.",
    )
    opens_on = forms.DateField(label="Opens on", widget=_DATE)
    closes_on = forms.DateField(label="Closes after", widget=_DATE)
    minimum_group_size = forms.IntegerField(
        label="Minimum group size",
        initial=DEFAULT_MINIMUM_GROUP_SIZE,
        min_value=MINIMUM_GROUP_SIZE_FLOOR,
        max_value=MAX_MINIMUM_GROUP_SIZE,
        help_text="Results of a group with fewer respondents are never shown (at least "
        f"{MINIMUM_GROUP_SIZE_FLOOR}).",
    )

    def clean_opens_on(self):
        return _in_range(self.cleaned_data.get("opens_on"))

    def clean_closes_on(self):
        return _in_range(self.cleaned_data.get("closes_on"))

    def workgroup_names(self) -> list[str]:
        return [line for line in self.cleaned_data.get("workgroups", "").splitlines() if line]


class InviteForm(forms.Form):
    person = PersonField()


def _radio(label: str, scale: tuple[str, ...], *, required: bool, not_rated: str = ""):
    choices = [(str(i), f"{i} {word}") for i, word in enumerate(scale, start=1)]
    if not required:
        choices = [(NOT_RATED, not_rated), *choices]
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect,
        initial=None if required else NOT_RATED,
    )


class PulseForm(forms.Form):
    """Edmondson's seven statements, each on the seven-point agree scale, all required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in instruments.PULSE_ITEMS:
            self.fields[item.key] = _radio(item.question, item.scale, required=True)

    def scores(self) -> dict:
        return {
            instruments.PULSE_KEY: [
                int(self.cleaned_data[item.key]) for item in instruments.PULSE_ITEMS
            ]
        }

    def questions(self):
        return [self[item.key] for item in instruments.PULSE_ITEMS]


class RelationalCoordinationForm(forms.Form):
    """The respondent's own workgroup, then the seven questions about each workgroup: a
    workgroup is rated on all seven or left as "does not apply" on all seven."""

    workgroup = forms.TypedChoiceField(label="Your workgroup", coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(run.workgroups.all())
        self.fields["workgroup"].choices = [(g.pk, g.name) for g in self.groups]
        process = run.focal_process
        for group in self.groups:
            for item in instruments.RC_DIMENSIONS:
                self.fields[self._name(group, item)] = _radio(
                    item.question.format(process=process),
                    item.scale,
                    required=False,
                    not_rated="Does not apply",
                )

    @staticmethod
    def _name(group, item) -> str:
        return f"g{group.pk}_{item.key}"

    def sections(self):
        """(workgroup, its seven bound fields) for the template."""
        return [
            (group, [self[self._name(group, item)] for item in instruments.RC_DIMENSIONS])
            for group in self.groups
        ]

    def clean(self):
        data = super().clean()
        rated = 0
        for group in self.groups:
            names = [self._name(group, item) for item in instruments.RC_DIMENSIONS]
            given = [data.get(name) for name in names]
            if all(value == NOT_RATED or value is None for value in given):
                continue
            missing = [n for n, v in zip(names, given, strict=True) if v in (NOT_RATED, None)]
            for name in missing:
                self.add_error(
                    name, f"Answer all seven questions about {group.name}, or none of them."
                )
            rated += 1
        if not rated and not self.errors:
            raise forms.ValidationError("Rate at least one workgroup.")
        return data

    def chosen_workgroup(self):
        pk = self.cleaned_data["workgroup"]
        return next(g for g in self.groups if g.pk == pk)

    def scores(self) -> dict:
        scores = {}
        for group in self.groups:
            values = [
                self.cleaned_data.get(self._name(group, i)) for i in instruments.RC_DIMENSIONS
            ]
            if all(values):
                scores[str(group.pk)] = [int(v) for v in values]
        return scores
