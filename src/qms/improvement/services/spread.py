"""Writes of quality improvement: the progress score, change packages and their adoption.

Who may: a project's leads (`roles.LEADS` on the project: its unit's leads and coaches, and
whoever is given team lead or coach on the project) confirm its progress score and create,
change, publish and withdraw its change packages. A published package is adopted by the leads
of another unit (`roles.ADOPTERS` in that unit), who then edit the adoption. `by=None` is the
system (the demo, commands) and is not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.control import services as control_services
from qms.improvement import roles
from qms.improvement.models import (
    PROGRESS_SCALE,
    Adoption,
    AdoptionStatus,
    ChangePackage,
    DriverNode,
    NodeKind,
    PackageStatus,
    ProgressAssessment,
    Project,
)
from qms.improvement.selectors.spread import package_measure_ids, progress_suggest
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit

__all__ = [
    "progress_confirm",
    "package_create",
    "package_update",
    "package_publish",
    "package_withdraw",
    "adoption_create",
    "adoption_update",
    "adoption_status_set",
    "adoption_measures_add",
]

TITLE_MAX = ChangePackage._meta.get_field("title").max_length
TEXT_MAX = 10_000
REASON_MAX = 2_000
# Adoption statuses a lead moves an adoption to; each change is in the adoption's history.
ADOPTION_MOVES = {
    AdoptionStatus.PLANNED: {AdoptionStatus.ADOPTING, AdoptionStatus.STOPPED},
    AdoptionStatus.ADOPTING: {AdoptionStatus.ADOPTED, AdoptionStatus.STOPPED},
    AdoptionStatus.ADOPTED: {AdoptionStatus.ADOPTING, AdoptionStatus.STOPPED},
    AdoptionStatus.STOPPED: {AdoptionStatus.ADOPTING},
}
# What is said in the inbox; "improvement" when the area has added that kind.
_KIND = getattr(NotificationKind, "IMPROVEMENT", NotificationKind.SYSTEM)


def _text(value, *, field: str, label: str, max_length: int = TEXT_MAX, required=False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: f"{label} must be text."})
    if required and not text:
        raise ValidationError({field: f"Give the {label.lower()}."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} is longer than {max_length:,} characters."})
    return text


def _lock(record):
    """Read the record again under a row lock (another lead may have changed it since the
    request began)."""
    record.refresh_from_db(from_queryset=type(record).objects.select_for_update())
    return record


# Progress score -------------------------------------------------------------------------------


@transaction.atomic
def progress_confirm(
    *, by: Person | None, project: Project, score: str, reason: str = ""
) -> ProgressAssessment:
    """Confirm the project's progress score: the suggestion from its evidence, or another score
    with a reason. Stores an assessment with the suggestion and its reasons (the assessments
    are the score's history), sets `Project.progress_score` and records it in the project's
    history. Nobody is notified."""
    access.authorise(by, project, roles.LEADS, "confirm the progress score of this project")
    score = str(score or "").strip()
    if score not in PROGRESS_SCALE:
        raise ValidationError({"score": "Choose a score on the scale, from 0.5 to 5.0."})
    reason = _text(reason, field="reason", label="Reason", max_length=REASON_MAX)
    suggestion = progress_suggest(project)
    if score != suggestion.score and not reason:
        raise ValidationError(
            {
                "reason": f"Say why the score is {score} when the evidence suggests "
                f"{suggestion.score}."
            }
        )
    _lock(project)
    assessment = ProgressAssessment.objects.create(
        project=project,
        suggested=suggestion.score,
        reasons=list(suggestion.reasons),
        score=score,
        override_reason=reason,
        assessed_by=by,
    )
    project.progress_score = score
    why = f"Progress score {score} confirmed"
    if score != suggestion.score:
        why += f" (suggested {suggestion.score}): {reason}"
    elif reason:
        why += f": {reason}"
    record_by(project, by, why[:100])
    project.save(update_fields=["progress_score"])
    return assessment


# Change packages ------------------------------------------------------------------------------


def _package_change_ideas(project: Project, change_ideas: Iterable) -> list[DriverNode]:
    ideas = list(change_ideas or ())
    ids = {getattr(idea, "pk", idea) for idea in ideas}
    found = list(DriverNode.objects.filter(project=project, kind=NodeKind.CHANGE_IDEA, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError(
            {"change_ideas": "Choose change ideas from this project's driver diagram."}
        )
    return found


def _package_measures(project: Project, measures: Iterable) -> list:
    chosen = list(measures or ())
    allowed = package_measure_ids(project)
    if any(getattr(measure, "pk", measure) not in allowed for measure in chosen):
        raise ValidationError({"measures": "Choose measures linked to this project."})
    return chosen


def _package_fields(fields: dict) -> dict:
    checks = {
        "title": ("Title", TITLE_MAX, True),
        "summary": ("Summary", TEXT_MAX, True),
        "how_to": ("How to do it", TEXT_MAX, False),
        "evidence": ("Evidence", TEXT_MAX, False),
    }
    return {
        name: _text(
            value,
            field=name,
            label=checks[name][0],
            max_length=checks[name][1],
            required=checks[name][2],
        )
        for name, value in fields.items()
    }


@transaction.atomic
def package_create(
    *,
    by: Person | None,
    project: Project,
    title: str,
    summary: str,
    how_to: str = "",
    evidence: str = "",
    change_ideas: Iterable = (),
    measures: Iterable = (),
) -> ChangePackage:
    """A draft change package from the project's tested change ideas and its measures, for
    its leads to publish."""
    access.authorise(by, project, roles.LEADS, "create change packages for this project")
    fields = _package_fields(
        {"title": title, "summary": summary, "how_to": how_to, "evidence": evidence}
    )
    ideas = _package_change_ideas(project, change_ideas)
    chosen = _package_measures(project, measures)
    package = ChangePackage(project=project, created_by=by, **fields)
    record_by(package, by, "Created")
    package.save()
    package.change_ideas.set(ideas)
    package.measures.set(chosen)
    return package


@transaction.atomic
def package_update(
    *, by: Person | None, package: ChangePackage, reason: str = "", **fields
) -> ChangePackage:
    """Change a package's text, change ideas or measures (`title`, `summary`, `how_to`,
    `evidence`, `change_ideas`, `measures`); a withdrawn package is not changed."""
    access.authorise(by, package, roles.LEADS, "change this change package")
    unknown = set(fields) - {"title", "summary", "how_to", "evidence", "change_ideas", "measures"}
    if unknown:
        raise ValidationError(f"A change package has no {', '.join(sorted(unknown))}.")
    _lock(package)
    if package.status == PackageStatus.WITHDRAWN:
        raise ValidationError("This package was withdrawn: it is kept as it was.")
    ideas = fields.pop("change_ideas", None)
    chosen = fields.pop("measures", None)
    texts = _package_fields(fields)
    if ideas is not None:
        package.change_ideas.set(_package_change_ideas(package.project, ideas))
    if chosen is not None:
        package.measures.set(_package_measures(package.project, chosen))
    for name, value in texts.items():
        setattr(package, name, value)
    record_by(package, by, _text(reason, field="reason", label="Reason", max_length=100))
    package.save()
    return package


@transaction.atomic
def package_publish(*, by: Person | None, package: ChangePackage) -> ChangePackage:
    """Publish a draft (or withdrawn) package: every member of staff in the organisation can
    read it, and the leads of other units adopt it."""
    access.authorise(by, package, roles.LEADS, "publish this change package")
    _lock(package)
    if package.status == PackageStatus.PUBLISHED:
        raise ValidationError("This package is published already.")
    if not package.change_ideas.exists():
        raise ValidationError(
            {"change_ideas": "Choose at least one change idea before publishing."}
        )
    package.status = PackageStatus.PUBLISHED
    package.published_at = timezone.now()
    record_by(package, by, "Published")
    package.save(update_fields=["status", "published_at"])
    return package


@transaction.atomic
def package_withdraw(*, by: Person | None, package: ChangePackage, reason: str) -> ChangePackage:
    """Withdraw a published package (no new adoptions; those made keep it readable), saying
    why."""
    access.authorise(by, package, roles.LEADS, "withdraw this change package")
    reason = _text(reason, field="reason", label="Reason", max_length=REASON_MAX, required=True)
    _lock(package)
    if package.status != PackageStatus.PUBLISHED:
        raise ValidationError("Only a published package can be withdrawn.")
    package.status = PackageStatus.WITHDRAWN
    record_by(package, by, f"Withdrawn: {reason}"[:100])
    package.save(update_fields=["status"])
    return package


# Adoptions ------------------------------------------------------------------------------------


def _check_lead(person, unit: Unit) -> Person | None:
    if person is None:
        return None
    if not isinstance(person, Person) or not person.is_active:
        raise ValidationError({"lead": "Choose an active person to lead the adoption."})
    if not access.can(person, unit, roles.VIEWERS):
        raise ValidationError({"lead": f"{person} is not on the staff of {unit}."})
    return person


def _check_date(day, *, field: str = "adopted_on") -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise ValidationError({field: "Give the date as a date, e.g. 2026-12-31."})
    if day.year < 2000 or day > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationError({field: "Give a date between 2000 and a year from now."})
    return day


def _measures_to_link(by, unit: Unit, measures: Iterable) -> list:
    chosen = list(measures or ())
    for measure in chosen:
        if not measure.unit.path.startswith(unit.path) or not measure.is_active:
            raise ValidationError(
                {"link_measures": f"‘{measure}’ is not an active measure of {unit}."}
            )
        if by is not None and not access.can(by, measure, roles.VIEWERS):
            raise ValidationError({"link_measures": f"You cannot see ‘{measure}’."})
    return chosen


def _measures_to_copy(package: ChangePackage, measures: Iterable) -> list:
    chosen = list(measures or ())
    offered = set(package.measures.values_list("pk", flat=True))
    if any(getattr(measure, "pk", measure) not in offered for measure in chosen):
        raise ValidationError({"copy_measures": "Copy only the package's own measures."})
    return chosen


def _copy(by, measures: list, unit: Unit, owner) -> list:
    """Copies of the package's measure definitions in the adopting unit (no data), through
    quality control's own service, which checks that `by` may define measures there."""
    return [
        control_services.measure_copy(by=by, measure=measure, unit=unit, owner=owner)
        for measure in measures
    ]


