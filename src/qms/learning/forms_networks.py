"""Forms of learning networks: starting and changing one, its members, teams, shared measures
and packages, its events. Free text is screened for patient identifiers."""

import datetime as dt

from django import forms

from qms.learning.models import Network, NetworkEvent, NetworkStatus
from qms.learning.selectors.networks import member_role_choices
from qms.people.forms import PersonField
from qms.web.screening import ScreenedForm

# Events are planned or recorded within a sensible span: a typo of year 9999 is refused.
EARLIEST_EVENT_YEAR = 2000
LATEST_EVENT_YEAR = 2100
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class NetworkForm(ScreenedForm, forms.Form):
    """A network's name and topic; on starting one, its host unit too."""

    unit = forms.TypedChoiceField(label="Host unit", coerce=int, empty_value=None)
    name = forms.CharField(label="Name", max_length=Network._meta.get_field("name").max_length)
    topic = forms.CharField(
        label="Topic",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="The shared challenge, in a few sentences.",
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].choices = [(u.pk, f"{u.indent}{u.name}") for u in units]
            self.units = {u.pk: u for u in units}


class ReasonForm(ScreenedForm, forms.Form):
    reason = forms.CharField(
        label="Reason", required=False, max_length=200, help_text="Optional; kept in the history."
    )


class StatusForm(ReasonForm):
    status = forms.ChoiceField(label="Status", choices=NetworkStatus.choices)


class MemberAddForm(forms.Form):
    """Someone joins the network by username or e-mail: staff of any unit, or a patient or
    carer partner (a role on the network is how they take part)."""

    person = PersonField()
    role = forms.ChoiceField(label="Role on the network", choices=member_role_choices)


class SearchForm(forms.Form):
    text = forms.CharField(label="Name contains", required=False, max_length=100)


class TeamAddForm(forms.Form):
    unit = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class MeasureAddForm(forms.Form):
    measure = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class PackageAddForm(forms.Form):
    package = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class NetworkFilterForm(forms.Form):
    text = forms.CharField(label="Name or topic contains", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *NetworkStatus.choices], required=False
    )


class EventForm(ScreenedForm, forms.Form):
    title = forms.CharField(
        label="Title", max_length=NetworkEvent._meta.get_field("title").max_length
    )
    starts_at = forms.DateTimeField(
        label="When", widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(
        label="Where",
        required=False,
        max_length=NetworkEvent._meta.get_field("place").max_length,
        help_text="A room or a meeting link.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label="Notes afterwards",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was learned, once the event has taken place.",
    )

    def clean_starts_at(self) -> dt.datetime:
        when = self.cleaned_data["starts_at"]
        if not EARLIEST_EVENT_YEAR <= when.year <= LATEST_EVENT_YEAR:
            raise forms.ValidationError(
                f"When: choose a date between {EARLIEST_EVENT_YEAR} and {LATEST_EVENT_YEAR}."
            )
        return when


def event_initial(event: NetworkEvent) -> dict:
    from django.utils import timezone

    return {
        "title": event.title,
        "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "place": event.place,
        "description": event.description,
        "notes": event.notes,
    }
