"""The gaps page's filters: a sub-unit, a quality domain, an aim, gaps only or every target.
No free text, so no screening; a value that is not one of the choices is refused by the form and
the page shows every measure for that filter, with the message."""

from django import forms

SHOW_CHOICES = [("", "Every measure with a target"), ("gaps", "Gaps only")]


class GapFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label="Unit", coerce=int, required=False, empty_value=None)
    domain = forms.ChoiceField(label="Quality domain", required=False)
    aim = forms.TypedChoiceField(label="Aim", coerce=int, required=False, empty_value=None)
    show = forms.ChoiceField(label="Show", choices=SHOW_CHOICES, required=False)

    def __init__(self, *args, units, domains, aims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Every unit")] + [
            (u.pk, f"{u.indent}{u.name}") for u in units
        ]
        self.fields["domain"].choices = [("", "Every domain"), *domains]
        self.fields["aim"].choices = [("", "Any aim")] + [
            (aim.pk, f"{aim.unit.name}: {aim.statement[:80]}") for aim in aims
        ]

    def valid_data(self) -> dict:
        """The fields that were valid (a bad value leaves only its own filter out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
