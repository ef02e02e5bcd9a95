"""Screening free text before it is stored: the one place that turns the findings of `qms.text`
into messages, for forms, file uploads, the API and the import command alike.

Two kinds of finding:

- Refused everywhere: control characters (a NUL cannot even be stored by PostgreSQL), invisible
  format characters (zero-width spaces, bidirectional controls: text that is not what it shows)
  and NHS or CHI numbers (ten digits with a valid modulus 11 check digit).
- Prompts: a date of birth, or a title with a surname, may identify a patient but often does
  not (a consultant named in a note). On a page the form is shown again with the finding and a
  box, "I have checked: this does not identify a patient", that lets it through. A file, an API
  call or the import command cannot ask anyone, so there a prompt is refused with a message
  saying what was found: the sender removes it, or enters that text on the page instead. Safer
  to make someone look than to store patient-identifiable data in a quality system unseen.

A third kind, for forms that opt in (`blame_screened`, the names of their fields that give an
account of what went wrong): language that blames a person ("careless", "failed to", "nurse X
forgot", `qms.text.find_blame`) gets a gentle prompt to rephrase around the system, with the
box "Keep my wording" (BLAME_CONFIRM_FIELD). Never a refusal, and never asked of files or the
API: how a person words an account is theirs to decide once they have been asked.

Length comes first: a form field's max_length (TEXT_MAX_LENGTH where a field has none), the
note's 500 characters in files and the API, are checked before any text is screened, so no one
can make the server screen megabytes.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator

from qms.text import (
    Action,
    find_blame,
    find_control_characters,
    find_format_characters,
    find_identifiers,
)

CONFIRM_FIELD = "identifiers_checked"
CONFIRM_LABEL = "I have checked: this does not identify a patient"
BLAME_CONFIRM_FIELD = "wording_kept"
BLAME_CONFIRM_LABEL = "Keep my wording: I have read it again and it is about the system"
BLAME_QUESTION = (
    "Ask what in the system made this likely (the workload, the task, the equipment, the "
    "information, the training and support) rather than who"
)
_CONFIRM_FIELDS = (CONFIRM_FIELD, BLAME_CONFIRM_FIELD)
IDENTIFIER_REFUSAL = "looks like an NHS or CHI number; remove patient identifiers"
# The longest free text a form takes where its field sets no limit (a description, a definition):
# pages of prose, far beyond any note, and bounded.
TEXT_MAX_LENGTH = 5_000
# Findings quoted in one message; the rest are counted.
_QUOTED_AT_MOST = 5


def _quoted(text: str) -> str:
    return f"“{text if len(text) <= 40 else text[:39] + '…'}”"


def refusals(text: str, *, label: str, multiline: bool = True) -> list[str]:
    """What in `text` is refused wherever it comes from, as messages naming the field."""
    if not text:
        return []
    messages = []
    names = find_control_characters(text, multiline=multiline)
    if names:
        messages.append(
            f"{label} contains control characters that cannot be stored ({', '.join(names)}); "
            "remove them"
        )
    invisible = find_format_characters(text)
    if invisible:
        messages.append(
            f"{label} contains invisible formatting characters ({', '.join(invisible)}); "
            "remove them"
        )
    if any(f.action is Action.REFUSE for f in find_identifiers(text)):
        messages.append(f"{label} {IDENTIFIER_REFUSAL}")
    return messages


def prompts(text: str) -> list[str]:
    """What in `text` may identify a patient and needs a person to look (dates of birth, titles
    with names), as descriptions: "a date of birth (“DOB 12/03/1954”)"."""
    if not text:
        return []
    found = [
        f"{finding.description} ({_quoted(finding.text)})"
        for finding in find_identifiers(text)
        if finding.action is Action.PROMPT
    ]
    if len(found) > _QUOTED_AT_MOST:
        found[_QUOTED_AT_MOST:] = [f"and {len(found) - _QUOTED_AT_MOST:,} more"]
    return found


def blame_prompts(text: str) -> list[str]:
    """What in `text` may blame a person, as descriptions: "a word that judges a person
    (“careless”)"."""
    if not text:
        return []
    found = [f"{finding.description} ({_quoted(finding.text)})" for finding in find_blame(text)]
    if len(found) > _QUOTED_AT_MOST:
        found[_QUOTED_AT_MOST:] = [f"and {len(found) - _QUOTED_AT_MOST:,} more"]
    return found


def problems_without_prompt(text: str, *, label: str, multiline: bool = True) -> list[str]:
    """Every reason to refuse `text` where no one can be asked to confirm (uploaded files, the
    API, the import command): refusals, and prompts refused with what was found."""
    messages = refusals(text, label=label, multiline=multiline)
    found = prompts(text)
    if found:
        messages.append(
            f"{label} may identify a patient: {'; '.join(found)}. Remove it; a file or another "
            "system cannot confirm that it does not (enter it on the measure's page to confirm)"
        )
    return messages


def check_without_prompt(text: str, *, field: str, label: str, multiline: bool = True) -> None:
    """Raise a ValidationError for `field` when `text` is refused where no one can confirm."""
    messages = problems_without_prompt(text, label=label, multiline=multiline)
    if messages:
        raise ValidationError({field: messages})


