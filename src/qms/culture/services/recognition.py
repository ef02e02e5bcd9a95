"""Writes of recognition: every write authorises `by`, is atomic and keeps history.

- `recognition_report`: anyone with a role in a unit (RECOGNISERS, partners included) reports
  excellent practice by a colleague of the unit (a person with a staff role there or below) or
  by the team; the colleague and their leads are told.
- `recognition_thank`: a lead of the unit passes the thanks on (so a leader's view lists what
  is still to pass on).
- `recognition_show`: the recipient chooses whether it is shown on the unit's page and board.
- The themes of excellence: an organisation-wide list, edited like planning's contributory
  factor framework by quality leads of a board and system administrators.

`by=None` is the system (the demo, migrations) and is not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from qms.culture import roles
from qms.culture.excellence import seed_themes
from qms.culture.models import ExcellenceTheme, Recognition
from qms.escalation.services import nearest_handlers
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Membership, Person, Unit
from qms.people.roles import STAFF_ROLES, Role
from qms.web.screening import refusals

__all__ = [
    "may_edit_themes",
    "recognition_report",
    "recognition_show",
    "recognition_thank",
    "theme_create",
    "theme_retire",
    "theme_restore",
    "theme_update",
    "themes_defaults_ensure",
]

TEXT_MAX = 3_000
NOTE_MAX = Recognition._meta.get_field("thanks_note").max_length
THEME_NAME_MAX = ExcellenceTheme._meta.get_field("name").max_length
THEME_DESCRIPTION_MAX = 1_000
# A recognition names a few themes: the ones that stand out, not every one that applies.
THEMES_MAX = 4


def _text(value, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    """Text as stored: stripped, within its length, and without what is refused everywhere
    (control characters, NHS numbers: qms.web.screening.refusals); named by its field."""
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: f"Say {label.lower()}."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} is longer than {max_length:,} characters."})
    problems = refusals(text, label=label)
    if problems:
        raise ValidationError({field: problems})
    return text


# Recognition ----------------------------------------------------------------------------------


def recipient_unit(unit: Unit, recipient: Person) -> Unit | None:
    """Where a recognition of `recipient` from `unit` lives: `unit` itself when they hold a
    staff role there, otherwise the nearest unit below it where they do (their team, whose page
    and huddle board show it); None when they are not staff of the unit or below."""
    units = [
        membership.unit
        for membership in Membership.objects.filter(
            person=recipient,
            role__in=STAFF_ROLES,
            unit__path__startswith=unit.path,
        ).select_related("unit")
    ]
    if not units or not recipient.is_active:
        return None
    return min(units, key=lambda u: (u.depth, u.path))


def _themes(themes) -> list[ExcellenceTheme]:
    """The themes chosen (ExcellenceTheme or ids): each a theme in use, listed once; at least
    one and at most THEMES_MAX."""
    if isinstance(themes, (str, bytes)) or not isinstance(themes, Iterable):
        raise ValidationError({"themes": "Give the themes as a list."})
    ids = []
    for theme in themes:
        pk = theme.pk if isinstance(theme, ExcellenceTheme) else theme
        if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
            raise ValidationError({"themes": f"“{theme}” is not a theme of excellence."})
        ids.append(pk)
    if not ids:
        raise ValidationError({"themes": "Choose at least one theme of excellence."})
    if len(set(ids)) != len(ids):
        raise ValidationError({"themes": "A theme is chosen twice."})
    if len(ids) > THEMES_MAX:
        raise ValidationError(
            {"themes": f"Choose up to {THEMES_MAX} themes: those that stand out."}
        )
    found = ExcellenceTheme.objects.in_bulk(ids)
    for pk in ids:
        theme = found.get(pk)
        if theme is None:
            raise ValidationError({"themes": f"There is no theme {pk}."})
        if not theme.is_active:
            raise ValidationError({"themes": f"“{theme.name}” is retired: choose another theme."})
    return [found[pk] for pk in ids]


def recognition_leads(recognition: Recognition) -> list[Person]:
    """Who hears of a recognition besides the recipient: the team leads of its unit or, when
    it has none, of the nearest unit above (quality leads where there is no team lead)."""
    return nearest_handlers(recognition.unit)


@transaction.atomic
def recognition_report(
    *,
    by: Person | None,
    unit: Unit,
    recipient: Person | None = None,
    what_happened: str,
    why_it_mattered: str,
    themes: Iterable,
    reported_at: dt.datetime | None = None,
) -> Recognition:
    """Report excellent practice seen in `unit`: by `recipient` (a person with a staff role in
    the unit or below) or, with no recipient, by the team (the unit). What happened, why it
    mattered and the themes of excellence it shows are required. The recognition lives in the
    recipient's own unit (see `recipient_unit`); the recipient and the leads there are told in
    their inbox. `reported_at` is for the demo only (the system back-dating its history)."""
    access.authorise(by, unit, roles.RECOGNISERS, "recognise colleagues")
    if reported_at is not None and by is not None:
        raise PermissionDenied("Only the system records recognition at another time.")
    where = unit
    if recipient is not None:
        if by is not None and recipient.pk == by.pk:
            raise ValidationError({"recipient": "Recognise a colleague or the team: not yourself."})
        found = recipient_unit(unit, recipient)
        if found is None:
            raise ValidationError(
                {"recipient": f"{recipient} is not one of the staff of {unit} or its teams."}
            )
        where = found
    recognition = Recognition(
        unit=where,
        recipient=recipient,
        what_happened=_text(
            what_happened,
            field="what_happened",
            label="What happened",
            max_length=TEXT_MAX,
            required=True,
        ),
        why_it_mattered=_text(
            why_it_mattered,
            field="why_it_mattered",
            label="Why it mattered",
            max_length=TEXT_MAX,
            required=True,
        ),
        reported_by=by,
        reported_at=reported_at or timezone.now(),
    )
    chosen = _themes(themes)
    record_by(recognition, by, "Recognition reported")
    recognition.save()
    recognition.themes.set(chosen)
    _tell(recognition, by)
    return recognition


def _tell(recognition: Recognition, by: Person | None) -> None:
    """The recipient and the leads of the unit hear of it (the reporter does not: they know)."""
    reporter = str(by) if by is not None else "A colleague"
    leads = [lead for lead in recognition_leads(recognition) if by is None or lead.pk != by.pk]
    if recognition.recipient_id:
        recipient = recognition.recipient
        if by is None or recipient.pk != by.pk:
            notify(
                [recipient],
                kind=NotificationKind.RECOGNITION,
                text=f"{reporter} recognised you for excellent practice in {recognition.unit}.",
                subject=recognition,
            )
        leads = [lead for lead in leads if lead.pk != recipient.pk]
        text = f"{reporter} recognised {recipient} in {recognition.unit}: pass the thanks on."
    else:
        text = f"{reporter} recognised the {recognition.unit} team: pass the thanks on."
    notify(leads, kind=NotificationKind.RECOGNITION, text=text, subject=recognition)


def _lock(recognition: Recognition) -> Recognition:
    recognition.refresh_from_db(from_queryset=Recognition.objects.select_for_update())
    return recognition


@transaction.atomic
def recognition_thank(
    *, by: Person | None, recognition: Recognition, note: str = ""
) -> Recognition:
    """A lead of the unit passes the thanks on (at a huddle, in person, in writing), with an
    optional note of how. Once: the first lead to do so is recorded. A lead does not thank
    recognition of themselves."""
    access.authorise(by, recognition, roles.RECOGNITION_THANKERS, "pass thanks on")
    note = _text(note, field="note", label="Note", max_length=NOTE_MAX)
    _lock(recognition)
    if by is not None and by.pk == recognition.recipient_id:
        raise PermissionDenied("Another lead passes on the thanks for your own recognition.")
    if recognition.thanked_at is not None:
        raise ValidationError({"note": f"{recognition.thanked_by} passed the thanks on already."})
    recognition.thanked_by, recognition.thanked_at = by, timezone.now()
    recognition.thanks_note = note
    record_by(recognition, by, "Thanks passed on")
    recognition.save()
    return recognition


@transaction.atomic
def recognition_show(*, by: Person | None, recognition: Recognition, shown: bool) -> Recognition:
    """The recipient chooses whether their recognition is shown on the unit's page and huddle
    board (the reporter, their leads and they see it either way). A team's is always shown."""
    if not isinstance(shown, bool):
        raise ValidationError({"shown": "Choose shown or not shown."})
    if recognition.recipient_id is None:
        raise ValidationError({"shown": "Recognition of a team is shown to the team."})
    if by is not None and by.pk != recognition.recipient_id:
        raise PermissionDenied("Only the person recognised chooses where it is shown.")
    _lock(recognition)
    if recognition.shown != shown:
        recognition.shown = shown
        record_by(recognition, by, "Shown to the unit" if shown else "Kept private")
        recognition.save()
    return recognition


