"""Quality planning's writes: contributory factors. The framework's domains (organisation-wide,
edited by quality leads of a board) and the system-focused analysis of an issue (what in the
system allowed it, its factors, and the decision to improve here or escalate).

Who may: the framework is edited by FRAMEWORK_EDITORS of a top unit (a board: quality leads)
and by system administrators; an issue is analysed by FACTOR_ANALYSTS of its unit (or given
that role on the issue) and by its owner while they are staff there. `by=None` is the system
(the demo, migrations) and is not checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from qms.escalation import services as escalation_services
from qms.issues.models import Issue
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person
from qms.people.roles import STAFF_ROLES
from qms.planning import roles
from qms.planning.models import (
    AnalysisDecision,
    FactorDomain,
    IssueAnalysis,
    IssueFactor,
    PriorityOrigin,
)
from qms.planning.selectors.factors import RECURRING_MINIMUM, open_factor_priorities
from qms.planning.services.priorities import priority_create
from qms.planning.yorkshire import seed_domains
from qms.web.screening import refusals

__all__ = [
    "analysis_save",
    "factor_priority_propose",
    "framework_defaults_ensure",
    "framework_domain_create",
    "framework_domain_move",
    "framework_domain_restore",
    "framework_domain_retire",
    "framework_domain_update",
    "may_analyse",
    "may_edit_framework",
]

NAME_MAX = FactorDomain._meta.get_field("name").max_length
PROMPT_MAX = FactorDomain._meta.get_field("prompt").max_length
NOTE_MAX = IssueFactor._meta.get_field("note").max_length
DESCRIPTION_MAX = 2_000
ACCOUNT_MAX = 5_000
REASON_MAX = 2_000


def _text(value, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    """Text as stored: stripped, within its length, and without what is refused everywhere
    (control characters, NHS numbers: qms.web.screening.refusals); named by its field."""
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: f"Give the {label.lower()}."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} is longer than {max_length:,} characters."})
    problems = refusals(text, label=label)
    if problems:
        raise ValidationError({field: problems})
    return text


# The framework --------------------------------------------------------------------------------


def may_edit_framework(user) -> bool:
    """Whether the user edits the contributory factor framework: a system administrator, or a
    FRAMEWORK_EDITOR (quality lead) of a top unit. A division's quality lead does not: the
    framework is the organisation's, shared by every unit."""
    if user is None or not user.is_authenticated:
        return False
    if access.is_system_administrator(user):
        return True
    return (
        access.units_with_role(user, roles.FRAMEWORK_EDITORS).filter(parent__isnull=True).exists()
    )


def _authorise_framework(by: Person | None, action: str) -> None:
    if by is not None and not may_edit_framework(by):
        raise PermissionDenied(f"Only quality leads of a board and system administrators {action}.")


def _domain_fields(*, name, prompt, description) -> dict:
    return {
        "name": _text(name, field="name", label="Name", max_length=NAME_MAX, required=True),
        "prompt": _text(
            prompt, field="prompt", label="Question asked", max_length=PROMPT_MAX, required=True
        ),
        "description": _text(
            description, field="description", label="Description", max_length=DESCRIPTION_MAX
        ),
    }


def _unique_name(name: str, *, exclude: int | None = None) -> None:
    others = FactorDomain.objects.filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"name": f"The framework has a domain called “{name}” already."})


def _new_code(name: str) -> str:
    base = slugify(name)[:50] or "domain"
    code, number = base, 1
    while FactorDomain.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return code


@transaction.atomic
def framework_defaults_ensure() -> int:
    """Add the Yorkshire framework's domains that are missing (a database emptied by a test,
    or loaded before planning): the demo calls it before coding factors. The number added."""
    return seed_domains(FactorDomain)


@transaction.atomic
def framework_domain_create(
    *, by: Person | None, name: str, prompt: str, description: str = ""
) -> FactorDomain:
    """Add a domain to the contributory factor framework, last in its order. Its prompt is the
    system-focused question the analysis form asks ("What about ... made this more likely?")."""
    _authorise_framework(by, "add domains to the framework")
    fields = _domain_fields(name=name, prompt=prompt, description=description)
    # Serialises additions, so two leads adding at once do not take the same place.
    list(FactorDomain.objects.select_for_update().values_list("pk", flat=True))
    _unique_name(fields["name"])
    last = FactorDomain.objects.aggregate(last=Max("position"))["last"] or 0
    domain = FactorDomain(code=_new_code(fields["name"]), position=last + 10, **fields)
    record_by(domain, by, "Added to the framework")
    domain.save()
    return domain


def _lock(domain: FactorDomain) -> FactorDomain:
    domain.refresh_from_db(from_queryset=FactorDomain.objects.select_for_update())
    return domain


