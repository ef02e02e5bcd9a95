"""Forms of the PDSA cycle pages: the plan (with its predictions), Do, Study (a result and an
outcome per prediction) and Act (with the next cycle's plan). Free text is screened for patient
identifiers (ScreenedForm first)."""

from __future__ import annotations

from django import forms

from qms.improvement.models import ActDecision, PdsaCycle, Prediction, PredictionOutcome
from qms.people.models import Person
from qms.web.screening import ScreenedForm

# Blank prediction rows offered beyond those a plan has.
EXTRA_PREDICTIONS = 2
# The most prediction rows a posted form may claim (a page offers its own number).
MAX_PREDICTIONS = 20


def _max(name: str) -> int | None:
    return PdsaCycle._meta.get_field(name).max_length


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a date, e.g. 2026-12-31.",
            "required": f"Give the {label.lower()}.",
        },
    )


class _OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} ({person.job_title})" if person.job_title else str(person)


class PlanForm(ScreenedForm, forms.Form):
    """Plan a cycle, or change its plan: what, who, when, where, the data, the predictions."""

    title = forms.CharField(label="Title", max_length=_max("title"))
    objective = forms.CharField(
        label="Objective",
        widget=_area(2),
        help_text="What this cycle tests, in a sentence.",
        error_messages={"required": "Give the objective."},
    )
    questions = forms.CharField(
        label="Questions the cycle answers", widget=_area(2), required=False
    )
    who = forms.CharField(label="Who", max_length=_max("who"), required=False)
    what = forms.CharField(label="What will be done", widget=_area(2), required=False)
    where = forms.CharField(label="Where", max_length=_max("where"), required=False)
    starts_on = _date_field("Start date")
    ends_on = _date_field("End date")
    data_to_collect = forms.CharField(label="Data to collect", widget=_area(2), required=False)

    def __init__(self, *args, owners: list[Person], predictions: list[Prediction] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _OwnerChoice(
            label="Owner",
            queryset=Person.objects.filter(pk__in=[p.pk for p in owners]).order_by(
                "display_name", "pk"
            ),
            required=False,
            empty_label="No one yet (the project lead is reminded)",
        )
        self.order_fields(["title", "objective", "questions", "owner"])
        existing = list(predictions)
        count = len(existing) + EXTRA_PREDICTIONS
        if self.is_bound:
            count = max(count, min(self._posted_rows(), MAX_PREDICTIONS))
        self.prediction_rows = []
        for index in range(1, count + 1):
            known = existing[index - 1] if index <= len(existing) else None
            names = (
                f"prediction_{index}_id",
                f"prediction_{index}_question",
                f"prediction_{index}",
            )
            self.fields[names[0]] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=known.pk if known else None
            )
            self.fields[names[1]] = forms.CharField(
                label=f"Question {index}",
                max_length=Prediction._meta.get_field("question").max_length,
                required=False,
                initial=known.question if known else "",
            )
            self.fields[names[2]] = forms.CharField(
                label=f"Prediction {index}",
                widget=_area(2),
                required=False,
                initial=known.prediction if known else "",
            )
            self.prediction_rows.append(names)

    def _posted_rows(self) -> int:
        count = 0
        while self.add_prefix(f"prediction_{count + 1}") in self.data:
            count += 1
        return count

    def plan_fields(self) -> dict:
        """The plan's fields as the services take them."""
        data = self.cleaned_data
        names = [
            "title",
            "objective",
            "questions",
            "who",
            "what",
            "where",
            "starts_on",
            "ends_on",
            "data_to_collect",
            "owner",
        ]
        return {name: data.get(name) for name in names}

    def prediction_entries(self) -> list[tuple[int | None, str, str]]:
        """(id or None, question, prediction) for each row filled in."""
        data = self.cleaned_data
        entries = []
        for id_name, question_name, prediction_name in self.prediction_rows:
            question, prediction = data.get(question_name, ""), data.get(prediction_name, "")
            if question or prediction:
                entries.append((data.get(id_name), question, prediction))
        return entries

    def bound_rows(self):
        """The prediction rows as bound fields, (hidden id, question, prediction)."""
        return [tuple(self[name] for name in names) for names in self.prediction_rows]

    def main_fields(self):
        hidden = {name for names in self.prediction_rows for name in names}
        return [self[name] for name in self.fields if name not in hidden]


