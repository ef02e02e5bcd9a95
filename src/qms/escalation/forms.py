"""Forms of escalation. Reasons and responses are accounts of what went wrong and what to do:
screened for identifiers and, gently, for blame (qms.web.screening)."""

from django import forms

from qms.web.screening import ScreenedForm


class EscalateForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Why the team cannot fix this itself",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    blame_screened = ("reason",)


class EscalationResponseForm(ScreenedForm, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("accept", "Accept: we take this on"),
            ("return", "Return to the team, with advice"),
            ("resolve", "Resolved: close it"),
            ("escalate", "Escalate further, to the unit above"),
        ],
    )
    response = forms.CharField(
        label="Response", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    blame_screened = ("response",)