@transaction.atomic
def framework_domain_update(
    *,
    by: Person | None,
    domain: FactorDomain,
    name: str,
    prompt: str,
    description: str = "",
    reason: str = "",
) -> FactorDomain:
    """Rename or reword a domain. Analyses that coded it keep it, under its new name."""
    _authorise_framework(by, "change the framework")
    fields = _domain_fields(name=name, prompt=prompt, description=description)
    reason = _text(reason, field="reason", label="Reason", max_length=300)
    _lock(domain)
    _unique_name(fields["name"], exclude=domain.pk)
    for name_, value in fields.items():
        setattr(domain, name_, value)
    record_by(domain, by, reason or "Changed")
    domain.save()
    return domain


@transaction.atomic
def framework_domain_move(*, by: Person | None, domain: FactorDomain, offset: int) -> FactorDomain:
    """Move a domain one place up (offset -1) or down (+1) in the framework's order, swapping
    places with its neighbour (retired domains keep their places)."""
    _authorise_framework(by, "reorder the framework")
    if offset not in (-1, 1):
        raise ValidationError({"offset": "Move a domain one place up or down."})
    order = list(FactorDomain.objects.select_for_update().order_by("position", "pk"))
    index = next((i for i, d in enumerate(order) if d.pk == domain.pk), None)
    if index is None:
        raise ValidationError({"domain": "This domain is no longer in the framework."})
    other = index + offset
    if not 0 <= other < len(order):
        return order[index]
    # Renumbered in steps of ten, so equal positions (added by hand) order strictly too.
    order[index], order[other] = order[other], order[index]
    for number, item in enumerate(order, start=1):
        if item.position != number * 10:
            item.position = number * 10
            record_by(item, by, "Reordered")
            item.save(update_fields=["position"])
    moved = order[other]
    domain.position = moved.position
    return moved


@transaction.atomic
def framework_domain_retire(*, by: Person | None, domain: FactorDomain) -> FactorDomain:
    """Retire a domain: no longer offered for new analyses; analyses that coded it keep it."""
    _authorise_framework(by, "retire domains of the framework")
    _lock(domain)
    if not domain.is_active:
        raise ValidationError({"domain": f"“{domain.name}” is retired already."})
    if not FactorDomain.objects.filter(is_active=True).exclude(pk=domain.pk).exists():
        raise ValidationError({"domain": "The framework needs at least one domain in use."})
    domain.is_active = False
    record_by(domain, by, "Retired")
    domain.save()
    return domain


@transaction.atomic
def framework_domain_restore(*, by: Person | None, domain: FactorDomain) -> FactorDomain:
    """Offer a retired domain for new analyses again."""
    _authorise_framework(by, "restore domains of the framework")
    _lock(domain)
    if domain.is_active:
        raise ValidationError({"domain": f"“{domain.name}” is in use already."})
    domain.is_active = True
    record_by(domain, by, "Restored")
    domain.save()
    return domain


# The analysis of an issue ---------------------------------------------------------------------


def may_analyse(user, issue: Issue) -> bool:
    """Whether the user codes the issue's factors and decides it: FACTOR_ANALYSTS on the issue
    (its unit's leads, analysts and coaches, or given the role on the issue), and its owner
    while they are staff there."""
    if user is None or not user.is_authenticated:
        return False
    if access.can(user, issue, roles.FACTOR_ANALYSTS):
        return True
    return user.pk == issue.owner_id and access.can(user, issue, STAFF_ROLES)


def _factors(factors, *, already: set[int]) -> dict[int, tuple[FactorDomain, str]]:
    """The coded domains by id with their notes: each one a domain of the framework (an id or
    a FactorDomain), in use or already coded on this analysis (a retired domain stays on the
    analyses that have it but is not coded anew), listed once."""
    if isinstance(factors, (str, bytes)) or not isinstance(factors, Iterable):
        raise ValidationError({"factors": "Give the factors as a list of (domain, note)."})
    pairs = []
    for item in factors:
        try:
            domain, note = item
        except (TypeError, ValueError):
            raise ValidationError({"factors": "Give each factor as (domain, note)."}) from None
        pk = domain.pk if isinstance(domain, FactorDomain) else domain
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ValidationError({"factors": f"“{domain}” is not a domain of the framework."})
        pairs.append((pk, note))
    found = FactorDomain.objects.in_bulk([pk for pk, _ in pairs if 0 < pk < 2**63])
    chosen: dict[int, tuple[FactorDomain, str]] = {}
    for pk, note in pairs:
        domain = found.get(pk)
        if domain is None:
            raise ValidationError({"factors": f"There is no domain {pk} in the framework."})
        if pk in chosen:
            raise ValidationError({"factors": f"“{domain.name}” is listed twice."})
        if not domain.is_active and pk not in already:
            raise ValidationError(
                {"factors": f"“{domain.name}” is retired: it is no longer coded on new analyses."}
            )
        label = f"Note on {domain.name}"
        chosen[pk] = (domain, _text(note, field="factors", label=label, max_length=NOTE_MAX))
    return chosen


