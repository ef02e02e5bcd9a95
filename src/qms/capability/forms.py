"""Forms of staff capability: the framework (a skill, a level, what roles need), a person's
assessment, training and protected time. Free text is screened for patient identifiers
(ScreenedForm first)."""

from __future__ import annotations

import datetime as dt

from django import forms

from qms.capability.models import Level, Skill
from qms.web.screening import ScreenedForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month picker), or a full date."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if isinstance(value, dt.date) else value


class SkillForm(ScreenedForm, forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    covers = forms.CharField(
        label="What it covers",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The knowledge and methods in this skill.",
    )
    reason = forms.CharField(
        label="Why it changes",
        required=False,
        max_length=100,
        help_text="Optional; kept in the skill's history.",
    )


class LevelForm(ScreenedForm, forms.Form):
    name = forms.CharField(label="Name", max_length=80)
    covers = forms.CharField(
        label="What it covers",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What someone at this level knows and can do.",
    )
    who = forms.CharField(label="Who it is for", required=False, max_length=300)
    reason = forms.CharField(
        label="Why it changes",
        required=False,
        max_length=100,
        help_text="Optional; kept in the level's history.",
    )


def _choices(records, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank is not None else []
    return choices + [(str(record.pk), str(record)) for record in records]


class _OwnIds:
    """Ids `<auto_id_prefix>-<field>`, so forms sharing a page never share an id."""

    auto_id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.auto_id_prefix}-%s")
        super().__init__(*args, **kwargs)


class _FrameworkChoices(forms.Form):
    """A form choosing a skill and a level of one organisation's framework (ids that are not
    among them are refused as invalid choices, never looked up)."""

    def __init__(self, *args, skills=(), levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._skills = {str(skill.pk): skill for skill in skills}
        self._levels = {str(level.pk): level for level in levels}
        if "skill" in self.fields:
            blank = None if self.fields["skill"].required else "None"
            self.fields["skill"].choices = _choices(skills, blank)
        if "level" in self.fields:
            blank = None if self.fields["level"].required else "None"
            self.fields["level"].choices = _choices(levels, blank)

    def clean_skill(self) -> Skill | None:
        return self._skills.get(self.cleaned_data.get("skill") or "")

    def clean_level(self) -> Level | None:
        return self._levels.get(self.cleaned_data.get("level") or "")


class AssessmentForm(_OwnIds, ScreenedForm, _FrameworkChoices):
    # One page holds the three forms: ids of their own, names unchanged.
    auto_id_prefix = "assessment"

    skill = forms.ChoiceField(label="Skill")
    level = forms.ChoiceField(label="Level")
    assessed_on = forms.DateField(
        label="Assessed on",
        widget=_DATE,
        error_messages={"invalid": "Assessed on: enter a date, e.g. 2026-11-30."},
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the level is judged on: a project led, a course, observed practice.",
    )


class TrainingForm(_OwnIds, ScreenedForm, _FrameworkChoices):
    # One page holds the three forms: ids of their own, names unchanged.
    auto_id_prefix = "training"

    course = forms.CharField(label="Course", max_length=200)
    provider = forms.CharField(label="Provider", required=False, max_length=200)
    completed_on = forms.DateField(
        label="Completed on",
        widget=_DATE,
        error_messages={"invalid": "Completed on: enter a date, e.g. 2026-11-30."},
    )
    hours = forms.DecimalField(
        label="Hours",
        required=False,
        min_value=0,
        max_value=9999,
        decimal_places=1,
        help_text="Optional.",
    )
    evidence = forms.CharField(
        label="Certificate or evidence",
        required=False,
        max_length=500,
        help_text="A link to the certificate, or where it is kept (optional).",
    )
    skill = forms.ChoiceField(label="Counts towards skill", required=False)
    level = forms.ChoiceField(label="At level", required=False)


class TimeForm(_OwnIds, ScreenedForm, forms.Form):
    # One page holds the three forms: ids of their own, names unchanged.
    auto_id_prefix = "time"

    month = MonthField(
        label="Month",
        widget=_MONTH,
        help_text="As YYYY-MM, e.g. 2026-11.",
        error_messages={"invalid": "Month: enter a month as YYYY-MM, e.g. 2026-11."},
    )
    planned = forms.DecimalField(
        label="Hours planned", min_value=0, max_value=744, decimal_places=1
    )
    used = forms.DecimalField(
        label="Hours used",
        required=False,
        min_value=0,
        max_value=744,
        decimal_places=1,
        help_text="Leave blank until the month is over.",
    )
    reason = forms.CharField(
        label="Why less was used",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when used is less than half of planned.",
    )


class NeedsForm(forms.Form):
    """The level each role needs in one skill: a choice per membership role (`role-<role>`)
    and per project team role (`project-<role>`), "Not needed" left blank."""

    def __init__(self, *args, roles=(), project_roles=(), levels=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._levels = {str(level.pk): level for level in levels}
        choices = [("", "Not needed")] + [(str(level.pk), level.name) for level in levels]
        current = current or {}
        for prefix, pairs in (("role", roles), ("project", project_roles)):
            for role, label in pairs:
                level = current.get((prefix, role))
                self.fields[f"{prefix}-{role}"] = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    initial=str(level.pk) if level else "",
                )

    def needs(self, prefix: str) -> dict[str, Level | None]:
        """role -> level chosen (None: not needed), for the roles of `prefix`."""
        start = f"{prefix}-"
        return {
            name[len(start) :]: self._levels.get(value or "")
            for name, value in self.cleaned_data.items()
            if name.startswith(start)
        }

    def fields_of(self, prefix: str):
        return [self[name] for name in self.fields if name.startswith(f"{prefix}-")]


class TrainingImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx), one course a row.",
    )
