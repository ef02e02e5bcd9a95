"""Forms of designs and their process steps. Free text is screened for patient identifiers
(ScreenedForm first); the services check everything again."""

from django import forms

from qms.planning.models import Design, DesignKind, DesignStep, StepKind
from qms.planning.services.design import MINUTES_MAX
from qms.web.screening import ScreenedForm


def _text(label: str, *, rows: int = 4, help_text: str = "", max_length: int = 10_000):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=False,
        max_length=max_length,
        help_text=help_text,
    )


class DesignForm(ScreenedForm, forms.Form):
    title = forms.CharField(label="Title", max_length=Design._meta.get_field("title").max_length)
    kind = forms.ChoiceField(label="What is being designed", choices=DesignKind.choices)
    purpose = _text("Purpose", help_text="What the design is for, and for whom.")
    evidence = _text(
        "Evidence",
        rows=5,
        help_text="The evidence it draws on, each with its source (who published it, where, when).",
    )
    technology = _text("Technology", rows=3, help_text="The technology it uses, if any.")


class StepForm(ScreenedForm, forms.Form):
    name = forms.CharField(label="Step", max_length=DesignStep._meta.get_field("name").max_length)
    kind = forms.ChoiceField(label="Kind", choices=StepKind.choices, initial=StepKind.STEP)
    actor = forms.CharField(
        label="Who does it",
        required=False,
        max_length=DesignStep._meta.get_field("actor").max_length,
    )
    minutes = forms.IntegerField(
        label="Typical minutes",
        required=False,
        min_value=0,
        max_value=MINUTES_MAX,
        help_text="How long it usually takes; for a wait, how long people usually wait.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=DesignStep._meta.get_field("notes").max_length,
    )


class PackageFromDesignForm(ScreenedForm, forms.Form):
    title = forms.CharField(label="Title of the change package", max_length=200)
    summary = _text(
        "Summary",
        rows=5,
        help_text="Filled from the design's purpose and technology; change it if you like.",
    )
