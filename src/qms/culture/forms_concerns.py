"""Forms of concerns: raising one, replying on its thread, following it up with the code, and
the closing feedback. Free text is screened for patient identifiers (ScreenedForm first); the
account of a concern opts in to the gentle blame prompt too."""

from django import forms

from qms.culture.services.concerns import MESSAGE_MAX
from qms.issues.models import Issue
from qms.web.screening import ScreenedForm


class ConcernForm(ScreenedForm, forms.Form):
    blame_screened = ("title", "description")

    title = forms.CharField(
        label="Your concern in a line",
        max_length=Issue._meta.get_field("title").max_length,
    )
    description = forms.CharField(
        label="What is happening, and why it worries you",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=5000,
        help_text="Describe the situation and the system around it (tasks, tools, staffing, "
        "environment), not a named person. No patient's name or number.",
    )
    anonymous = forms.BooleanField(
        label="Raise it anonymously: QMS keeps no link to me",
        required=False,
    )


class ReplyForm(ScreenedForm, forms.Form):
    text = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 4}), max_length=MESSAGE_MAX
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Your follow-up code",
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )


class CodeReplyForm(ScreenedForm, forms.Form):
    code = forms.CharField(max_length=200, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 4}), max_length=MESSAGE_MAX
    )


class FeedbackForm(ScreenedForm, forms.Form):
    text = forms.CharField(
        label="Feedback to the person who raised it",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What was found and what changed. It goes to their inbox, or to the thread "
        "of an anonymous concern.",
    )
