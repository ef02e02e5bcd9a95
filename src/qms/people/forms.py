from django import forms
from django.db.models import Q

from qms.people import access, selectors
from qms.people.models import Person, Unit
from qms.people.roles import Role
from qms.web.screening import ScreenedForm


class PersonField(forms.CharField):
    """A person chosen by typing their username or e-mail address, looked up when the form is
    sent: no list of every person on the page. `can_choose(person)` says whom this form may
    choose; anyone else reads exactly like no one, so the field is not a directory."""

    def __init__(self, *, can_choose=lambda person: True, **kwargs):
        kwargs.setdefault("label", "Person")
        kwargs.setdefault("help_text", "Their username or e-mail address.")
        super().__init__(max_length=254, **kwargs)
        self.can_choose = can_choose

    def clean(self, value) -> Person:
        typed = super().clean(value).strip()
        people = list(
            Person.objects.filter(Q(username__iexact=typed) | Q(email__iexact=typed))
            .filter(is_active=True)
            .prefetch_related("memberships__unit")[:10]
        )
        by_username = [p for p in people if p.username.lower() == typed.lower()]
        matches = [p for p in by_username or people if self.can_choose(p)]
        if not matches:
            raise forms.ValidationError(
                f"Person: no one with the username or e-mail address “{typed}” can be chosen "
                "here. Check the spelling, or ask a system administrator to make their account.",
                code="unknown",
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                f"Person: more than one person has the e-mail address “{typed}”: type their "
                "username instead.",
                code="ambiguous",
            )
        return matches[0]


class MembershipAddForm(forms.Form):
    person = PersonField()
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, manager: Person, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].can_choose = lambda person: selectors.manager_can_add(manager, person)
        self.fields["role"].choices = [
            (value, label)
            for value, label in Role.choices
            if access.can_grant(manager, unit, value)
        ]


class GrantForm(forms.Form):
    """A role on one record for one person, chosen by username or e-mail: anyone with an
    active account, since a grant is how people from outside the unit join one piece of work."""

    person = PersonField()
    role = forms.ChoiceField(
        label="Role",
        choices=[
            (value, label) for value, label in Role.choices if value in access.GRANTABLE_ROLES
        ],
    )


class MembershipRemoveForm(ScreenedForm, forms.Form):
    """Why a role is taken away (a membership or a grant), kept in the history."""

    reason = forms.CharField(
        label="Reason",
        max_length=200,
        required=False,
        help_text="Optional; kept in the unit's history.",
        error_messages={
            "max_length": "The reason is too long: %(limit_value)d characters at most."
        },
    )


class ApiKeyForm(ScreenedForm, forms.Form):
    """A key for another system: its name, whether it may write, the role it acts with (one the
    maker may grant in the unit) and when it stops working."""

    name = forms.CharField(
        label="Name of the system",
        max_length=100,
        help_text="What will use the key, e.g. “Data warehouse” or “Theatre system feed”.",
    )
    can_write = forms.TypedChoiceField(
        label="It may",
        choices=[("false", "Read only"), ("true", "Read and write")],
        coerce=lambda value: value == "true",
        initial="false",
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(
        label="Acting as",
        help_text="The key sees and does what this role may in the unit and the units below it.",
    )
    expires_on = forms.DateField(
        label="Stops working on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="At most three years from today.",
    )

    def __init__(self, *args, maker: Person, unit: Unit, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label)
            for value, label in Role.choices
            if value in roles and access.can_grant(maker, unit, value)
        ]
