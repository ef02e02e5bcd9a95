"""Reads of quality improvement: the structures of each method (the A3, the co-design stages,
milestones), for their pages and the project page's methods section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from qms.improvement.models import (
    A3,
    EbcdStage,
    EbcdStageName,
    Method,
    Milestone,
    Project,
    StageStatus,
)
from qms.improvement.services.methods import A3_SECTIONS

__all__ = [
    "A3Section",
    "MethodLink",
    "MilestoneRow",
    "a3_sections",
    "ebcd_stages",
    "method_links",
    "methods_section",
    "milestone_rows",
]

# Milestones the project page shows: the next few not yet done.
NEXT_MILESTONES = 3


@dataclass(frozen=True)
class A3Section:
    field: str
    heading: str
    help: str
    text: str


def a3_sections(a3: A3 | None) -> list[A3Section]:
    """The A3's seven sections in reading order, empty where nothing is written yet."""
    return [
        A3Section(field, heading, help_text, getattr(a3, field, "") if a3 else "")
        for field, (heading, help_text) in A3_SECTIONS.items()
    ]


def ebcd_stages(project: Project, stages: list[EbcdStage] | None = None) -> list[EbcdStage]:
    """The five co-design stages in the order they are done; a stage not yet recorded is shown
    as not started (an unsaved row: reading the page writes nothing)."""
    if stages is None:
        stages = list(EbcdStage.objects.filter(project=project))
    have = {stage.stage: stage for stage in stages}
    return [have.get(name) or EbcdStage(project=project, stage=name) for name in EbcdStageName]


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    overdue: bool
    days_overdue: int

    @property
    def done(self) -> bool:
        return self.milestone.done_on is not None


def milestone_rows(milestones, today: dt.date | None = None) -> list[MilestoneRow]:
    """Milestones with whether each is overdue (not done, its due date past) and by how long."""
    today = today or timezone.localdate()
    rows = []
    for milestone in milestones:
        late = milestone.done_on is None and milestone.due_on < today
        rows.append(MilestoneRow(milestone, late, (today - milestone.due_on).days if late else 0))
    return rows


@dataclass(frozen=True)
class MethodLink:
    """A structure a project may use: its name, its page and whether it is the one that fits
    the project's method."""

    method: str
    name: str
    url: str
    fits: bool


# Each method's own structure, beside the Model for Improvement's cycles: (method, name, url).
_STRUCTURES = (
    (Method.LEAN, "A3", "improvement:a3"),
    (Method.EBCD, "Co-design stages", "improvement:ebcd"),
    (Method.PROJECT_MANAGEMENT, "Milestones", "improvement:milestones"),
)


def method_links(project: Project) -> list[MethodLink]:
    """Links to every method's structure, the one fitting the project's method first."""
    links = [
        MethodLink(method, name, reverse(url, args=[project.pk]), method == project.method)
        for method, name, url in _STRUCTURES
    ]
    return sorted(links, key=lambda link: not link.fits)


def methods_section(project, user) -> dict:
    """The context of the project page's methods section (improvement/_project_methods.html,
    given as `methods`), loaded in a fixed number of queries (three: the A3, the stages, the
    milestones). What fits the project's method is shown (Lean: the A3's summary; co-design:
    the stages' progress; project management: the next milestones, overdue flagged), and
    another method's structure too once the team has used it."""
    today = timezone.localdate()
    a3 = A3.objects.filter(project=project).first()
    stages = list(EbcdStage.objects.filter(project=project))
    milestones = list(
        Milestone.objects.filter(project=project).select_related("owner").order_by("due_on", "pk")
    )
    method = project.method
    written = [s for s in a3_sections(a3) if s.text]
    show_a3 = method == Method.LEAN or bool(written)
    show_ebcd = method == Method.EBCD or any(
        s.status != StageStatus.NOT_STARTED or s.notes for s in stages
    )
    show_milestones = method == Method.PROJECT_MANAGEMENT or bool(milestones)
    rows = milestone_rows(milestones, today)
    open_rows = [row for row in rows if not row.done]
    stage_rows = ebcd_stages(project, stages)
    return {
        "project": project,
        "method": method,
        "method_display": project.get_method_display(),
        "links": method_links(project),
        "a3": {
            "sections": a3_sections(a3),
            "written": len(written),
            "total": len(A3_SECTIONS),
            "goal": a3.goal if a3 else "",
        }
        if show_a3
        else None,
        "ebcd": {
            "stages": stage_rows,
            "done": sum(1 for s in stage_rows if s.status == StageStatus.DONE),
            "total": len(stage_rows),
            "current": next((s for s in stage_rows if s.status != StageStatus.DONE), None),
        }
        if show_ebcd
        else None,
        "milestones": {
            "next": open_rows[:NEXT_MILESTONES],
            "overdue": sum(1 for row in open_rows if row.overdue),
            "done": len(rows) - len(open_rows),
            "total": len(rows),
        }
        if show_milestones
        else None,
    }