def _tell_project_lead(adoption: Adoption, by, text: str) -> None:
    project = adoption.package.project
    lead = project.lead
    if lead is None or (by is not None and lead.pk == by.pk):
        return
    # The package is the subject (the lead reads it; the adoption lives in another unit),
    # the link goes to the adoption, which the package's readers read.
    notify(
        [lead], kind=_KIND, text=text, subject=adoption.package, link=adoption.get_absolute_url()
    )


@transaction.atomic
def adoption_create(
    *,
    by: Person | None,
    package: ChangePackage,
    unit: Unit,
    adopted_on: dt.date,
    local_adaptations: str = "",
    context: str = "",
    lead: Person | None = None,
    copy_measures: Iterable = (),
    link_measures: Iterable = (),
) -> Adoption:
    """A unit adopts a published package: its local adaptations and context, its lead, and the
    measures that will show whether it works there, linked from the unit's own and copied from
    the package's definitions in the same step (all or nothing). A date ahead makes it planned.
    The project's lead is told."""
    access.authorise(by, unit, roles.ADOPTERS, "adopt change packages")
    if package.status != PackageStatus.PUBLISHED:
        raise ValidationError("Only a published change package can be adopted.")
    if unit.pk == package.project.unit_id:
        raise ValidationError({"unit": "The package comes from this unit: choose another."})
    adopted_on = _check_date(adopted_on)
    local_adaptations = _text(local_adaptations, field="local_adaptations", label="Adaptations")
    context = _text(context, field="context", label="Context")
    lead = _check_lead(lead if lead is not None else by, unit)
    linked = _measures_to_link(by, unit, link_measures)
    to_copy = _measures_to_copy(package, copy_measures)
    taken = ValidationError({"unit": f"{unit} has adopted this package already."})
    if Adoption.objects.filter(package=package, unit=unit).exists():
        raise taken
    status = (
        AdoptionStatus.PLANNED if adopted_on > timezone.localdate() else AdoptionStatus.ADOPTING
    )
    adoption = Adoption(
        package=package,
        unit=unit,
        lead=lead,
        adopted_on=adopted_on,
        local_adaptations=local_adaptations,
        context=context,
        status=status,
        created_by=by,
    )
    record_by(adoption, by, "Adoption recorded")
    try:  # another lead of the unit may have adopted it since the check above
        with transaction.atomic():
            adoption.save()
    except IntegrityError:
        raise taken from None
    copied = _copy(by, to_copy, unit, lead)
    adoption.measures.set([*linked, *copied])
    _tell_project_lead(adoption, by, f"{unit} is adopting your change package “{package.title}”.")
    return adoption


