"""Forms of feedback: the import, the list's filters, a correction, tracking as a measure."""

from __future__ import annotations

import datetime as dt

from django import forms

from qms.learning.models import FeedbackSource
from qms.text.feedback import THEMES
from qms.web.screening import ScreenedForm

UPLOAD_ACCEPT = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
SENTIMENT_CHOICES = [
    (1, "1 very positive"),
    (2, "2 positive"),
    (3, "3 neutral or mixed"),
    (4, "4 negative"),
    (5, "5 very negative"),
]
THEME_CHOICES = [(theme, theme) for theme in THEMES]


class ImportForm(ScreenedForm, forms.Form):
    file = forms.FileField(
        label="File of comments (CSV or Excel)",
        help_text="Columns: date, text and, if you have them, service, rating, source, "
        "question, reference and unit.",
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        error_messages={"required": "Choose the file.", "empty": "The file is empty."},
    )
    skip_repeats = forms.BooleanField(
        label="Skip comments whose reference was imported before (otherwise they are refused)",
        required=False,
    )


class FilterForm(forms.Form):
    """The list's filters (GET): anything that does not parse is ignored, never an error."""

    month = forms.CharField(
        label="Month", required=False, max_length=7, help_text="As 2025-03.",
        widget=forms.TextInput(attrs={"placeholder": "2025-03", "inputmode": "numeric"}),
    )  # fmt: skip
    theme = forms.ChoiceField(label="Theme", required=False, choices=[("", "Any theme")])
    sentiment = forms.ChoiceField(
        label="Sentiment",
        required=False,
        choices=[("", "Any"), ("negative", "Negative (4 or 5)")]
        + [(str(v), label) for v, label in SENTIMENT_CHOICES],
    )
    service = forms.ChoiceField(label="Service", required=False, choices=[("", "Any service")])
    source = forms.ChoiceField(
        label="From", required=False, choices=[("", "Anyone"), *FeedbackSource.choices]
    )
    text = forms.CharField(label="Words in the comment", required=False, max_length=100)

    def __init__(self, *args, services: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Any theme"), *THEME_CHOICES]
        self.fields["service"].choices = [("", "Any service")] + [(s, s) for s in services]

    def clean_month(self):
        raw = self.cleaned_data["month"].strip()
        if not raw:
            return None
        try:
            month = dt.datetime.strptime(raw, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("Write the month as 2025-03.") from None
        if month.year < 1991:
            raise forms.ValidationError("Choose a month after 1990.")
        return month


class CorrectionForm(ScreenedForm, forms.Form):
    themes = forms.MultipleChoiceField(
        label="Themes",
        required=False,
        choices=THEME_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    sentiment = forms.TypedChoiceField(
        label="Sentiment",
        coerce=int,
        choices=SENTIMENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a sentiment."},
    )


class TrackForm(forms.Form):
    theme = forms.ChoiceField(
        label="Track as a measure",
        required=False,
        choices=[("", "Negative comments (sentiment 4 or 5)"), *THEME_CHOICES],
    )