class ScreenedForm:
    """A form mixin: every text field is screened when the form is cleaned.

    Put it first among the bases (`class NoteForm(ScreenedForm, forms.Form)`). Text in a
    Textarea may hold line breaks; other text fields may not. When a prompt is raised, the form
    gains the checkbox CONFIRM_FIELD (rendered with the other fields) and stays invalid until
    the text is changed or the box is ticked. `screening_prompted` tells a view that the form
    must be shown again rather than summarised in a message."""

    screening_prompted = False
    # The fields whose text is an account of what went wrong, screened for blame (opt in).
    blame_screened: tuple[str, ...] = ()
    blame_prompted = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Django's own refusal of NUL ("Null characters are not allowed.") does not say
            # which field; the screening below does, for NUL as for the other controls.
            field.validators = [
                validator
                for validator in field.validators
                if not isinstance(validator, ProhibitNullCharactersValidator)
            ]
            if isinstance(field, forms.CharField) and field.max_length is None:
                _limit(field, TEXT_MAX_LENGTH)
        if self.is_bound and self.add_prefix(CONFIRM_FIELD) in self.data:
            self._add_confirm_field()
        if self.is_bound and self.add_prefix(BLAME_CONFIRM_FIELD) in self.data:
            self._add_blame_confirm_field()

    def _add_blame_confirm_field(self) -> None:
        if BLAME_CONFIRM_FIELD not in self.fields:
            self.fields[BLAME_CONFIRM_FIELD] = forms.BooleanField(
                label=BLAME_CONFIRM_LABEL, required=False
            )

    def _add_confirm_field(self) -> None:
        if CONFIRM_FIELD not in self.fields:
            self.fields[CONFIRM_FIELD] = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    @property
    def identifiers_checked(self) -> bool:
        """The person ticked the box: for a service that screens the text again, so that it
        lets through what they confirmed (`refusals` only, not `prompts`)."""
        return self._confirmed()

    def _confirmed(self, name: str = CONFIRM_FIELD) -> bool:
        field = self.fields.get(name)
        if field is None:
            return False
        return bool(
            field.clean(
                field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            )
        )

    def clean(self):
        data = super().clean()
        # The box is about the text, not data for the service the view calls with the rest.
        data.pop(CONFIRM_FIELD, None)
        data.pop(BLAME_CONFIRM_FIELD, None)
        confirmed = self._confirmed()
        wording_kept = self._confirmed(BLAME_CONFIRM_FIELD)
        for name, field in list(self.fields.items()):
            value = data.get(name)
            if name in _CONFIRM_FIELDS or not isinstance(value, str) or not value:
                continue
            # Passwords are never stored as text; a disabled field is not what the person sent.
            if isinstance(field.widget, forms.PasswordInput) or field.disabled:
                continue
            label = str(field.label or name.replace("_", " ").capitalize())
            multiline = isinstance(field.widget, forms.Textarea)
            messages = refusals(value, label=label, multiline=multiline)
            found = [] if confirmed else prompts(value)
            if found:
                self.screening_prompted = True
                self._add_confirm_field()
                messages.append(
                    f"{label} may identify a patient: {'; '.join(found)}. Remove it, or tick "
                    f"“{CONFIRM_LABEL}” below"
                )
            if not messages and not wording_kept and name in self.blame_screened:
                messages = self._blame_prompt(value, label)
            if messages:
                self.add_error(name, messages)
        return data

    def _blame_prompt(self, value: str, label: str) -> list[str]:
        """The gentle prompt when an account may blame a person (asked only once the text is
        otherwise acceptable, so one box is asked about at a time)."""
        found = blame_prompts(value)
        if not found:
            return []
        self.screening_prompted = self.blame_prompted = True
        self._add_blame_confirm_field()
        return [
            f"{label} may read as blaming a person: {'; '.join(found)}. {BLAME_QUESTION}, and "
            f"rephrase it; or tick “{BLAME_CONFIRM_LABEL}” below"
        ]


def _limit(field: forms.CharField, max_length: int) -> None:
    """Give a text field without one a maximum length, checked (before the screening, which
    runs on cleaned values only) and told to the browser."""
    field.max_length = max_length
    field.validators.append(MaxLengthValidator(max_length))
    field.widget.attrs.update(field.widget_attrs(field.widget))


def confirm_field() -> forms.BooleanField:
    """The box, declared on a form that always shows it (the Django admin's change forms, whose
    fieldsets are fixed before a prompt is raised): add CONFIRM_FIELD to their fields."""
    return forms.BooleanField(
        label=CONFIRM_LABEL,
        required=False,
        help_text="Tick only when asked: text that may identify a patient is refused otherwise.",
    )


def first_error(form) -> str:
    """The first problem of a bound form as one sentence naming its field, for a message at the
    top of the page the form came from."""
    name, errors = next(iter(form.errors.items()))
    field = form.fields.get(name)
    label = str(field.label) if field is not None and field.label else ""
    message = errors[0]
    return message if not label or message.startswith(label) else f"{label}: {message}"


def check_text_page(request, form, back: str):
    """The form again on a page of its own when its text may identify a patient: a record's page
    has too many small forms to show the prompt in place. Nothing has been saved."""
    from django.shortcuts import render

    context = {"form": form, "action": request.path, "back": back}
    return render(request, "web/check_text.html", context, status=400)
