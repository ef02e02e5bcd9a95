from django import forms

from qms.comments.files import ACCEPT
from qms.web.screening import TEXT_MAX_LENGTH, ScreenedForm


class CommentForm(ScreenedForm, forms.Form):
    text = forms.CharField(
        label="Comment", max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class RemoveForm(ScreenedForm, forms.Form):
    reason = forms.CharField(label="Why remove it? (optional)", max_length=300, required=False)


class AttachmentForm(forms.Form):
    # Empty files reach the service, whose refusal names the file.
    file = forms.FileField(
        label="File", allow_empty_file=True, widget=forms.FileInput(attrs={"accept": ACCEPT})
    )
