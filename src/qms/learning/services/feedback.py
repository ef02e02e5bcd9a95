"""Writes of feedback: importing comments (a file or the API, all or nothing), correcting a
comment's themes and sentiment, and tracking a share of comments as a measure of the unit.

Every comment is redacted (NHS and CHI numbers, telephone numbers, e-mail addresses become
placeholders: counted, never refused) and classified on import, in one batch, so 5,000 comments
take seconds. Measures that track a unit's feedback are rewritten in the same transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from qms.control import services as control_services
from qms.learning import roles
from qms.learning.models import (
    Feedback,
    FeedbackImport,
    FeedbackMeasure,
    FeedbackSource,
    FeedbackTheme,
)
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit
from qms.text.feedback import THEMES
from qms.text.identifiers import redact

# A request or file is checked and saved in one go; more belongs in several.
MAX_COMMENTS = 20_000
# A comment longer than this is not one comment (a pasted report, a slip): refused.
TEXT_MAX_LENGTH = 5_000
# Nothing about today's services is learnt from comments of 1990 or before: a slip of the date.
EARLIEST_DATE = dt.date(1991, 1, 1)
COLUMNS = ("date", "service", "rating", "text", "source", "question", "reference", "unit")
REQUIRED = ("date", "text")
# Other names the columns have in exports of feedback systems (the Friends and Family Test).
ALIASES = {
    "received_on": "date",
    "received": "date",
    "comment": "text",
    "free text": "text",
    "fft answer": "text",
    "answer": "text",
    "comment id": "reference",
    "id": "reference",
    "fft question": "question",
    "fft categorical answer": "rating",
    "service type": "service",
    "service type 1": "service",
    "unit code": "unit",
}
_LENGTHS = {"service": 200, "question": 300, "reference": 100}
_SOURCES = {
    **{value: value for value in FeedbackSource.values},
    **{label.lower(): value for value, label in FeedbackSource.choices},
    "family": FeedbackSource.CARER,
}
# Control characters other than line breaks and tabs, which exports sometimes carry: dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Problem:
    """Something wrong with one field of one comment. `row` is the file's row (the header is
    row 1) or the position in the API's array (from 1); 0 is the source as a whole."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.field}" if self.row else self.field.capitalize()
        return f"{where}: {self.message}"


