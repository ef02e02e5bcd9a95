"""Pages of quality planning: factors. Thin: the record through `qms.people.access`, a form, a
service, a page.

- `planning:framework`: the contributory factor framework; its editors add, rename, reword,
  reorder, retire and restore domains.
- `planning:analysis`: an issue's system-focused analysis (also summarised on the issue page
  by `{% issue_analysis_panel issue %}` from `planning_factor_tags`).
- `planning:pareto`: the Pareto of factors across a unit's analysed issues, the issues behind
  each bar, and the recurring factors that become candidate priorities in one step
  (`planning:factor-priority`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from qms.escalation import services as escalation_services
from qms.issues.models import Issue
from qms.issues.roles import GRANTED_VIEWERS as ISSUE_GRANTED_VIEWERS
from qms.issues.roles import VIEWERS as ISSUE_VIEWERS
from qms.people import access
from qms.people.models import Unit
from qms.planning import roles, selectors, services
from qms.planning.forms_factors import AnalysisForm, DomainForm, ParetoFilterForm
from qms.planning.models import FactorDomain
from qms.web.forms import apply_service

# Issues listed behind one bar of the Pareto, a page.
ISSUES_PER_PAGE = 100
# The Pareto opens on the last twelve months (this one and the eleven before).
DEFAULT_MONTHS = 12


# The framework --------------------------------------------------------------------------------


def _framework_reader(request) -> None:
    if not selectors.may_read_framework(request.user):
        raise PermissionDenied("The framework is shared with staff.")


def _framework_editor(request) -> None:
    if not services.may_edit_framework(request.user):
        raise PermissionDenied("Only quality leads of a board change the framework.")


def _domain(domain_id) -> FactorDomain:
    try:
        return FactorDomain.objects.get(pk=int(domain_id))
    except (FactorDomain.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None


@login_required
def framework(request):
    """The framework's domains, each with the question the analysis form asks; for its
    editors, the form to add one and the buttons to change each."""
    _framework_reader(request)
    can_edit = services.may_edit_framework(request.user)
    form = DomainForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        _framework_editor(request)
        if form.is_valid():
            done = apply_service(
                form,
                lambda: services.framework_domain_create(
                    by=request.user,
                    name=form.cleaned_data["name"],
                    prompt=form.cleaned_data["prompt"],
                    description=form.cleaned_data["description"],
                ),
            )
            if done is not None:
                messages.success(request, f"“{done.name}” added to the framework.")
                return redirect("planning:framework")
    context = {"domains": selectors.framework_domains(), "can_edit": can_edit, "form": form}
    status = 400 if form is not None and form.errors else 200
    return render(request, "planning/factors_framework.html", context, status=status)


@login_required
def framework_domain_edit(request, domain_id):
    _framework_editor(request)
    domain = _domain(domain_id)
    initial = {"name": domain.name, "prompt": domain.prompt, "description": domain.description}
    form = DomainForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.framework_domain_update(
                by=request.user, domain=domain, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, f"“{done.name}” saved.")
            return redirect(reverse("planning:framework") + f"#domain-{domain.pk}")
    context = {"form": form, "domain": domain}
    return render(
        request, "planning/factors_domain_form.html", context, status=400 if form.errors else 200
    )


def _framework_action(request, domain_id, act, done: str):
    _framework_editor(request)
    domain = _domain(domain_id)
    try:
        act(domain)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(name=domain.name))
    return redirect(reverse("planning:framework") + f"#domain-{domain.pk}")


@login_required
@require_POST
def framework_domain_retire(request, domain_id):
    return _framework_action(
        request,
        domain_id,
        lambda domain: services.framework_domain_retire(by=request.user, domain=domain),
        "“{name}” retired: analyses that coded it keep it.",
    )


@login_required
@require_POST
def framework_domain_restore(request, domain_id):
    return _framework_action(
        request,
        domain_id,
        lambda domain: services.framework_domain_restore(by=request.user, domain=domain),
        "“{name}” is offered again.",
    )


@login_required
@require_POST
def framework_domain_move(request, domain_id):
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        _framework_editor(request)
        messages.error(request, "Move a domain up or down.")
        return redirect("planning:framework")
    return _framework_action(
        request,
        domain_id,
        lambda domain: services.framework_domain_move(
            by=request.user, domain=domain, offset=offset
        ),
        "“{name}” moved.",
    )


# The analysis of an issue ---------------------------------------------------------------------


def _issue(request, issue_id) -> Issue:
    issues = Issue.objects.select_related("unit", "owner")
    return access.object_or_404(
        request.user, issues, issue_id, ISSUE_VIEWERS, granted=ISSUE_GRANTED_VIEWERS
    )


def _escalate_to(user, issue: Issue):
    """The unit the person may escalate the issue to from here, or None."""
    if not escalation_services.may_escalate(user, issue):
        return None
    return escalation_services.subject_unit(issue).parent


@login_required
def analysis(request, issue_id):
    """The system-focused analysis of an issue: read by those who see the issue, written by
    FACTOR_ANALYSTS of its unit and its owner."""
    issue = _issue(request, issue_id)
    can_analyse = services.may_analyse(request.user, issue)
    if request.method == "POST" and not can_analyse:
        raise PermissionDenied("Your role does not allow you to analyse this issue.")
    current = selectors.analysis_of(issue)
    form = None
    if can_analyse:
        form = AnalysisForm(
            request.POST or None,
            initial=AnalysisForm.initial_from(current),
            domains=selectors.analysis_domains(current),
            escalate_to=_escalate_to(request.user, issue),
        )
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.analysis_save(
                by=request.user, issue=issue, **form.service_arguments()
            ),
            rename={"factors": "domains"},
        )
        if saved is not None:
            escalated = form.cleaned_data.get("escalate_now")
            messages.success(
                request, "Analysis saved" + (" and the issue escalated." if escalated else ".")
            )
            return redirect("planning:analysis", issue_id=issue.pk)
    context = {
        "issue": issue,
        "analysis": current,
        "form": form,
        "can_analyse": can_analyse,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "planning/factors_analysis.html", context, status=status)


# The Pareto -----------------------------------------------------------------------------------


def _default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    until = today.replace(day=1)
    months = until.year * 12 + until.month - 1 - (DEFAULT_MONTHS - 1)
    return dt.date(months // 12, months % 12 + 1, 1), until


def _filters(request) -> tuple[ParetoFilterForm, dict]:
    """The period and kind from the query string; the last twelve months when none is given,
    nothing filtered when what is given is wrong (the form says why)."""
    data = request.GET
    if "since" not in data and "until" not in data:
        since, until = _default_period(timezone.localdate())
        data = data.copy()
        data["since"], data["until"] = f"{since:%Y-%m}", f"{until:%Y-%m}"
    form = ParetoFilterForm(data)
    if form.is_valid():
        chosen = form.cleaned_data
        return form, {
            "since": chosen["since"],
            "until": chosen["until"],
            "source": chosen["source"],
        }
    return form, {"since": None, "until": None, "source": ""}


def _query(filters: dict, **more) -> str:
    values = {
        "since": f"{filters['since']:%Y-%m}" if filters["since"] else "",
        "until": f"{filters['until']:%Y-%m}" if filters["until"] else "",
        "source": filters["source"],
        **more,
    }
    return urlencode(values)


def _period_words(filters: dict) -> str:
    since, until = filters["since"], filters["until"]
    if since and until:
        return f"{since:%B %Y} to {until:%B %Y}"
    if since:
        return f"since {since:%B %Y}"
    if until:
        return f"up to {until:%B %Y}"
    return "at any time"


def _domain_param(request) -> int | None:
    raw = request.GET.get("domain", "")
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None


@login_required
def pareto(request, unit_id):
    """The Pareto of contributory factors across the analysed issues of a unit and below, in a
    period and of a kind; the issues behind a bar (`?domain=`); the recurring factors."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    form, filters = _filters(request)
    base = reverse("planning:pareto", args=[unit.pk])

    def link(domain_id: int) -> str:
        return f"{base}?{_query(filters, domain=domain_id)}#issues"

    counted = selectors.pareto(request.user, unit, **filters, link=link)
    recurring = selectors.recurring_factors(request.user, unit, counted=counted)
    chosen = _domain_param(request)
    behind = next((row for row in counted.rows if row.domain_id == chosen), None)
    page = None
    if behind is not None:
        domain = FactorDomain(pk=behind.domain_id, name=behind.name)
        issues = selectors.domain_issues(unit, domain, **filters)
        page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "form": form,
        "pareto": counted,
        "rows": [(row, link(row.domain_id)) for row in counted.rows],
        "recurring": recurring,
        "minimum": selectors.RECURRING_MINIMUM,
        "period": _period_words(filters),
        "query": _query(filters),
        "behind": behind,
        "page": page,
        "page_query": _query(filters, domain=chosen or ""),
        "can_propose": access.can(request.user, unit, roles.PROPOSERS),
    }
    return render(request, "planning/factors_pareto.html", context)