# The themes of excellence ---------------------------------------------------------------------


def may_edit_themes(user) -> bool:
    """Whether the user edits the themes of excellence: a system administrator, or a quality
    lead of a top unit (a board): the list is the organisation's, shared by every unit."""
    if user is None or not user.is_authenticated:
        return False
    if access.is_system_administrator(user):
        return True
    return access.units_with_role(user, {Role.QUALITY_LEAD}).filter(parent__isnull=True).exists()


def _authorise_themes(by: Person | None, action: str) -> None:
    if by is not None and not may_edit_themes(by):
        raise PermissionDenied(f"Only quality leads of a board and system administrators {action}.")


def _theme_fields(*, name, description) -> dict:
    return {
        "name": _text(name, field="name", label="Name", max_length=THEME_NAME_MAX, required=True),
        "description": _text(
            description, field="description", label="Description", max_length=THEME_DESCRIPTION_MAX
        ),
    }


def _unique_name(name: str, *, exclude: int | None = None) -> None:
    others = ExcellenceTheme.objects.filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"name": f"There is a theme called “{name}” already."})


@transaction.atomic
def themes_defaults_ensure() -> int:
    """Add the default themes that are missing (a database emptied by a test): the number."""
    return seed_themes(ExcellenceTheme)


@transaction.atomic
def theme_create(*, by: Person | None, name: str, description: str = "") -> ExcellenceTheme:
    """Add a theme of excellence, last in the list."""
    _authorise_themes(by, "add themes of excellence")
    fields = _theme_fields(name=name, description=description)
    # Serialises additions, so two leads adding at once do not take the same place or name.
    list(ExcellenceTheme.objects.select_for_update().values_list("pk", flat=True))
    _unique_name(fields["name"])
    base = slugify(fields["name"])[:50] or "theme"
    code, number = base, 1
    while ExcellenceTheme.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    last = ExcellenceTheme.objects.aggregate(last=Max("position"))["last"] or 0
    theme = ExcellenceTheme(code=code, position=last + 10, **fields)
    record_by(theme, by, "Theme added")
    theme.save()
    return theme


