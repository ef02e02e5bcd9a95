"""Quality planning's priorities and aims as text, for the learning system's similar work
(qms.learning compares them with projects and networks; it imports none of planning's models)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Func, IntegerField, Subquery

from qms.planning import roles
from qms.planning.models import Aim, Priority

__all__ = [
    "PlanningTexts",
    "aim_texts",
    "planning_texts_version",
    "planning_texts_version_parts",
    "priority_texts",
]


@dataclass(frozen=True)
class PlanningTexts:
    """Records of one kind as text: `rows` hold pk, unit_id, unit_path, unit_name and the text
    fields (title, aim, problem, measures, factors). Who may see one: `viewer_roles` in its unit
    or above, or any role granted on it (`grant_content_type_id`, None when the kind takes no
    grants), or, when `read_from_below`, `viewer_roles` in a unit below it (an aim is read by
    the staff of the units whose aims serve it)."""

    kind: str
    rows: list[dict]
    viewer_roles: frozenset[str]
    grant_content_type_id: int | None
    read_from_below: bool = False


def _with_lists(rows) -> dict[int, dict]:
    return {row["pk"]: {**row, "measures": [], "factors": []} for row in rows}


def priority_texts() -> PlanningTexts:
    """Every priority's title, problem, aim, measures' names and contributory factor domains:
    three queries whatever the number of priorities."""
    rows = _with_lists(
        Priority.objects.values(
            "pk",
            "unit_id",
            "title",
            "problem",
            aim_text=F("aim__statement"),
            unit_path=F("unit__path"),
            unit_name=F("unit__name"),
        )
    )
    for row in rows.values():
        row["aim"] = row.pop("aim_text") or ""
    measures = Priority.measures.through.objects.values_list("priority_id", "measure__name")
    for priority_id, name in measures:
        rows[priority_id]["measures"].append(name)
    factors = Priority.factors.through.objects.values_list("priority_id", "factordomain__name")
    for priority_id, name in factors:
        rows[priority_id]["factors"].append(name)
    return PlanningTexts(
        kind="priority",
        rows=list(rows.values()),
        viewer_roles=frozenset(roles.VIEWERS),
        grant_content_type_id=ContentType.objects.get_for_model(Priority).pk,
    )


def aim_texts() -> PlanningTexts:
    """Every active aim's statement and target, and its measures' names: two queries."""
    rows = _with_lists(
        Aim.objects.filter(is_active=True).values(
            "pk",
            "unit_id",
            "target",
            aim=F("statement"),
            unit_path=F("unit__path"),
            unit_name=F("unit__name"),
        )
    )
    for row in rows.values():
        row["title"] = row["aim"][:120]
        row["measures"].append(row.pop("target"))
        row["problem"] = ""
    measures = Aim.measures.through.objects.filter(aim__is_active=True)
    for aim_id, name in measures.values_list("aim_id", "measure__name"):
        rows[aim_id]["measures"].append(name)
    return PlanningTexts(
        kind="aim",
        rows=list(rows.values()),
        viewer_roles=frozenset(roles.VIEWERS),
        grant_content_type_id=None,
        read_from_below=True,
    )


def planning_texts_version_parts() -> dict[str, Subquery]:
    """Subqueries whose values change whenever a priority or an aim changes (their measures and
    factors included: a change to those records a history row of the priority or aim too): the
    numbers of each and their latest history rows. The learning system reads them with other
    areas' in one SELECT."""
    parts = {}
    for name, model in (("priorities", Priority), ("aims", Aim)):
        parts[f"planning_{name}"] = Subquery(
            model.history.model.objects.order_by("-history_id").values("history_id")[:1]
        )
        parts[f"planning_{name}_count"] = Subquery(
            model.objects.order_by()
            .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
            .values("n")
        )
    return parts


def planning_texts_version() -> tuple:
    """A value that changes whenever a priority or an aim changes (see
    planning_texts_version_parts): one query."""
    parts = planning_texts_version_parts()
    # One row of a table that always has rows carries the subqueries.
    values = ContentType.objects.annotate(**parts).values_list(*parts)[:1]
    return tuple(values[0]) if values else ()
