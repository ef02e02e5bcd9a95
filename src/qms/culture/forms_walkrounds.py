"""Forms of walkrounds: planning one, recording it done or cancelling it, what staff raised (with
an action when it needs one) and the feedback to the team. Free text is screened for patient
identifiers; what staff raised and the feedback are accounts of the system, screened for blame
too (`blame_screened`, the one screening module). The services check everything again."""

from django import forms

from qms.culture.models.walkrounds import FEEDBACK_MAX, FOCUS_MAX, WHAT_MAX
from qms.issues.models import Action
from qms.people.models import Person
from qms.text import SYSTEM_DOMAINS, SYSTEM_QUESTION
from qms.web.screening import ScreenedForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_ERRORS = {"invalid": "Enter a date, e.g. 2026-12-31."}


def _choices(people: list[Person]) -> list[tuple[int, str]]:
    """People as choices by id: the ids sent are checked against the list given, never looked
    up in the database (an id too large for it is refused, not an error)."""
    return [(p.pk, f"{p} ({p.job_title})" if p.job_title else str(p)) for p in people]


class PlanForm(ScreenedForm, forms.Form):
    planned_on = forms.DateField(label="Date", widget=_DATE, error_messages=_DATE_ERRORS)
    focus = forms.CharField(
        label="Focus",
        max_length=FOCUS_MAX,
        required=False,
        help_text="What the visit will ask staff about, if anything: “night-time medicines "
        "rounds”, “what got in the way of safe care this week”.",
    )

    def __init__(self, *args, leaders: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in leaders}
        self.fields["leaders"] = forms.TypedMultipleChoiceField(
            label="Leaders going",
            choices=_choices(leaders),
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Choose at least one leader going."},
        )
        self.order_fields(["planned_on", "leaders", "focus"])

    def clean_leaders(self):
        return [self.people[pk] for pk in self.cleaned_data["leaders"]]


class DoneForm(forms.Form):
    done_on = forms.DateField(label="Done on", widget=_DATE, error_messages=_DATE_ERRORS)


class CancelForm(ScreenedForm, forms.Form):
    reason = forms.CharField(label="Why it is cancelled", max_length=FOCUS_MAX, required=False)


class ItemForm(ScreenedForm, forms.Form):
    """What staff raised, the part of the system it is about, and an action when it needs one."""

    blame_screened = ("what",)

    what = forms.CharField(
        label="What staff raised",
        max_length=WHAT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"In their words, about the work, not a person. {SYSTEM_QUESTION}",
    )
    theme = forms.ChoiceField(
        label="Part of the system",
        # Each part with its question, so choosing the part is itself a prompt about the system.
        choices=[(d.code, f"{d.name}: {d.question}") for d in SYSTEM_DOMAINS],
        widget=forms.RadioSelect,
    )
    action = forms.CharField(
        label="Action (if it needs one)",
        max_length=Action._meta.get_field("what").max_length,
        required=False,
        help_text="An issue is raised for it, with this action: follow it up there.",
    )
    due_on = forms.DateField(
        label="Action due by",
        widget=_DATE,
        required=False,
        error_messages=_DATE_ERRORS,
    )

    def __init__(self, *args, owners: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in owners}
        self.fields["owner"] = forms.TypedChoiceField(
            label="Action owner",
            choices=[("", "No action"), *_choices(owners)],
            coerce=int,
            required=False,
            empty_value=None,
        )
        self.order_fields(["what", "theme", "action", "owner", "due_on"])

    def clean_owner(self):
        pk = self.cleaned_data["owner"]
        return None if pk is None else self.people[pk]


class FeedbackForm(ScreenedForm, forms.Form):
    blame_screened = ("feedback",)

    feedback = forms.CharField(
        label="Feedback to the team",
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done about what staff raised, what was not and why: told to the "
        "team at a huddle or a meeting, and shown here to the unit's staff.",
    )
    feedback_on = forms.DateField(label="Given on", widget=_DATE, error_messages=_DATE_ERRORS)