class DoForm(ScreenedForm, forms.Form):
    # What went differently in a test of change is an account of the system: asked about it,
    # gently, when it blames a person (qms.web.screening).
    blame_screened = ("what_happened", "observations")

    what_happened = forms.CharField(
        label="What happened",
        widget=_area(4),
        required=False,
        help_text="Was the test carried out as planned? What went differently?",
    )
    observations = forms.CharField(
        label="Observations",
        widget=_area(4),
        required=False,
        help_text="What the team saw and heard, problems and unexpected effects.",
    )


class StudyForm(ScreenedForm, forms.Form):
    """What the data showed against each prediction, and what the team learned."""

    study_summary = forms.CharField(label="What the team learned", widget=_area(4), required=False)
    blame_screened = ("study_summary",)

    def __init__(self, *args, predictions: list[Prediction], **kwargs):
        super().__init__(*args, **kwargs)
        self.prediction_rows = []
        for index, prediction in enumerate(predictions, start=1):
            result, outcome = f"result_{prediction.pk}", f"outcome_{prediction.pk}"
            self.fields[result] = forms.CharField(
                label=f"What the data showed (prediction {index})",
                widget=_area(2),
                required=False,
                initial=prediction.result,
            )
            self.fields[outcome] = forms.ChoiceField(
                label=f"Was prediction {index} right?",
                choices=[("", "Not decided yet"), *PredictionOutcome.choices],
                required=False,
                initial=prediction.outcome,
            )
            self.prediction_rows.append((prediction, result, outcome))

    def results(self) -> dict:
        data = self.cleaned_data
        return {
            prediction.pk: (data.get(result, ""), data.get(outcome, ""))
            for prediction, result, outcome in self.prediction_rows
        }

    def bound_rows(self):
        return [(p, self[result], self[outcome]) for p, result, outcome in self.prediction_rows]


class ActForm(ScreenedForm, forms.Form):
    """The decision, and whether to plan the next cycle now (its title and dates)."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=[("", "Choose adopt, adapt or abandon"), *ActDecision.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    act_notes = forms.CharField(label="Why, and what changes next", widget=_area(3), required=False)
    plan_next = forms.BooleanField(label="Plan the next cycle of this ramp now", required=False)
    next_title = forms.CharField(
        label="Next cycle: title", max_length=_max("title"), required=False
    )
    next_objective = forms.CharField(label="Next cycle: objective", widget=_area(2), required=False)
    next_starts_on = forms.DateField(
        label="Next cycle: start date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        error_messages={"invalid": "Enter the start date as a date, e.g. 2026-12-31."},
    )
    next_ends_on = forms.DateField(
        label="Next cycle: end date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        error_messages={"invalid": "Enter the end date as a date, e.g. 2026-12-31."},
    )

    def clean(self):
        data = super().clean()
        if data.get("plan_next"):
            for name, what in (
                ("next_title", "the next cycle's title"),
                ("next_objective", "the next cycle's objective"),
                ("next_starts_on", "the next cycle's start date"),
                ("next_ends_on", "the next cycle's end date"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"Give {what}, or untick “plan the next cycle”.")
        return data

    def next_cycle(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("plan_next"):
            return None
        return {
            "title": data["next_title"],
            "objective": data["next_objective"],
            "starts_on": data["next_starts_on"],
            "ends_on": data["next_ends_on"],
        }


class RemoveForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Why remove it", max_length=300, required=False, help_text="Kept in the history."
    )
