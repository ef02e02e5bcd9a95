from django import forms

from qms.notifications.models import EmailChoice


class EmailPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="E-mail me about signals", choices=EmailChoice.choices, widget=forms.RadioSelect
    )


class MarkReadForm(forms.Form):
    """Mark one notification read (`notification`), or all of them (none given)."""

    # Within the ids' range (a 64-bit integer): a larger number is no notification, not a
    # query the database cannot run.
    notification = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
