"""Quality planning's reads: designs, their current and future process as tables, flows and
totals; the designs of a unit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from qms.people import access
from qms.people.models import Unit
from qms.planning import roles
from qms.planning.models import Design, DesignStep, Priority, ProcessState
from qms.stats.flows import (
    MAX_STEPS,
    ProcessTotals,
    compare_processes,
    process_flow_spec,
    process_totals,
)

__all__ = [
    "DESIGNS_PAGE_SIZE",
    "DesignPage",
    "ProcessView",
    "design_page",
    "designs_of",
]

DESIGNS_PAGE_SIZE = 100


@dataclass
class ProcessView:
    """One process of a design: its steps in order, totals and flow (None without steps)."""

    state: str
    label: str
    steps: list[DesignStep]
    totals: ProcessTotals
    spec_json: str | None
    full: bool = False


@dataclass
class DesignPage:
    design: Design
    processes: list[ProcessView] = field(default_factory=list)
    comparison: str = ""


def _step_row(step: DesignStep) -> dict:
    return {
        "name": step.name,
        "kind": step.kind,
        "actor": step.actor,
        "minutes": step.minutes,
        "notes": step.notes,
    }


def _process(design: Design, state: str, steps: list[DesignStep], max_steps: int) -> ProcessView:
    rows = [_step_row(step) for step in steps]
    label = ProcessState(state).label
    spec = process_flow_spec(rows, title=f"{label}: {design.title}") if rows else None
    return ProcessView(
        state=state,
        label=label,
        steps=steps,
        totals=process_totals(rows),
        spec_json=json.dumps(spec) if spec else None,
        full=len(steps) >= max_steps,
    )


def design_page(design: Design) -> DesignPage:
    """The design with its current and future process, in two queries whatever the steps."""
    steps = list(DesignStep.objects.filter(design=design).order_by("state", "position", "pk"))
    processes = [
        _process(design, state, [s for s in steps if s.state == state], MAX_STEPS)
        for state in (ProcessState.CURRENT, ProcessState.FUTURE)
    ]
    return DesignPage(
        design=design,
        processes=processes,
        comparison=compare_processes(processes[0].totals, processes[1].totals),
    )


def _designs(user, unit: Unit) -> QuerySet[Design]:
    """The unit's designs (and its sub-units') the user sees: all of them for the unit's
    staff; for others, those of the priorities they are given a role on."""
    designs = Design.objects.filter(priority__unit__path__startswith=unit.path)
    if access.roles_in(user, unit) & roles.VIEWERS:
        return designs
    granted = access.visible(user, Priority.objects.all(), roles.GRANTED_VIEWERS)
    return designs.filter(priority__in=granted.values("pk"))


def designs_of(user, unit: Unit, *, page: int | str = 1) -> Page:
    """A page of the unit's designs with their priority and counts of steps, newest first, in
    a fixed number of queries."""
    designs = (
        _designs(user, unit)
        .select_related("priority__unit", "package")
        .annotate(
            current_steps=Count("steps", filter=Q(steps__state=ProcessState.CURRENT)),
            future_steps=Count("steps", filter=Q(steps__state=ProcessState.FUTURE)),
        )
        .order_by("-created_at", "-pk")
    )
    return Paginator(designs, DESIGNS_PAGE_SIZE).get_page(page)
