"""Forms of the driver diagram and of prototypes. The diagram page writes its small forms by
hand (each node's fields need ids of their own); these parse what they send."""

from __future__ import annotations

from django import forms

from qms.improvement.models import DriverNode, NodeKind, Prototype
from qms.web.screening import ScreenedForm

NODE_TEXT_MAX = DriverNode._meta.get_field("text").max_length


def _position_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Place",
        required=False,
        min_value=1,
        max_value=10_000,
        error_messages={"invalid": "Choose a place from the list."},
    )


class NodeAddForm(ScreenedForm, forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=NodeKind.choices)
    text = forms.CharField(label="Text", max_length=NODE_TEXT_MAX)
    position = _position_field()


class NodeRenameForm(ScreenedForm, forms.Form):
    text = forms.CharField(label="Text", max_length=NODE_TEXT_MAX)


class NodeMoveForm(forms.Form):
    parent = forms.IntegerField(
        label="Move under", min_value=1, error_messages={"required": "Choose where it goes."}
    )
    position = _position_field()


class NodeMeasuresForm(forms.Form):
    measures = forms.TypedMultipleChoiceField(
        label="Measures", required=False, coerce=int, choices=()
    )

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = [(m.pk, m.name) for m in measures]


class NodeRemoveForm(forms.Form):
    # Asked only when PDSA cycles would go with the node.
    confirm_cycles = forms.BooleanField(label="Remove its PDSA cycles too", required=False)


class PrototypeForm(ScreenedForm, forms.ModelForm):
    class Meta:
        model = Prototype
        fields = ["title", "description"]
        labels = {"title": "Title", "description": "What it is and what to try"}
        help_texts = {
            "description": "Add pictures and files to its discussion once it is saved; staff "
            "and partners give their feedback there."
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class PrototypeDropForm(ScreenedForm, forms.Form):
    reason = forms.CharField(label="Why drop it? (optional)", max_length=300, required=False)


class ChangeIdeaForm(ScreenedForm, forms.Form):
    """A prototype becoming a change idea with its first PDSA cycle."""

    parent = forms.TypedChoiceField(label="The driver it serves", coerce=int, choices=())
    text = forms.CharField(label="Change idea", max_length=NODE_TEXT_MAX)
    title = forms.CharField(label="Title of the cycle", max_length=200)
    objective = forms.CharField(
        label="Objective of the cycle", widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(
        label="Starts on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label="Ends on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    question = forms.CharField(
        label="Question the cycle answers (optional)", max_length=300, required=False
    )
    prediction = forms.CharField(
        label="What do you predict will happen? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, drivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [
            (node.pk, f"{node.get_kind_display()}: {node.text}") for node in drivers
        ]

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The cycle must end on or after the day it starts.")
        return data

    def cycle_fields(self) -> dict:
        data = self.cleaned_data
        predictions = []
        if data.get("prediction"):
            predictions.append((data.get("question") or "", data["prediction"]))
        return {
            "title": data["title"],
            "objective": data["objective"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "predictions": predictions,
        }