class FeedbackRefused(ValidationError):
    """Nothing was saved: every problem, by row and field."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__([str(problem) for problem in self.problems])


@dataclass(frozen=True)
class Comment:
    """One comment read from a row, checked but not yet saved."""

    row: int
    received_on: dt.date
    text: str
    service: str = ""
    rating: int | None = None
    source: str = FeedbackSource.PATIENT
    question: str = ""
    reference: str = ""
    unit: str = ""


@dataclass
class ImportResult:
    batch: FeedbackImport
    created: int
    skipped: int
    redactions: int
    redacted_comments: int
    skipped_rows: list[int] = field(default_factory=list)


# Reading rows ------------------------------------------------------------------------------


def comments_from_table(header: Sequence[str], rows, *, today: dt.date | None = None):
    """The comments of an uploaded table (`control_services.table_read`'s header and numbered
    rows) and every problem found, by row and column."""
    names = [_column(name) for name in header]
    problems = [
        Problem(1, column, "this column is missing") for column in REQUIRED if column not in names
    ]
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in COLUMNS:
            if name in seen:
                problems.append(Problem(1, name, f"two columns are {name}: keep one"))
            seen[name] = position
    if problems:
        return [], problems
    today = today or timezone.localdate()
    comments = []
    for number, cells in rows:
        values = {
            name: cells[index] if index < len(cells) else None for name, index in seen.items()
        }
        comment, found = _comment(number, values, today)
        problems += found
        if comment is not None:
            comments.append(comment)
    return comments, problems


def comments_from_json(items: Any, *, today: dt.date | None = None):
    """The comments of an API request's `comments` array and every problem, by position and
    field."""
    if not isinstance(items, list):
        return [], [Problem(0, "comments", 'send a list: {"comments": [{...}, ...]}')]
    if not items:
        return [], [Problem(0, "comments", "send at least one comment")]
    if len(items) > MAX_COMMENTS:
        return [], [Problem(0, "comments", f"send at most {MAX_COMMENTS:,} comments a request")]
    today = today or timezone.localdate()
    comments, problems = [], []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(number, "comment", "must be an object"))
            continue
        unknown = sorted(str(key)[:40] for key in item if _column(str(key)) not in COLUMNS)
        if unknown:
            problems.append(Problem(number, unknown[0], "is not a field of a comment"))
        values = {_column(str(key)): value for key, value in item.items()}
        comment, found = _comment(number, values, today)
        problems += found
        if comment is not None:
            comments.append(comment)
    return comments, problems


def _column(name: str) -> str:
    name = name.strip().lower()
    return ALIASES.get(name, name)


def _comment(number: int, values: dict, today: dt.date) -> tuple[Comment | None, list[Problem]]:
    problems: list[Problem] = []

    def text_of(name: str) -> str:
        value = values.get(name)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(Problem(number, name, "must be text"))
            return ""
        text = _CONTROL.sub(" ", str(value)).strip()
        limit = _LENGTHS.get(name)
        if limit and len(text) > limit:
            problems.append(Problem(number, name, f"is longer than {limit} characters"))
        return text

    received_on = _date(values.get("date"), number, today, problems)
    text = text_of("text")
    if not text and not any(p.field == "text" for p in problems):
        problems.append(Problem(number, "text", "is empty: every row needs the comment"))
    elif len(text) > TEXT_MAX_LENGTH:
        problems.append(
            Problem(number, "text", f"is {len(text):,} characters: at most {TEXT_MAX_LENGTH:,}")
        )
    rating = _rating(values.get("rating"), number, problems)
    source_text = text_of("source").lower()
    source = _SOURCES.get(source_text, "") if source_text else FeedbackSource.PATIENT
    if not source:
        problems.append(
            Problem(
                number,
                "source",
                f"“{source_text[:40]}” is not patient, carer, staff or other",
            )
        )
    service, question = text_of("service"), text_of("question")
    reference, unit = text_of("reference"), text_of("unit")
    if problems or received_on is None:
        return None, problems
    return (
        Comment(number, received_on, text, service, rating, source, question, reference, unit),
        [],
    )


def _date(value, number: int, today: dt.date, problems: list[Problem]) -> dt.date | None:
    day = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and value.strip():
        raw = value.strip()[:40]
        for form in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(raw[:10] if form == "%Y-%m-%d" else raw, form).date()
                break
            except ValueError:
                continue
        if day is None:
            problems.append(
                Problem(number, "date", f"“{raw}” is not a date: write 31/01/2025 or 2025-01-31")
            )
            return None
    else:
        problems.append(Problem(number, "date", "is empty: every row needs the date"))
        return None
    if day > today:
        problems.append(Problem(number, "date", f"{day:%d/%m/%Y} is in the future"))
    elif day < EARLIEST_DATE:
        problems.append(Problem(number, "date", f"{day:%d/%m/%Y} is before 1991: check the year"))
    else:
        return day
    return None


def _rating(value, number: int, problems: list[Problem]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number_value = float(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number_value = None
    if number_value is None or number_value not in {1, 2, 3, 4, 5}:
        shown = str(value).strip()[:20]
        problems.append(
            Problem(
                number,
                "rating",
                f"“{shown}” is not a rating: 1 very good to 5 very poor, or blank",
            )
        )
        return None
    return int(number_value)


# Importing ---------------------------------------------------------------------------------


@transaction.atomic
def feedback_import(
    *,
    by: Person | None,
    unit: Unit,
    comments: Sequence[Comment],
    filename: str = "",
    via_api: str = "",
    skip_repeats: bool = False,
    problems: Sequence[Problem] = (),
) -> ImportResult:
    """Save comments for `unit` (or the unit below it a comment's `unit` column names), all or
    nothing: with any problem (given, or found here: an unknown unit, a reference given twice
    or imported before) a FeedbackRefused names every one and nothing is saved. A reference
    imported before is a problem unless `skip_repeats`, when its row is left out and counted.
    Each comment's text is redacted and the comments classified in one batch."""
    access.authorise(by, unit, roles.FEEDBACK_EDITORS, "import feedback")
    problems = list(problems)
    if not comments and not problems:
        problems.append(Problem(0, "file", "there are no comments to import"))
    if len(comments) > MAX_COMMENTS:
        problems.append(Problem(0, "file", f"import at most {MAX_COMMENTS:,} comments at once"))
    units = _units_of(unit, comments, problems)
    keep, skipped = _without_repeats(comments, units, unit, skip_repeats, problems)
    if problems:
        raise FeedbackRefused(sorted(problems, key=lambda p: (p.row, _column_order(p.field))))
    if not keep:
        raise FeedbackRefused([Problem(0, "file", "every comment was imported before")])

    redactions = [redact(comment.text) for comment in keep]
    predictions, version = _classify([redaction.text for redaction in redactions])
    batch = FeedbackImport.objects.create(
        unit=unit,
        filename=filename[:255],
        via_api=via_api[:100],
        comments=len(keep),
        redactions=sum(r.count for r in redactions),
        imported_by=by,
    )
    items = [
        Feedback(
            unit=units.get(comment.unit.lower(), unit) if comment.unit else unit,
            batch=batch,
            received_on=comment.received_on,
            service=comment.service,
            source=comment.source,
            rating=comment.rating,
            question=comment.question,
            text=redaction.text,
            redactions=min(redaction.count, 32_767),
            reference=comment.reference,
            sentiment=prediction.sentiment,
            model_sentiment=prediction.sentiment,
            model_themes=list(prediction.themes),
            model_version=version,
        )
        for comment, redaction, prediction in zip(keep, redactions, predictions, strict=True)
    ]
    try:
        # A savepoint: another import may save the same references between the check above and
        # this insert; the unique constraint stops the second, which is refused as a whole.
        with transaction.atomic():
            saved = bulk_create_with_history(
                items, Feedback, batch_size=1000, default_user=by, default_change_reason="Imported"
            )
    except (IntegrityError, connection.Database.IntegrityError):
        raise FeedbackRefused(
            [
                Problem(
                    0,
                    "reference",
                    "some references were imported by someone else at the same moment: "
                    "nothing was saved; import the file again to skip or see them",
                )
            ]
        ) from None
    if any(item.pk is None for item in saved):  # pragma: no cover - databases without RETURNING
        saved = list(Feedback.objects.filter(batch=batch).order_by("pk"))
    FeedbackTheme.objects.bulk_create(
        [
            FeedbackTheme(feedback_id=item.pk, label=label)
            for item, prediction in zip(saved, predictions, strict=True)
            for label in dict.fromkeys(prediction.themes)
        ],
        batch_size=2000,
    )
    feedback_measures_sync(units={item.unit_id for item in saved})
    return ImportResult(
        batch=batch,
        created=len(saved),
        skipped=len(skipped),
        redactions=batch.redactions,
        redacted_comments=sum(1 for r in redactions if r.count),
        skipped_rows=skipped,
    )


def _column_order(name: str) -> int:
    return COLUMNS.index(name) if name in COLUMNS else len(COLUMNS)


def _units_of(unit: Unit, comments: Sequence[Comment], problems: list[Problem]) -> dict:
    """The units named in the comments' unit column, by code in lower case: `unit` itself or
    a unit below it; any other code (or one that does not exist) is a problem of its row."""
    codes = {comment.unit.lower() for comment in comments if comment.unit}
    if not codes:
        return {}
    found = {
        u.code.lower(): u
        for u in Unit.objects.filter(path__startswith=unit.path)
        if u.code.lower() in codes
    }
    for comment in comments:
        if comment.unit and comment.unit.lower() not in found:
            problems.append(
                Problem(
                    comment.row,
                    "unit",
                    f"“{comment.unit[:60]}” is not the code of {unit.name} or of a unit below it",
                )
            )
    return found


def _without_repeats(comments, units, unit, skip_repeats, problems) -> tuple[list, list[int]]:
    """The comments to save, and the rows left out because their reference was imported
    before (when `skip_repeats`; otherwise each is a problem). A reference given twice in one
    source is always a problem."""
    first: dict[tuple[int, str], int] = {}
    for comment in comments:
        if not comment.reference:
            continue
        key = (_unit_id(comment, units, unit), comment.reference)
        if key in first:
            problems.append(
                Problem(
                    comment.row,
                    "reference",
                    f"“{comment.reference[:40]}” is also on row {first[key]}",
                )
            )
        else:
            first[key] = comment.row
    if not first:
        return list(comments), []
    existing: set[tuple[int, str]] = set()
    references = sorted({reference for _, reference in first})
    unit_ids = sorted({unit_id for unit_id, _ in first})
    for start in range(0, len(references), 2000):  # SQLite's limit on variables
        existing |= set(
            Feedback.objects.filter(
                unit_id__in=unit_ids, reference__in=references[start : start + 2000]
            ).values_list("unit_id", "reference")
        )
    keep, skipped = [], []
    for comment in comments:
        if comment.reference and (_unit_id(comment, units, unit), comment.reference) in existing:
            if skip_repeats:
                skipped.append(comment.row)
                continue
            problems.append(
                Problem(
                    comment.row,
                    "reference",
                    f"“{comment.reference[:40]}” was imported before: remove the row, or "
                    "choose to skip comments imported before",
                )
            )
        keep.append(comment)
    return keep, skipped


def _unit_id(comment: Comment, units: dict, unit: Unit) -> int:
    named = units.get(comment.unit.lower()) if comment.unit else None
    return (named or unit).pk


def _classify(texts: list[str]):
    """The classifier's themes and sentiment for each text, in one batch, and its version."""
    from qms.learning import classifier  # loads (or trains) the model on first use only

    model = classifier.get()
    return model.predict(texts), model.version


# Correcting --------------------------------------------------------------------------------


@transaction.atomic
def feedback_correct(
    *, by: Person | None, feedback: Feedback, themes: Iterable[str], sentiment: int
) -> Feedback:
    """Set a comment's themes and sentiment to what a person judges them to be. The model's
    own (`model_themes`, `model_sentiment`) stay; the change is kept in history with who made
    it, when, and the themes chosen (the change's reason), and the corrected comments can
    train the classifier again (`qms feedback train --with-corrections`)."""
    access.authorise(by, feedback, roles.FEEDBACK_EDITORS, "correct feedback")
    chosen = list(dict.fromkeys(themes))
    unknown = [label for label in chosen if label not in THEMES]
    errors: dict[str, str] = {}
    if unknown:
        errors["themes"] = f"“{unknown[0][:60]}” is not a theme of the framework"
    if isinstance(sentiment, bool) or sentiment not in {1, 2, 3, 4, 5}:
        errors["sentiment"] = "Choose a sentiment from 1 very positive to 5 very negative."
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.sentiment = sentiment
    feedback.corrected_by, feedback.corrected_at = by, timezone.now()
    shown = ", ".join(sorted(chosen)) or "none"
    record_by(feedback, by, f"Corrected: sentiment {sentiment}; themes: {shown}")
    feedback.save()
    FeedbackTheme.objects.filter(feedback=feedback).exclude(label__in=chosen).delete()
    have = set(FeedbackTheme.objects.filter(feedback=feedback).values_list("label", flat=True))
    FeedbackTheme.objects.bulk_create(
        [FeedbackTheme(feedback=feedback, label=label) for label in chosen if label not in have]
    )
    feedback_measures_sync(units={feedback.unit_id})
    return feedback


# Tracking as a measure ---------------------------------------------------------------------


@transaction.atomic
def feedback_measure_track(*, by: Person | None, unit: Unit, theme: str = "") -> FeedbackMeasure:
    """Make the share of the unit's negative comments (`theme` blank) or of comments with
    `theme` a control measure of the unit: a monthly p chart, filled from the feedback now and
    kept in step on every import and correction. Tracking what is tracked already returns the
    measure there is."""
    access.authorise(by, unit, roles.FEEDBACK_TRACKERS, "track feedback as a measure")
    if theme and theme not in THEMES:
        raise ValidationError({"theme": f"“{theme[:60]}” is not a theme of the framework"})
    existing = FeedbackMeasure.objects.filter(unit=unit, theme=theme).first()
    if existing is not None:
        return existing
    what = f"comments about {theme.lower()}" if theme else "negative comments"
    name = f"Feedback: {what}"[:200]
    code = control_services.measure_code_free(f"feedback-{slugify(theme) or 'negative'}", unit)
    measure = control_services.measure_create(
        by=by,
        unit=unit,
        code=code,
        name=name,
        kind="outcome",
        domain="person_centred",
        operational_definition=(
            f"The share of comments received each month that are {what}"
            + (" (sentiment 4 or 5)" if not theme else "")
            + f", from the feedback of {unit.name} and the units below it, as classified on "
            "import or corrected by staff. Kept in step with the feedback by QMS."
        ),
        numerator_definition=f"Comments received in the month that are {what}.",
        denominator_definition="All comments received in the month.",
        data_source="Feedback (Learn), imported from files and the API",
        frequency="month",
        chart="p",
        direction="decrease" if theme != "Positive experience & gratitude" else "increase",
        multiply=100.0,
        unit_label="%",
    )
    tracked = FeedbackMeasure.objects.create(unit=unit, measure=measure, theme=theme, created_by=by)
    _sync(tracked)
    return tracked


def feedback_measures_sync(*, units: Iterable[int]) -> int:
    """Rewrite the observations of every measure tracking the feedback of these units (by
    id): a measure of a unit counts the feedback of the units below it too. Returns how many
    measures were brought up to date."""
    unit_ids = set(units)
    if not unit_ids:
        return 0
    tracked = list(FeedbackMeasure.objects.select_related("unit", "measure"))
    if not tracked:
        return 0
    paths = list(Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True))
    count = 0
    for item in tracked:
        if any(path.startswith(item.unit.path) for path in paths):
            _sync(item)
            count += 1
    return count


