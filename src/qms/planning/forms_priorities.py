"""Forms of priorities' pages: proposing and changing a priority, scoring it, deciding it, the
unit's weights. Free text is screened for patient identifiers (ScreenedForm first)."""

from django import forms

from qms.people.forms import PersonField
from qms.planning import methods, scoring
from qms.planning.models import Priority, PriorityOrigin, PriorityStatus
from qms.text.aims import aim_problems
from qms.web.screening import ScreenedForm

AIM_CHECKED_LABEL = "Keep the aim as it is: we will add what is missing later"


class _OptionalPersonField(PersonField):
    """A person by username or e-mail, or no one when left empty."""

    def clean(self, value):
        if not (value or "").strip():
            return None
        return super().clean(value)


class PriorityForm(ScreenedForm, forms.Form):
    """A priority's title, problem, origin, owner and whether it needs a design."""

    title = forms.CharField(label="Title", max_length=Priority._meta.get_field("title").max_length)
    problem = forms.CharField(
        label="The problem",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="What is wrong, for whom, and how you know.",
    )
    origin = forms.ChoiceField(label="Where it comes from", choices=PriorityOrigin.choices)
    owner = _OptionalPersonField(
        label="Owner",
        required=False,
        help_text="Username or e-mail address of the person who owns it (optional); they must "
        "have a role in the unit.",
    )
    needs_design = forms.BooleanField(
        label="It needs a new system, model of care or process designed", required=False
    )

    def __init__(
        self,
        *args,
        fixed_origin: bool = False,
        editing: bool = False,
        aims=None,
        factors=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if factors is not None:  # the contributory factor domains it addresses
            self.fields["factors"] = forms.ModelMultipleChoiceField(
                label="Contributory factors it addresses",
                queryset=factors,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text="Each becomes a primary driver of the project's driver diagram.",
                error_messages={"invalid_choice": "Choose factors from the list."},
            )
        if fixed_origin:  # proposed from a record: its origin is that record's
            del self.fields["origin"]
        if aims is not None:  # the aims of the unit and above that the person reads
            self.fields["aim"] = forms.ModelChoiceField(
                label="The aim it serves",
                queryset=aims,
                required=False,
                empty_label="No aim named",
                error_messages={"invalid_choice": "Choose one of the aims listed."},
            )
            self.fields["aim"].label_from_instance = lambda aim: (
                f"{aim.unit.name}: {aim.statement[:100]}"
            )
        if editing:
            self.fields["reason"] = forms.CharField(
                label="Why it changes",
                required=False,
                max_length=100,
                help_text="Optional; kept in the priority's history.",
            )


_SCORE_CHOICES = [("", "Not scored"), *[(str(n), str(n)) for n in range(1, 6)]]
_SCORE_HELP = {
    "people_affected": "1 very few people … 5 very many.",
    "severity": "1 minor harm or poor experience … 5 severe.",
    "equity": "1 does not narrow inequalities … 5 narrows them greatly.",
    "strategic_fit": "1 fits the organisation's aims poorly … 5 fully.",
    "effort": "Higher is better: 1 very large effort … 5 very little effort.",
    "cost": "Higher is better: 1 very costly … 5 costs very little.",
    "readiness": "1 not ready … 5 ready to start now.",
}


class ScoreForm(forms.Form):
    """The seven criteria, each 1 to 5 or not scored; higher is always better."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in scoring.CRITERIA:
            self.fields[name] = forms.TypedChoiceField(
                label=scoring.LABELS[name],
                choices=_SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_SCORE_HELP[name],
                error_messages={
                    "invalid_choice": f"{scoring.LABELS[name].split(' (')[0]}: choose a score "
                    "from 1 to 5, or not scored."
                },
            )

    def impact_fields(self):
        return [self[name] for name in scoring.IMPACT]

    def feasibility_fields(self):
        return [self[name] for name in scoring.FEASIBILITY]


class DecisionForm(ScreenedForm, forms.Form):
    """Approve, park or reject a priority, or reopen it, with the reason."""

    status = forms.ChoiceField(label="Decision")
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why: kept in the priority's history and sent to its owner and proposer.",
    )

    def __init__(self, *args, current: str = PriorityStatus.CANDIDATE, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (PriorityStatus.APPROVED, "Approve"),
            (PriorityStatus.PARKED, "Park"),
            (PriorityStatus.REJECTED, "Reject"),
        ]
        choices = [c for c in choices if c[0] != current]
        if current != PriorityStatus.CANDIDATE:
            choices.append((PriorityStatus.CANDIDATE, "Reopen as a candidate"))
        self.fields["status"].choices = choices


class WeightsForm(forms.Form):
    """A unit's seven weights, 0 to WEIGHT_MAX each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in scoring.CRITERIA:
            label = scoring.LABELS[name].split(" (")[0]
            self.fields[name] = forms.FloatField(
                label=label,
                min_value=0,
                max_value=scoring.WEIGHT_MAX,
                error_messages={
                    "invalid": f"{label}: give a number from 0 to {scoring.WEIGHT_MAX:g}.",
                    "required": f"{label}: give a weight (0 leaves it out).",
                    "min_value": f"{label}: a weight is not negative.",
                    "max_value": f"{label}: a weight is at most {scoring.WEIGHT_MAX:g}.",
                },
                widget=forms.NumberInput(attrs={"step": "any", "min": 0}),
            )
        self.fields["reason"] = forms.CharField(
            label="Why they change", required=False, max_length=100
        )

    def impact_fields(self):
        return [self[name] for name in scoring.IMPACT]

    def feasibility_fields(self):
        return [self[name] for name in scoring.FEASIBILITY]


class PriorityFilterForm(forms.Form):
    """The ranked list's filters and sort; wrong values are ignored, not errors."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *PriorityStatus.choices]
    )
    origin = forms.ChoiceField(
        label="Comes from", required=False, choices=[("", "Anywhere"), *PriorityOrigin.choices]
    )
    unit = forms.TypedChoiceField(label="Unit", required=False, coerce=int, empty_value=None)
    sort = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            ("", "This unit and all below"),
            *[(u.pk, f"{getattr(u, 'indent', '')}{u.name}") for u in units],
        ]


class MethodForm(ScreenedForm, forms.Form):
    """The method chooser's five questions; then the method chosen and, when it is not the
    recommended one, why."""

    chosen = forms.ChoiceField(
        label="The method you choose",
        required=False,
        choices=[("", "The recommended method"), *methods.METHODS.items()],
    )
    reason = forms.CharField(
        label="Why this method",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you choose a method other than the one recommended.",
    )

    def __init__(self, *args, can_set_project: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        questions = {
            key: forms.ChoiceField(
                label=text,
                choices=list(methods.ANSWERS.items()),
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Answer “{text}”",
                    "invalid_choice": f"Answer “{text}”",
                },
            )
            for key, text in methods.QUESTIONS.items()
        }
        self.fields = {**questions, **self.fields}
        if can_set_project:
            self.fields["set_project_method"] = forms.BooleanField(
                label="Make it the project's method", required=False, initial=True
            )

    def question_fields(self):
        return [self[key] for key in methods.QUESTIONS]

    def answers(self) -> dict:
        return {key: self.cleaned_data[key] for key in methods.QUESTIONS}


class ProjectFromPriorityForm(ScreenedForm, forms.Form):
    """The charter of the project an approved priority becomes, pre-filled from it. An aim
    without a measurable target or a date is a prompt (qms.text.aims), as on improvement's own
    charter form."""

    title = forms.CharField(label="Title", max_length=200)
    problem = forms.CharField(
        label="The problem", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    aim = forms.CharField(
        label="Aim",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="How much, by when, for whom: e.g. “Reduce falls with harm on Ward 3 by 30% "
        "by 31 March 2027”.",
    )
    aim_checked = forms.BooleanField(label=AIM_CHECKED_LABEL, required=False)
    method = forms.ChoiceField(label="Method", choices=list(methods.METHODS.items()))
    lead = _OptionalPersonField(
        label="Project lead",
        required=False,
        help_text="Username or e-mail address; you lead it if you leave this empty.",
    )

    aim_prompted = False

    def clean(self):
        data = super().clean()
        aim = data.get("aim")
        if aim and not data.get("aim_checked"):
            problems = aim_problems(aim)
            if problems:
                self.aim_prompted = True
                self.add_error(
                    "aim", [*problems, f"Change the aim, or tick “{AIM_CHECKED_LABEL}” below."]
                )
        data.pop("aim_checked", None)
        return data

    @property
    def show_aim_checked(self) -> bool:
        return self.aim_prompted or bool(self.is_bound and self.data.get("aim_checked"))


class MeasureChoiceForm(forms.Form):
    measure = forms.IntegerField(
        label="Measure",
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"invalid": "Choose a measure."},
    )
