"""Writes of surveys: running a relational coordination survey or a team pulse for a unit,
inviting people from elsewhere, answering (anonymously: see `qms.culture.models.surveys`),
closing early, and sealing the answers of a closed survey. Every write authorises `by`, is
atomic and keeps the run's history; no answer has history."""

from __future__ import annotations

import datetime
import random
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.culture import instruments, roles
from qms.culture.models import (
    MINIMUM_GROUP_SIZE_FLOOR,
    SurveyKind,
    SurveyParticipation,
    SurveyResponse,
    SurveyRun,
    SurveyWorkgroup,
)
from qms.people import access
from qms.people import services as people_services
from qms.people.history import record_by
from qms.people.models import ObjectGrant, Person, Unit
from qms.people.roles import Role

# Enough for a ward's partner roles without a matrix nobody can read.
MAX_WORKGROUPS = 12
MAX_MINIMUM_GROUP_SIZE = 50
# Surveys are planned a little ahead, never years ahead or for years.
LONGEST_OPEN = datetime.timedelta(days=120)
FURTHEST_AHEAD = datetime.timedelta(days=366)
# Shuffling answers into their sealed rows: not predictable from the time or a seed.
_SHUFFLE = random.SystemRandom()


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _clean_workgroups(kind: str, names) -> list[str]:
    cleaned = [" ".join(str(name).split()) for name in names or []]
    cleaned = [name for name in cleaned if name]
    if kind == SurveyKind.PULSE:
        if cleaned:
            raise ValidationError({"workgroups": "A team pulse has no workgroups."})
        return []
    if len(cleaned) < 2:
        raise ValidationError(
            {"workgroups": "Name at least two workgroups (e.g. nurses and doctors)."}
        )
    if len(cleaned) > MAX_WORKGROUPS:
        raise ValidationError({"workgroups": f"Name at most {MAX_WORKGROUPS} workgroups."})
    if any(len(name) > 100 for name in cleaned):
        raise ValidationError({"workgroups": "A workgroup's name has at most 100 characters."})
    if len({name.casefold() for name in cleaned}) != len(cleaned):
        raise ValidationError({"workgroups": "Each workgroup is named once."})
    return cleaned


def _check_dates(opens_on, closes_on, today) -> None:
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The survey closes on or after the day it opens."})
    if closes_on - opens_on > LONGEST_OPEN:
        raise ValidationError({"closes_on": "A survey is open for at most 120 days."})
    if opens_on - today > FURTHEST_AHEAD:
        raise ValidationError({"opens_on": "A survey opens within a year."})


@transaction.atomic
def survey_create(
    *,
    by: Person | None,
    unit: Unit,
    kind: str,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    focal_process: str = "",
    workgroups=(),
    minimum_group_size: int = 5,
    today: datetime.date | None = None,
) -> SurveyRun:
    """Run a survey for `unit` (SURVEY_RUNNERS there): relational coordination about a focal
    work process with its workgroups, or a team pulse. Staff of the unit and below may answer
    between `opens_on` and `closes_on`; results show after it closes, for groups of at least
    `minimum_group_size` respondents (never below three)."""
    access.authorise(by, unit, roles.SURVEY_RUNNERS, "run a survey")
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": "Choose relational coordination or a team pulse."})
    names = _clean_workgroups(kind, workgroups)
    focal_process = " ".join((focal_process or "").split())
    if kind == SurveyKind.RELATIONAL_COORDINATION and not focal_process:
        raise ValidationError({"focal_process": "Name the work process the questions are about."})
    if kind == SurveyKind.PULSE:
        focal_process = ""
    if not isinstance(minimum_group_size, int) or not (
        MINIMUM_GROUP_SIZE_FLOOR <= minimum_group_size <= MAX_MINIMUM_GROUP_SIZE
    ):
        raise ValidationError(
            {
                "minimum_group_size": f"The minimum group size is between "
                f"{MINIMUM_GROUP_SIZE_FLOOR} and {MAX_MINIMUM_GROUP_SIZE}."
            }
        )
    _check_dates(opens_on, closes_on, _today(today))
    run = SurveyRun(
        unit=unit,
        kind=kind,
        title=" ".join((title or "").split()),
        focal_process=focal_process,
        opens_on=opens_on,
        closes_on=closes_on,
        minimum_group_size=minimum_group_size,
        created_by=by,
    )
    run.full_clean(exclude=["unit", "created_by"])
    record_by(run, by, "Survey planned")
    run.save()
    SurveyWorkgroup.objects.bulk_create(
        SurveyWorkgroup(run=run, name=name, position=position)
        for position, name in enumerate(names)
    )
    return run