def _decision(decision, reason) -> tuple[str, str]:
    decision = decision or ""
    if decision not in AnalysisDecision.values:
        raise ValidationError({"decision": "Choose “Improve here” or “Escalate”."})
    reason = _text(reason, field="decision_reason", label="Reason", max_length=REASON_MAX)
    if decision == AnalysisDecision.ESCALATE and not reason:
        raise ValidationError(
            {
                "decision_reason": "Say why this is outside the team's control: the unit above "
                "reads it."
            }
        )
    return decision, reason


def _code(analysis: IssueAnalysis, chosen: dict, by: Person | None) -> None:
    """Bring the analysis's codings to `chosen`: removed, added, notes changed, each in the
    history."""
    current = {coding.domain_id: coding for coding in analysis.factors.select_related("domain")}
    for pk, coding in current.items():
        if pk not in chosen:
            record_by(coding, by, "Factor removed")
            coding.delete()
    for pk, (domain, note) in chosen.items():
        coding = current.get(pk)
        if coding is None:
            coding = IssueFactor(analysis=analysis, domain=domain, note=note)
            record_by(coding, by, "Factor coded")
            coding.save()
        elif coding.note != note:
            coding.note = note
            record_by(coding, by, "Note changed")
            coding.save()


@transaction.atomic
def analysis_save(
    *,
    by: Person | None,
    issue: Issue,
    system_account: str,
    factors: Iterable = (),
    decision: str = "",
    decision_reason: str = "",
    escalate: bool = False,
) -> IssueAnalysis:
    """Save the system-focused analysis of an issue: what in the system allowed it to happen
    (`system_account`), its contributory factors (`factors`: (FactorDomain or id, note) pairs;
    the codings not listed are removed) and the decision, "improve here" or "escalate" (a
    reason is required to escalate). With `escalate=True` the issue is escalated too, up the
    shared chain (qms.escalation: as the issue page does, by those who may escalate it), with
    the reason; nothing is saved if that is refused.

    Two analysts saving at once: the issue is locked, so the second waits and its save is kept
    (each in the history); a domain is never coded twice."""
    if by is not None and not may_analyse(by, issue):
        raise PermissionDenied(
            f"Your role does not allow you to analyse issues in {access.unit_of(issue)}."
        )
    account = _text(
        system_account,
        field="system_account",
        label="What in the system allowed this",
        max_length=ACCOUNT_MAX,
    )
    decision, reason = _decision(decision, decision_reason)
    if escalate and decision != AnalysisDecision.ESCALATE:
        raise ValidationError({"decision": "Choose “Escalate” to escalate the issue."})
    # The issue's row is the lock every save of its analysis takes first.
    Issue.objects.select_for_update().filter(pk=issue.pk).values_list("pk", flat=True).first()
    analysis = IssueAnalysis.objects.filter(issue=issue).first()
    already = set(analysis.factors.values_list("domain_id", flat=True)) if analysis else set()
    chosen = _factors(factors, already=already)
    if not account and not chosen:
        raise ValidationError(
            {"system_account": "Say what in the system allowed this, or code at least one factor."}
        )
    if analysis is None:
        analysis = IssueAnalysis(issue=issue)
    analysis.system_account = account
    analysis.decision, analysis.decision_reason = decision, reason
    analysis.analysed_by = by
    record_by(analysis, by, "Contributory factors analysed")
    analysis.save()
    _code(analysis, chosen, by)
    if escalate:
        escalation_services.escalate(by=by, subject=issue, reason=reason)
    return analysis


# A recurring factor becomes a candidate priority ----------------------------------------------


@transaction.atomic
def factor_priority_propose(
    *,
    by: Person | None,
    unit,
    domain: FactorDomain,
    issues: list[Issue],
    count: int,
    period: str,
):
    """Make a recurring factor of `unit` a candidate priority in one step, or find the open one
    made from it already: (priority, made now). `issues` are those behind it (the newest, named
    in the problem), `count` how many there are, `period` the months in words. Calls the
    priorities part's `priority_create` (origin "factor", the domain as its source and factor);
    the domain's row is locked first, so two people pressing at once make one priority."""
    access.authorise(by, unit, roles.PROPOSERS, "propose priorities")
    _lock(domain)
    existing = open_factor_priorities(unit, [domain.pk]).get(domain.pk)
    if existing is not None:
        return existing, False
    if count < RECURRING_MINIMUM:
        raise ValidationError(
            {
                "domain": f"“{domain.name}” was coded on {count} issue{'s' if count != 1 else ''}: "
                f"a factor recurs from {RECURRING_MINIMUM}."
            }
        )
    named = "; ".join(f"“{issue.title}” ({issue.created_at:%d %b %Y})" for issue in issues)
    more = count - len(issues)
    problem = (
        f"“{domain.name}” contributed to {count} analysed issues in {unit.name} and the units "
        f"below it, {period}: {named}{f'; and {more} more' if more > 0 else ''}. "
        f"The question it asks: {domain.prompt}"
    )
    priority = priority_create(
        by=by,
        unit=unit,
        title=f"Recurring factor: {domain.name}"[:200],
        problem=problem,
        origin=PriorityOrigin.FACTOR,
        source=domain,
        factors=[domain],
    )
    return priority, True