def _sync(tracked: FeedbackMeasure) -> None:
    from qms.learning.selectors.feedback import monthly_share  # selectors read models only

    rows = [
        control_services.ObservationInput(
            measure=tracked.measure,
            period=month,
            value=float(count),
            denominator=float(total),
        )
        for month, count, total in monthly_share(tracked.unit, theme=tracked.theme)
    ]
    if rows:
        control_services.observations_save(
            by=None, rows=rows, replace=True, reason="Feedback imported or corrected"
        )


def feedback_import_file(
    *, by: Person | None, unit: Unit, file, skip_repeats: bool = False
) -> ImportResult:
    """Import an uploaded .csv or .xlsx file of comments (see `comments_from_table` for its
    columns), all or nothing: FeedbackRefused names every problem by row and column."""
    access.authorise(by, unit, roles.FEEDBACK_EDITORS, "import feedback")
    stream = getattr(file, "file", file)
    stream.seek(0)
    name = getattr(file, "name", "") or ""
    try:
        header, rows = control_services.table_read(stream, name, max_rows=MAX_COMMENTS)
    except ValueError as error:  # control's ReadError: why the file cannot be read
        raise FeedbackRefused([Problem(0, "file", str(error))]) from None
    comments, problems = comments_from_table(header, rows)
    return feedback_import(
        by=by,
        unit=unit,
        comments=comments,
        problems=problems,
        filename=name,
        skip_repeats=skip_repeats,
    )