def _authorise_adoption(by, adoption: Adoption, action: str) -> None:
    access.authorise(by, adoption.unit, roles.ADOPTERS, action)


@transaction.atomic
def adoption_update(
    *, by: Person | None, adoption: Adoption, reason: str = "", **fields
) -> Adoption:
    """Change an adoption's date, local adaptations, context or lead."""
    _authorise_adoption(by, adoption, "change this adoption")
    unknown = set(fields) - {"adopted_on", "local_adaptations", "context", "lead"}
    if unknown:
        raise ValidationError(f"An adoption has no {', '.join(sorted(unknown))}.")
    _lock(adoption)
    if "adopted_on" in fields:
        adoption.adopted_on = _check_date(fields["adopted_on"])
    for name, label in (("local_adaptations", "Adaptations"), ("context", "Context")):
        if name in fields:
            setattr(adoption, name, _text(fields[name], field=name, label=label))
    if "lead" in fields:
        adoption.lead = _check_lead(fields["lead"], adoption.unit)
    record_by(adoption, by, _text(reason, field="reason", label="Reason", max_length=100))
    adoption.save()
    return adoption


@transaction.atomic
def adoption_status_set(
    *, by: Person | None, adoption: Adoption, status: str, reason: str = ""
) -> Adoption:
    """Move an adoption on (adopting, adopted, stopped), in its history with the reason;
    stopping needs one. The project's lead hears when the change is adopted."""
    _authorise_adoption(by, adoption, "change this adoption")
    _lock(adoption)
    if status not in AdoptionStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if status not in ADOPTION_MOVES[AdoptionStatus(adoption.status)]:
        raise ValidationError(
            {
                "status": f"An adoption that is {adoption.get_status_display().lower()} "
                f"cannot become {AdoptionStatus(status).label.lower()}."
            }
        )
    reason = _text(reason, field="reason", label="Reason", max_length=REASON_MAX)
    if status == AdoptionStatus.STOPPED and not reason:
        raise ValidationError({"reason": "Say why the adoption stopped."})
    adoption.status = status
    label = AdoptionStatus(status).label
    record_by(adoption, by, (f"{label}: {reason}" if reason else label)[:100])
    adoption.save(update_fields=["status"])
    if status == AdoptionStatus.ADOPTED:
        _tell_project_lead(
            adoption,
            by,
            f"{adoption.unit} has adopted your change package “{adoption.package.title}”.",
        )
    return adoption


@transaction.atomic
def adoption_measures_add(
    *, by: Person | None, adoption: Adoption, copy_measures: Iterable = (), link_measures=()
) -> list:
    """Add measures to an adoption after it was made: the unit's own, or copies of the
    package's definitions (all or nothing). Returns the measures added."""
    _authorise_adoption(by, adoption, "change this adoption")
    linked = _measures_to_link(by, adoption.unit, link_measures)
    to_copy = _measures_to_copy(adoption.package, copy_measures)
    copied = _copy(by, to_copy, adoption.unit, adoption.lead)
    added = [*linked, *copied]
    adoption.measures.add(*added)
    record_by(adoption, by, f"Measures added: {len(added)}")
    adoption.save()
    return added
