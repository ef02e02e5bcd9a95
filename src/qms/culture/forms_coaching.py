"""Forms of coaching: opening a coaching log, changing it, a session with its agreed actions,
and the ending. Every text is screened for patient identifiers (ScreenedForm first)."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from qms.culture.models import CoachingKind
from qms.culture.selectors import coaching as selectors
from qms.culture.services.coaching import ACTIONS_PER_SESSION, COACHEES_MAX
from qms.improvement import selectors as project_selectors
from qms.people.models import Person
from qms.web.screening import ScreenedForm

# A session form offers this many rows for agreed actions; a row left empty is ignored.
ACTION_ROWS = 3
assert ACTION_ROWS <= ACTIONS_PER_SESSION


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a date, e.g. 2026-03-31.",
            "required": f"Give the {label.lower()}.",
        },
    )


def _text(label: str, max_length: int, *, rows: int = 0, required=True, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=widget,
        error_messages={"required": f"{label}: this is needed."},
    )


def _people(typed: str) -> list[Person]:
    """The active people named one per line (or separated by commas) by username or e-mail;
    a name that finds no one is refused with the name, so nothing is silently dropped."""
    names = [name.strip() for name in typed.replace(",", "\n").splitlines() if name.strip()]
    if len(names) > COACHEES_MAX:
        raise forms.ValidationError(f"Name at most {COACHEES_MAX} people.")
    lowered = {name.lower() for name in names}
    condition = Q(pk__in=[])
    for name in names:
        condition |= Q(username__iexact=name) | Q(email__iexact=name)
    found = list(Person.objects.filter(condition, is_active=True)[: COACHEES_MAX * 2])
    known = {p.username.lower() for p in found} | {p.email.lower() for p in found}
    unknown = sorted(lowered - known)
    if unknown:
        raise forms.ValidationError(
            "No one with the username or e-mail address: " + ", ".join(unknown) + "."
        )
    return found


class CoachingForm(ScreenedForm, forms.Form):
    """Opening a coaching log: where, whom, what for."""

    unit = forms.ModelChoiceField(label="Unit", queryset=None, empty_label=None)
    kind = forms.ChoiceField(
        label="Coaching", choices=CoachingKind.choices, widget=forms.RadioSelect
    )
    title = _text("Title", 200, help_text="Who or what the coaching is for, e.g. “Falls team”.")
    coachees = _text(
        "Who is coached",
        2000,
        rows=3,
        help_text="Usernames or e-mail addresses, one a line: the person, or each member of "
        "the team. Only they and you will read this log.",
    )
    project = forms.ModelChoiceField(
        label="Project team (optional)",
        queryset=None,
        required=False,
        help_text="When the team is an improvement project's: its team may be coached too.",
    )
    goals = _text("Goals", 5000, rows=4, help_text="What the person or team wants to achieve.")
    started_on = _date("Start")
    next_session_on = _date("Next session", required=False)

    def __init__(self, *args, coach, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.coach_units(coach)
        self.fields["unit"].queryset = units
        tops = [u for u in units if not any(u.path.startswith(o.path) and o != u for o in units)]
        project_ids: set[int] = set()
        for top in tops:
            project_ids |= set(project_selectors.open_projects_in(top).values_list("pk", flat=True))
        self.fields["project"].queryset = (
            project_selectors.projects_with_unit().filter(pk__in=project_ids).order_by("title")
        )

    def clean_coachees(self) -> list[Person]:
        return _people(self.cleaned_data["coachees"])


class CoachingEditForm(ScreenedForm, forms.Form):
    title = CoachingForm.base_fields["title"]
    coachees = CoachingForm.base_fields["coachees"]
    goals = CoachingForm.base_fields["goals"]
    next_session_on = CoachingForm.base_fields["next_session_on"]

    def clean_coachees(self) -> list[Person]:
        return _people(self.cleaned_data["coachees"])


class SessionForm(ScreenedForm, forms.Form):
    """A session and up to ACTION_ROWS agreed actions (each: what, whose, by when)."""

    held_on = _date("Day of the session")
    minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=1,
        max_value=480,
        error_messages={"required": "Give the length in minutes."},
    )
    focus = _text("Focus", 200)
    notes = _text(
        "Notes",
        10_000,
        rows=5,
        required=False,
        help_text="Private to you and the people coached: never shown to their leads.",
    )
    progress = _text("Progress on the goals", 5000, rows=3, required=False)
    next_session_on = _date("Next session", required=False)

    def __init__(self, *args, relationship, owners: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose…")] + [(str(p.pk), str(p)) for p in owners]
        self._owners = {str(p.pk): p for p in owners}
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = _text(f"Agreed action {i}", 300, required=False)
            self.fields[f"owner_{i}"] = forms.ChoiceField(
                label=f"Owner of action {i}", choices=choices, required=False
            )
            self.fields[f"due_{i}"] = _date(f"Action {i} due", required=False)

    def clean(self):
        data = super().clean()
        rows = []
        for i in range(1, ACTION_ROWS + 1):
            text = data.pop(f"action_{i}", "")
            owner = data.pop(f"owner_{i}", "")
            due = data.pop(f"due_{i}", None)
            if not (text or owner or due):
                continue
            if not (text and owner and due):
                self.add_error(f"action_{i}", f"Action {i}: give what, whose and by when.")
                continue
            rows.append({"text": text, "owner": self._owners[owner], "due_on": due})
        data["actions"] = rows
        return data


class EndForm(ScreenedForm, forms.Form):
    summary = _text("Summary", 5000, rows=5, help_text="What was achieved; what comes next.")