def _lock_theme(theme: ExcellenceTheme) -> ExcellenceTheme:
    theme.refresh_from_db(from_queryset=ExcellenceTheme.objects.select_for_update())
    return theme


@transaction.atomic
def theme_update(
    *, by: Person | None, theme: ExcellenceTheme, name: str, description: str = ""
) -> ExcellenceTheme:
    """Rename or redescribe a theme: the recognition coded with it keeps it, under its new name."""
    _authorise_themes(by, "change themes of excellence")
    fields = _theme_fields(name=name, description=description)
    _lock_theme(theme)
    _unique_name(fields["name"], exclude=theme.pk)
    theme.name, theme.description = fields["name"], fields["description"]
    record_by(theme, by, "Theme changed")
    theme.save()
    return theme


@transaction.atomic
def theme_retire(*, by: Person | None, theme: ExcellenceTheme) -> ExcellenceTheme:
    """Retire a theme: no longer offered; the recognition coded with it keeps it."""
    _authorise_themes(by, "retire themes of excellence")
    _lock_theme(theme)
    if not theme.is_active:
        raise ValidationError({"theme": f"“{theme.name}” is retired already."})
    if not ExcellenceTheme.objects.filter(is_active=True).exclude(pk=theme.pk).exists():
        raise ValidationError({"theme": "The list needs at least one theme in use."})
    theme.is_active = False
    record_by(theme, by, "Theme retired")
    theme.save()
    return theme


@transaction.atomic
def theme_restore(*, by: Person | None, theme: ExcellenceTheme) -> ExcellenceTheme:
    """Offer a retired theme again."""
    _authorise_themes(by, "restore themes of excellence")
    _lock_theme(theme)
    if theme.is_active:
        raise ValidationError({"theme": f"“{theme.name}” is in use already."})
    theme.is_active = True
    record_by(theme, by, "Theme restored")
    theme.save()
    return theme
