"""Forms of the issue pages. Free text is screened for patient identifiers (ScreenedForm first),
and every account of what went wrong or was found (the description, the closing note, the reason
for reopening) for language that blames a person (`blame_screened`: a gentle prompt to rephrase
around the system, from the one screening module, qms.web.screening)."""

from django import forms

from qms.issues.models import Action, Issue, IssueSource, IssueStatus
from qms.issues.services import EDITABLE_STATUSES
from qms.people.models import Person
from qms.text import SYSTEM_QUESTION
from qms.web.screening import ScreenedForm


class _OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} ({person.job_title})" if person.job_title else str(person)


def _owner_field(label: str, owners: list[Person], *, required: bool) -> forms.ModelChoiceField:
    return _OwnerChoice(
        label=label,
        queryset=Person.objects.filter(pk__in=[person.pk for person in owners]).order_by(
            "display_name", "pk"
        ),
        required=required,
        empty_label="Choose a person" if required else "No one yet",
    )


class IssueForm(ScreenedForm, forms.Form):
    """Raise an issue, or change one (with its status)."""

    title = forms.CharField(label="Title", max_length=Issue._meta.get_field("title").max_length)
    # No kind chosen until the person chooses one (or the record it is raised from says): a
    # preselected first kind was kept by people who did not look, and an incident then read as
    # a control chart signal.
    source = forms.ChoiceField(
        label="Where it came from",
        choices=[("", "Choose where it came from"), *IssueSource.choices],
    )
    description = forms.CharField(
        label="What is known so far",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=f"What happened, where and when, and what is known of why. {SYSTEM_QUESTION} "
        "Describe the conditions, not the people.",
    )
    blame_screened = ("title", "description")

    def __init__(self, *args, owners: list[Person], with_status: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field("Owner", owners, required=True)
        if with_status:
            self.fields["status"] = forms.ChoiceField(
                label="Status",
                choices=[(s.value, s.label) for s in IssueStatus if s in EDITABLE_STATUSES],
            )


class NoteForm(ScreenedForm, forms.Form):
    note = forms.CharField(
        label="What was done or found", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    blame_screened = ("note",)


class ReopenForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Why it is reopened", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    blame_screened = ("reason",)


class ActionForm(ScreenedForm, forms.Form):
    what = forms.CharField(
        label="What will be done", max_length=Action._meta.get_field("what").max_length
    )
    due_on = forms.DateField(
        label="Due by",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the due date as a date, e.g. 2026-12-31."},
    )

    def __init__(self, *args, owners: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field("Who will do it", owners, required=True)
        self.order_fields(["what", "owner", "due_on"])


class IssueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *IssueStatus.choices], required=False
    )
    source = forms.ChoiceField(
        label="Where it came from",
        choices=[("", "Any source"), *IssueSource.choices],
        required=False,
    )
    owner = forms.TypedChoiceField(label="Owner", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, owners: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone")] + [(p.pk, str(p)) for p in owners]
