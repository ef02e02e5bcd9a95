"""Forms of the evidence library: an item, its retirement, the library's search, and citing an
item from a record. Free text is screened for patient identifiers (ScreenedForm first)."""

from django import forms
from django.utils import timezone

from qms.learning.models import Certainty, Evidence, EvidenceKind, EvidenceLink
from qms.learning.services.evidence import EARLIEST_PUBLISHED
from qms.web.screening import ScreenedForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Ids typed into a form fit a database integer; anything larger is no record's.
_ID_MAX = 2**31 - 1


class EvidenceForm(ScreenedForm, forms.Form):
    """An item of the library: what it is, its source, what it says and its GRADE certainty."""

    unit = forms.TypedChoiceField(
        label="Library of",
        coerce=int,
        help_text="The unit whose library holds it: staff anywhere in its organisation read it.",
    )
    title = forms.CharField(label="Title", max_length=Evidence._meta.get_field("title").max_length)
    kind = forms.ChoiceField(label="Kind", choices=EvidenceKind.choices)
    source = forms.CharField(
        label="Source",
        max_length=Evidence._meta.get_field("source").max_length,
        help_text="The citation: authors, title, journal or publisher, year.",
    )
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=Evidence._meta.get_field("url").max_length,
        assume_scheme="https",
        help_text="Where to read it, e.g. https://www.nice.org.uk/guidance/cg161 (optional).",
    )
    published_on = forms.DateField(
        label="Published on",
        required=False,
        widget=_DATE,
        help_text="Optional.",
        error_messages={"invalid": "Published on: enter a date, e.g. 2019-07-02."},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What it found or recommends, in a few sentences.",
    )
    certainty = forms.ChoiceField(
        label="Certainty (GRADE)",
        choices=Certainty.choices,
        widget=forms.RadioSelect,
        help_text="How confident we are that it is right (see the levels below).",
    )
    certainty_reason = forms.CharField(
        label="Why this certainty",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Risk of bias, inconsistency, indirectness, imprecision, publication bias; "
        "or, for lower levels, what raised it (a large effect, a dose response).",
    )

    def __init__(self, *args, units=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
            self.fields["reason"] = forms.CharField(
                label="Why it changes",
                required=False,
                max_length=100,
                help_text="Optional; kept in the item's history.",
            )
        else:
            top = min((u.depth for u in units), default=0)
            self.fields["unit"].choices = [
                (u.pk, "\u2013 " * (u.depth - top) + u.name) for u in units
            ]

    def clean_published_on(self):
        value = self.cleaned_data.get("published_on")
        if value is not None and not (EARLIEST_PUBLISHED <= value <= timezone.localdate()):
            raise forms.ValidationError("Published on must be a date between 1800 and today.")
        return value


def evidence_initial(evidence: Evidence) -> dict:
    return {
        name: getattr(evidence, name)
        for name in (
            "title",
            "kind",
            "source",
            "url",
            "published_on",
            "summary",
            "certainty",
            "certainty_reason",
        )
    }


class RetireForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Why it is retired",
        max_length=90,
        help_text="Kept in the item's history, e.g. “Replaced by NICE NG249 (2024)”.",
    )


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *EvidenceKind.choices]
    )
    certainty = forms.ChoiceField(
        label="Certainty", required=False, choices=[("", "Any certainty"), *Certainty.choices]
    )
    retired = forms.BooleanField(label="Include retired items", required=False)


class CiteForm(ScreenedForm, forms.Form):
    """An item of the library to cite, and how it supports the work."""

    # A number, not a choice among those listed: an item found by a search is cited too; the
    # view checks that the person reads it.
    evidence = forms.IntegerField(
        label="Evidence",
        min_value=1,
        max_value=_ID_MAX,
        widget=forms.Select,
        error_messages={
            "required": "Choose an item of the library.",
            "invalid": "Choose an item of the library from the list.",
            "min_value": "Choose an item of the library from the list.",
            "max_value": "Choose an item of the library from the list.",
        },
    )
    note = forms.CharField(
        label="How it supports the work",
        required=False,
        max_length=EvidenceLink._meta.get_field("note").max_length,
        help_text="Optional, e.g. “Multifactorial assessment reduced falls by about 20%”.",
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].widget.choices = [("", "Choose an item")] + [
            (item.pk, f"{item.title} ({item.get_certainty_display()} certainty)")
            for item in choices
        ]


class CiteSearchForm(forms.Form):
    q = forms.CharField(label="Search the library", required=False, max_length=200)