# The issues a candidate priority made from a recurring factor names in its problem.
ISSUES_NAMED = 10


@login_required
@require_POST
def factor_priority(request, unit_id, domain_id):
    """Make a recurring factor of the Pareto (the period and kind in the query string) a
    candidate priority, or open the one made from it already."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.PROPOSERS)
    domain = _domain(domain_id)
    _, filters = _filters(request)
    issues = selectors.domain_issues(unit, domain, **filters)
    back = reverse("planning:pareto", args=[unit.pk]) + f"?{_query(filters)}"
    try:
        priority, made = services.factor_priority_propose(
            by=request.user,
            unit=unit,
            domain=domain,
            issues=list(issues[:ISSUES_NAMED]),
            count=issues.count(),
            period=_period_words(filters),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if made:
        messages.success(request, f"“{priority.title}” is a candidate priority: score it.")
    else:
        messages.info(request, f"“{domain.name}” is a priority already: “{priority.title}”.")
    return redirect(priority)


urlpatterns = [
    path(
        "units/<int:unit_id>/factors/<int:domain_id>/priority/",
        factor_priority,
        name="factor-priority",
    ),
    path("factors/framework/", framework, name="framework"),
    path("factors/framework/<int:domain_id>/", framework_domain_edit, name="framework-domain"),
    path(
        "factors/framework/<int:domain_id>/retire/",
        framework_domain_retire,
        name="framework-domain-retire",
    ),
    path(
        "factors/framework/<int:domain_id>/restore/",
        framework_domain_restore,
        name="framework-domain-restore",
    ),
    path(
        "factors/framework/<int:domain_id>/move/",
        framework_domain_move,
        name="framework-domain-move",
    ),
    path("issues/<int:issue_id>/analysis/", analysis, name="analysis"),
    path("units/<int:unit_id>/factors/", pareto, name="pareto"),
]