def _locked(run: SurveyRun) -> SurveyRun:
    """The run's row locked to the end of the transaction: answers, closing and sealing of
    one run happen one after another."""
    return SurveyRun.objects.select_for_update().select_related("unit").get(pk=run.pk)


@transaction.atomic
def survey_close(
    *, by: Person | None, run: SurveyRun, today: datetime.date | None = None
) -> SurveyRun:
    """Close an open survey early (SURVEY_RUNNERS on it): its last day becomes yesterday and
    its answers are sealed. A survey that opened today cannot close before it opened: it is
    refused."""
    access.authorise(by, run, roles.SURVEY_RUNNERS, "close a survey")
    today = _today(today)
    run = _locked(run)
    if run.is_closed_on(today):
        raise ValidationError("The survey has already closed.")
    yesterday = today - datetime.timedelta(days=1)
    if yesterday < run.opens_on:
        raise ValidationError(
            "The survey has not been open a whole day: change its dates or wait until tomorrow."
        )
    run.closes_on = yesterday
    record_by(run, by, "Closed early")
    run.save(update_fields=["closes_on"])
    return _seal(run)


@transaction.atomic
def survey_invite(*, by: Person | None, run: SurveyRun, person: Person) -> ObjectGrant:
    """Invite a person from outside the unit to answer (SURVEY_RUNNERS on the run): a
    pharmacist or a therapist whose team works with this one. They are given the role of
    team member on this survey only, so they answer it and read its results, nothing else of
    the unit."""
    access.authorise(by, run, roles.SURVEY_RUNNERS, "invite people to a survey")
    if access.can(person, run, roles.SURVEY_RESPONDENTS):
        raise ValidationError({"person": f"{person} may already answer this survey."})
    return people_services.grant_give(
        by=by, record=run, person=person, role=Role.TEAM_MEMBER, managers=roles.SURVEY_RUNNERS
    )


@transaction.atomic
def survey_uninvite(*, by: Person | None, grant: ObjectGrant) -> None:
    """Take an invitation back (SURVEY_RUNNERS on the run). An answer already given stays:
    nothing could find it."""
    if not isinstance(grant.subject, SurveyRun):
        raise ValidationError("This role is not on a survey.")
    people_services.grant_remove(
        by=by, grant=grant, reason="Invitation withdrawn", managers=roles.SURVEY_RUNNERS
    )


def _checked_scores(run: SurveyRun, workgroup: SurveyWorkgroup | None, scores) -> dict:
    """The answers as stored, or a ValidationError naming what is missing."""
    if not isinstance(scores, dict):
        raise ValidationError({"scores": "Answer the questions."})
    if not run.is_rc:
        if workgroup is not None:
            raise ValidationError({"workgroup": "A team pulse has no workgroups."})
        answers = instruments.check_answers(
            scores.get(instruments.PULSE_KEY), instruments.PULSE_SCALE_TOP
        )
        if answers is None or len(scores) != 1:
            raise ValidationError({"scores": "Answer each of the seven statements."})
        return {instruments.PULSE_KEY: answers}
    groups = {str(group.pk) for group in run.workgroups.all()}
    if workgroup is None or str(workgroup.pk) not in groups:
        raise ValidationError({"workgroup": "Choose your own workgroup."})
    if not scores:
        raise ValidationError({"scores": "Rate at least one workgroup."})
    cleaned = {}
    for key, answers in scores.items():
        if str(key) not in groups:
            raise ValidationError({"scores": "Rate only this survey's workgroups."})
        checked = instruments.check_answers(answers, instruments.RC_SCALE_TOP)
        if checked is None:
            raise ValidationError(
                {"scores": "Answer all seven questions for each workgroup you rate."}
            )
        cleaned[str(key)] = checked
    return cleaned


@transaction.atomic
def survey_answer(
    *,
    by: Person,
    run: SurveyRun,
    scores: dict,
    workgroup: SurveyWorkgroup | None = None,
    today: datetime.date | None = None,
) -> None:
    """Answer a survey once (SURVEY_RESPONDENTS on it: staff of its unit and below, and those
    invited), while it is open. The answer is stored without the person; that they answered is
    stored apart, with nothing that links the two. Returns nothing: no caller needs the
    answer's key, and none should hold it."""
    if by is None:
        raise PermissionDenied("Only a person answers a survey.")
    access.authorise(by, run, roles.SURVEY_RESPONDENTS, "answer this survey")
    run = _locked(run)
    if not run.is_open_on(_today(today)):
        raise ValidationError("The survey is not open for answers.")
    cleaned = _checked_scores(run, workgroup, scores)
    if SurveyParticipation.objects.filter(run=run, person=by).exists():
        raise ValidationError("You have already answered this survey.")
    try:
        with transaction.atomic():
            SurveyParticipation.objects.create(run=run, person=by)
    except IntegrityError:  # a second tab raced the first past the check above
        raise ValidationError("You have already answered this survey.") from None
    SurveyResponse.objects.create(run=run, workgroup=workgroup, scores=cleaned)


