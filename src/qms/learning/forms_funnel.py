"""The compare page's choices: the window and the overdispersion adjustment."""

from django import forms

from qms.learning.selectors.funnel import DEFAULT_WINDOW, WINDOWS
from qms.web.screening import ScreenedForm


class CompareForm(ScreenedForm, forms.Form):
    months = forms.TypedChoiceField(
        label="Window",
        choices=[(months, f"Last {months} months") for months in WINDOWS],
        coerce=int,
        initial=DEFAULT_WINDOW,
        required=False,
    )
    overdispersion = forms.BooleanField(
        label="Adjust the limits for overdispersion",
        required=False,
        help_text="Widens the limits when units differ more than chance alone explains "
        "(Spiegelhalter's random-effects method).",
    )

    def choices(self) -> tuple[int, bool]:
        """The window in months and whether to adjust; the defaults when the form is invalid."""
        if not self.is_bound or not self.is_valid():
            return DEFAULT_WINDOW, False
        return self.cleaned_data["months"] or DEFAULT_WINDOW, self.cleaned_data["overdispersion"]
