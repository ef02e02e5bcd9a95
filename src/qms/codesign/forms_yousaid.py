"""Forms of “you said, we did”: an entry's words (screened for patient identifiers), the
feedback theme it answers, what followed, its status and date."""

from django import forms
from django.utils import timezone

from qms.codesign.models import WeDidStatus
from qms.codesign.services.yousaid import TEXT_MAX_LENGTH
from qms.web.screening import ScreenedForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(ScreenedForm, forms.Form):
    you_said = forms.CharField(
        label="You said",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What patients, families or partners told us, in their words or a short "
        "summary. No names.",
    )
    theme = forms.ChoiceField(label="Feedback theme it answers", required=False)
    involvement = forms.ChoiceField(label="Partners' contribution it answers", required=False)
    we_did = forms.CharField(
        label="We did",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed, or will change, in plain words: partners read this.",
    )
    followed = forms.ChoiceField(label="What followed, in QMS", required=False)
    status = forms.ChoiceField(label="Status", choices=WeDidStatus.choices)
    status_on = forms.DateField(
        label="Date",
        widget=_DATE,
        help_text="When it is planned for, when it started, or when it was done.",
    )

    def __init__(self, *args, themes, follow_groups, contributions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "None")] + [
            (label, f"{label} ({count} comment{'s' if count != 1 else ''} this year)")
            if count is not None
            else (label, label)
            for label, count in themes
        ]
        self.fields["involvement"].choices = [("", "None")] + [
            (str(pk), words) for pk, words in contributions
        ]
        self.fields["followed"].choices = [("", "Nothing linked")] + follow_groups
        self.fields["status_on"].initial = timezone.localdate()