# A paper round of a large team, not a bulk load of anything else.
MAX_IMPORTED_ANSWERS = 500


@transaction.atomic
def survey_answers_enter(
    *,
    by: Person | None,
    run: SurveyRun,
    answers: list[tuple[str | None, dict]],
    today: datetime.date | None = None,
) -> int:
    """Enter answers collected on paper (SURVEY_RUNNERS on the run): each a pair of the
    respondent's workgroup name (None for a pulse) and scores keyed by the rated workgroup's
    name (or "pulse"). Like answers given online they carry no person; they are checked the
    same way, all or nothing, and only until the survey's answers are sealed. How many."""
    access.authorise(by, run, roles.SURVEY_RUNNERS, "enter answers collected on paper")
    run = _locked(run)
    if run.sealed:
        raise ValidationError("The survey's answers are sealed: nothing can be added.")
    if _today(today) < run.opens_on:
        raise ValidationError("The survey has not opened yet.")
    if not 0 < len(answers) <= MAX_IMPORTED_ANSWERS:
        raise ValidationError(f"Enter between 1 and {MAX_IMPORTED_ANSWERS} answers at a time.")
    groups = {group.name: group for group in run.workgroups.all()}
    rows = []
    for number, (own, scores) in enumerate(answers, start=1):
        workgroup = groups.get(own) if own is not None else None
        if run.is_rc and workgroup is None:
            raise ValidationError({"workgroup": f"Answer {number}: no workgroup “{own}”."})
        if run.is_rc:
            unknown = [name for name in scores if name not in groups]
            if unknown:
                raise ValidationError({"scores": f"Answer {number}: no workgroup “{unknown[0]}”."})
            scores = {str(groups[name].pk): values for name, values in scores.items()}
        try:
            cleaned = _checked_scores(run, workgroup, scores)
        except ValidationError as error:
            raise ValidationError(f"Answer {number}: {' '.join(error.messages)}") from None
        rows.append(SurveyResponse(run=run, workgroup=workgroup, scores=cleaned))
    SurveyResponse.objects.bulk_create(rows)
    record_by(run, by, f"{len(rows)} answers collected on paper entered")
    run.save()
    return len(rows)


def _seal(run: SurveyRun) -> SurveyRun:
    """Copy the run's answers into new rows (new random keys, shuffled order, one
    transaction) and delete the ones written while it was open, whose database row versions
    date them with the participation they were written beside."""
    if run.sealed:
        return run
    answers = list(
        SurveyResponse.objects.filter(run=run, sealed=False).values_list("workgroup_id", "scores")
    )
    _SHUFFLE.shuffle(answers)
    SurveyResponse.objects.filter(run=run, sealed=False).delete()
    SurveyResponse.objects.bulk_create(
        SurveyResponse(id=uuid.uuid4(), run=run, workgroup_id=group, scores=scores, sealed=True)
        for group, scores in answers
    )
    run.sealed = True
    record_by(run, None, "Answers sealed after closing")
    run.save(update_fields=["sealed"])
    return run


@transaction.atomic
def survey_seal(*, run: SurveyRun, today: datetime.date | None = None) -> SurveyRun:
    """Seal a survey whose last day has passed (the system's work, asked by no one: the date
    authorises it; the results page and `qms seal-surveys` call it). Nothing happens to an open
    or already sealed one."""
    if run.sealed or not run.is_closed_on(_today(today)):
        return run
    run = _locked(run)
    return _seal(run)


def surveys_seal_closed(*, unit: Unit | None = None, today: datetime.date | None = None) -> int:
    """Seal every survey (of `unit` only, when given) whose last day has passed; how many were
    sealed. Pages that show results call it first, so they never wait for the daily command."""
    today = _today(today)
    pending = SurveyRun.objects.filter(sealed=False, closes_on__lt=today)
    if unit is not None:
        pending = pending.filter(unit=unit)
    sealed = 0
    for run in pending:
        survey_seal(run=run, today=today)
        sealed += 1
    return sealed
