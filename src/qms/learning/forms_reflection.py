"""Forms of reflective practice: a reflection (Gibbs' six stages with short guidance, the NMC
Code's themes, who it is shared with), its sharing alone, and a team learning review. Every
text is screened for patient identifiers (ScreenedForm first), which is what lets the NMC
export say it holds none."""

from __future__ import annotations

from django import forms

from qms.learning.models import Network, ReflectionSharing
from qms.learning.selectors import reflection as selectors
from qms.learning.services.reflection import CODE_THEMES, TITLE_MAX
from qms.people.models import Unit
from qms.web.screening import ScreenedForm

TEXT_MAX = 10_000

# Gibbs G. Learning by doing: a guide to teaching and learning methods. Oxford Further
# Education Unit, 1988. The guidance is short on purpose: a prompt, not a lecture.
GIBBS = {
    "description": (
        "1. Description",
        "What happened? Where and when, who was involved (by role, never a patient's name), "
        "what you and others did.",
    ),
    "feelings": (
        "2. Feelings",
        "What were you thinking and feeling at the time, and afterwards?",
    ),
    "evaluation": (
        "3. Evaluation",
        "What was good and what was bad about the experience, for the people in your care, "
        "for the team, for you?",
    ),
    "analysis": (
        "4. Analysis",
        "What sense can you make of it? What helped or hindered; what does the evidence, "
        "guidance or the data say?",
    ),
    "conclusion": (
        "5. Conclusion",
        "What else could you have done? What have you learned?",
    ),
    "action_plan": (
        "6. Action plan",
        "If it arose again, what would you do? What will you change in your practice?",
    ),
}


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a date, e.g. 2026-03-31.",
            "required": f"Give the {label.lower()}.",
        },
    )


def _text(label: str, help_text: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": f"{label}: this is needed."},
    )


class _SharingFields(forms.Form):
    """Who may read a reflection: nobody else unless chosen; a unit where the author works or
    a network they belong to."""

    sharing = forms.ChoiceField(
        label="Who may read it",
        choices=ReflectionSharing.choices,
        initial=ReflectionSharing.PRIVATE,
        widget=forms.RadioSelect,
        help_text="Only you, unless you choose to share it. You can make it private again at "
        "any time.",
    )
    shared_unit = forms.ModelChoiceField(
        label="Unit to share with",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Choose a unit",
        help_text="Its staff read it, with your name. Partners do not.",
    )
    shared_network = forms.ModelChoiceField(
        label="Network to share with",
        queryset=Network.objects.none(),
        required=False,
        empty_label="Choose a network",
        help_text="Its members read it, with your name; partners among them too.",
    )

    def __init__(self, *args, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_unit"].queryset = selectors.sharing_units(author)
        self.fields["shared_network"].queryset = selectors.member_networks(author)
        if not self.fields["shared_network"].queryset.exists():
            self.fields["shared_network"].help_text = "You belong to no learning network yet."

    def clean(self):
        data = super().clean()
        sharing = data.get("sharing")
        if sharing == ReflectionSharing.UNIT and not data.get("shared_unit"):
            self.add_error("shared_unit", "Choose the unit whose staff may read it.")
        if sharing == ReflectionSharing.NETWORK and not data.get("shared_network"):
            self.add_error("shared_network", "Choose the network that may read it.")
        return data


class ShareForm(ScreenedForm, _SharingFields):
    """Sharing alone, from the reflection's page."""


class ReflectionForm(ScreenedForm, _SharingFields):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        help_text="A few words you will recognise later, e.g. “Handover after a fall”.",
    )
    happened_on = _date("Day it happened")
    description = _text(*GIBBS["description"], required=True)
    feelings = _text(*GIBBS["feelings"])
    evaluation = _text(*GIBBS["evaluation"])
    analysis = _text(*GIBBS["analysis"])
    conclusion = _text(*GIBBS["conclusion"])
    action_plan = _text(*GIBBS["action_plan"])
    code_themes = forms.MultipleChoiceField(
        label="Themes of the NMC Code it relates to",
        choices=list(CODE_THEMES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For the revalidation reflective account.",
    )

    field_order = [
        "title",
        "happened_on",
        *GIBBS,
        "code_themes",
        "sharing",
        "shared_unit",
        "shared_network",
    ]


class ReviewForm(ScreenedForm, forms.Form):
    """A team learning review: the four questions of an after-action review."""

    blame_screened = ("happened", "why_different")

    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    held_on = _date("Day it was held")
    participants = _text(
        "Who took part", "Roles and teams, e.g. “Ward 7 nurses, the pharmacist, a patient partner”."
    )
    expected = _text(
        "What did we expect to happen?", "The plan, the aim, the prediction.", required=True
    )
    happened = _text("What actually happened?", "The facts, in order.", required=True)
    why_different = _text(
        "Why was there a difference?",
        "The reasons, in the system rather than in people.",
        required=True,
    )
    will_do = _text(
        "What will we sustain or do differently?",
        "What to keep, what to change, who will see to it.",
        required=True,
    )
    shared_network = forms.ModelChoiceField(
        label="Share with a learning network",
        queryset=Network.objects.none(),
        required=False,
        empty_label="Not shared: the unit's staff only",
        help_text="Its members read the review (not its discussion).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_network"].queryset = selectors.member_networks(user)
