from django import forms

from qms.notifications.models import EmailChoice


class EmailPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="E-mail me about signals", choices=EmailChoice.choices, widget=forms.RadioSelect
    )


class MarkReadForm(forms.Form):
    """Mark one notification read (`notification`), or all of them (none given)."""

    notification = forms.IntegerField(required=False, min_value=1)
