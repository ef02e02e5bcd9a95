from django import forms

from qms.people import access, selectors
from qms.people.models import AlertEmail, Person, Unit
from qms.people.roles import Role
from qms.web.screening import ScreenedForm


class MembershipAddForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="Person", empty_label="Choose a person"
    )
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, manager: Person, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.people_a_manager_can_add(manager)
        self.fields["person"].label_from_instance = _person_choice_label
        self.fields["role"].choices = [
            (value, label)
            for value, label in Role.choices
            if access.can_grant(manager, unit, value)
        ]


def _person_choice_label(person: Person) -> str:
    return f"{person.display_name} ({person.job_title})" if person.job_title else str(person)


class MembershipRemoveForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        required=False,
        help_text="Optional; kept in the unit's history.",
        error_messages={
            "max_length": "The reason is too long: %(limit_value)d characters at most."
        },
    )


class AlertPreferenceForm(forms.ModelForm):
    alert_email = forms.ChoiceField(
        label="E-mail me about signals", choices=AlertEmail.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = Person
        fields = ["alert_email"]
