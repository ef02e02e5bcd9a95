"""Forms of partners: inviting a partner into a unit or onto one piece of its work. The name is
checked by the service (a name only: no numbers, nothing invisible), not prompted as free text:
“Mrs Fraser” is how a partner may like to be called."""

from django import forms

from qms.codesign.models import ContactPreference
from qms.codesign.services.partners import NAME_MAX_LENGTH


class InviteForm(forms.Form):
    display_name = forms.CharField(
        label="Their name",
        max_length=NAME_MAX_LENGTH,
        help_text="As they would like to be called. Their name only: never a date of birth or "
        "a hospital, NHS or CHI number.",
    )
    email = forms.EmailField(
        label="Their e-mail address",
        max_length=NAME_MAX_LENGTH,
        help_text="A new partner gets an e-mail with a link to choose a password. A partner who "
        "already has an account keeps it: this work is added to it.",
    )
    contact_by = forms.ChoiceField(
        label="How they would like to be contacted",
        choices=ContactPreference.choices,
        initial=ContactPreference.EMAIL,
    )
    to = forms.ChoiceField(label="Invite them to", required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            (heading, [(choice.value, choice.label) for choice in choices])
            for heading, choices in groups
        ]
