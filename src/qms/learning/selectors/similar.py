"""Similar work anywhere in the organisation: projects, priorities, aims and learning networks
compared as text (qms.text.similar), filtered to what the person may see.

The index is built once per process from every area's records (their selectors give the text in
bulk) and rebuilt when a version read from the database changes: the counts and latest history
rows of each source, read in one SELECT. Every write in QMS goes through a service that records
history, so any process (several gunicorn workers, a task worker) sees a change without a message
between them. Two things keep requests fast:

- the version is read at most once every QMS_SIMILAR_CHECK_SECONDS (2 s) per process, so a
  change shows in suggestions up to that long (plus a rebuild) after it was saved;
- when the version has changed and an index exists, the old index keeps answering while one
  thread builds the new one (a few seconds at 10,000 projects); only a process with no index at
  all builds on the request path. QMS_SIMILAR_REBUILD_IN_THREAD = False (the tests) rebuilds
  on the request instead, so a change shows at the very next request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import F, Func, IntegerField, Subquery
from django.urls import NoReverseMatch, reverse

from qms.improvement import selectors as improvement_selectors
from qms.learning import roles
from qms.learning.models import Network, NetworkTeam
from qms.people import access
from qms.people.models import ObjectGrant
from qms.planning import selectors as planning_selectors
from qms.text.similar import Document, SimilarityIndex

__all__ = [
    "KIND_LABELS",
    "SimilarWork",
    "index_stats",
    "similar_to",
    "similar_work",
    "similarity_index",
]

KIND_LABELS = {
    "project": "Improvement project",
    "priority": "Quality priority",
    "aim": "Quality aim",
    "network": "Learning network",
}
_URL_NAMES = {
    "project": ("improvement:project-detail", "project_id"),
    "priority": ("planning:priority-detail", "priority_id"),
    "aim": ("planning:aim-detail", None),
    "network": ("learning:network-detail", None),
}
_MODEL_KINDS = {
    "improvement.project": "project",
    "planning.priority": "priority",
    "planning.aim": "aim",
    "learning.network": "network",
}


@dataclass(frozen=True)
class SimilarWork:
    """One suggestion: what it is, where, its page and why it was suggested."""

    kind: str
    pk: int
    title: str
    unit_name: str
    url: str
    score: float
    reason: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class NetworkTexts:
    """The learning system's own records as text (see planning's PlanningTexts)."""

    kind: str
    rows: list[dict]
    viewer_roles: frozenset[str]
    grant_content_type_id: int | None
    read_from_below: bool = False


def _network_texts() -> NetworkTexts:
    """Every network's name, topic and shared measures' names: two queries."""
    rows = {
        row["pk"]: {**row, "aim": "", "measures": [], "factors": []}
        for row in Network.objects.values(
            "pk",
            "unit_id",
            title=F("name"),
            problem=F("topic"),
            unit_path=F("unit__path"),
            unit_name=F("unit__name"),
        )
    }
    for network_id, name in Network.measures.through.objects.values_list(
        "network_id", "measure__name"
    ):
        rows[network_id]["measures"].append(name)
    # The staff of its teams' units read a network too (learning.selectors.networks).
    for network_id, path in NetworkTeam.objects.values_list("network_id", "unit__path"):
        rows[network_id].setdefault("reader_paths", []).append(path)
    return NetworkTexts(
        kind="network",
        rows=list(rows.values()),
        viewer_roles=frozenset(roles.VIEWERS),
        grant_content_type_id=ContentType.objects.get_for_model(Network).pk,
    )


def _network_version_parts() -> dict[str, Subquery]:
    """The number of networks and the latest history rows of networks and their teams."""
    parts = {
        f"learning_{name}": Subquery(model.objects.order_by("-history_id").values("history_id")[:1])
        for name, model in (
            ("networks", Network.history.model),
            ("teams", NetworkTeam.history.model),
        )
    }
    parts["learning_count"] = Subquery(
        Network.objects.order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )
    return parts


# The sources of documents, each a function giving rows and the rule of who sees them, and the
# function giving the version that changes with them.
_SOURCES: tuple[Callable, ...] = (
    improvement_selectors.project_texts,
    planning_selectors.priority_texts,
    planning_selectors.aim_texts,
    _network_texts,
)


def _version() -> tuple:
    """Every source's version in one query: the subqueries ride on one row of a table that
    always has rows."""
    parts = {
        **improvement_selectors.project_texts_version_parts(),
        **planning_selectors.planning_texts_version_parts(),
        **_network_version_parts(),
    }
    values = ContentType.objects.annotate(**parts).values_list(*parts)[:1]
    return tuple(values[0]) if values else ()


@dataclass(frozen=True)
class _Rule:
    viewer_roles: frozenset[str]
    grant_content_type_id: int | None
    read_from_below: bool


@dataclass(frozen=True)
class _Built:
    version: tuple
    index: SimilarityIndex
    rules: dict[str, _Rule]


class _Cache:
    """The process's index and the version it was built from. `current` is replaced whole, so a
    request reads an index and its rules together without a lock."""

    def __init__(self) -> None:
        self.build_lock = threading.Lock()  # one build at a time in the process
        self.thread_lock = threading.Lock()  # guards `rebuilding`
        self.current: _Built | None = None
        self.checked_at = float("-inf")
        self.rebuilding: threading.Thread | None = None
        self.generation = 0  # forget_index bumps it: a build started before is thrown away
        self.built_in_seconds = 0.0
        self.builds = 0


_CACHE = _Cache()
logger = logging.getLogger(__name__)


def _build() -> tuple[SimilarityIndex, dict[str, _Rule]]:
    documents: list[Document] = []
    rules: dict[str, _Rule] = {}
    for source in _SOURCES:
        texts = source()
        rules[texts.kind] = _Rule(
            frozenset(texts.viewer_roles),
            texts.grant_content_type_id,
            getattr(texts, "read_from_below", False),
        )
        for row in texts.rows:
            documents.append(
                Document(
                    key=(texts.kind, row["pk"]),
                    kind=texts.kind,
                    fields={name: row.get(name) or "" for name in _FIELDS},
                    data={
                        "title": row.get("title") or "",
                        "unit_path": row["unit_path"],
                        "reader_paths": tuple(row.get("reader_paths", ())),
                        "unit_name": row["unit_name"],
                    },
                )
            )
    return SimilarityIndex.build(documents), rules


_FIELDS = ("title", "aim", "problem", "measures", "factors")


def _check_seconds() -> float:
    return float(getattr(settings, "QMS_SIMILAR_CHECK_SECONDS", 2.0))


def _in_thread() -> bool:
    return bool(getattr(settings, "QMS_SIMILAR_REBUILD_IN_THREAD", True))


def _build_version(version: tuple, generation: int) -> _Built:
    """Build the index from the database (the caller holds the build lock) and keep it unless
    the index was forgotten meanwhile."""
    started = time.perf_counter()
    index, rules = _build()
    built = _Built(version, index, rules)
    if generation == _CACHE.generation:
        _CACHE.current = built
        _CACHE.built_in_seconds = time.perf_counter() - started
        _CACHE.builds += 1
    return built


def _rebuild_in_background(generation: int) -> None:
    try:
        with _CACHE.build_lock:
            # Read the version again: it is the one of the rows this build reads (or older, so a
            # change made during the build is seen at the next check).
            version = _version()
            current = _CACHE.current
            if current is None or current.version != version:
                _build_version(version, generation)
    except Exception:  # the old index keeps answering; the next check tries again
        logger.exception("Rebuilding the similar work index failed")
    finally:
        connections.close_all()  # this thread's own connections


def _start_rebuild() -> None:
    """Start the thread that rebuilds the index, unless one is already running."""
    with _CACHE.thread_lock:
        if _CACHE.rebuilding is not None and _CACHE.rebuilding.is_alive():
            return
        _CACHE.rebuilding = threading.Thread(
            target=_rebuild_in_background,
            args=(_CACHE.generation,),
            name="qms-similar-rebuild",
            daemon=True,
        )
        _CACHE.rebuilding.start()


def similarity_index() -> tuple[SimilarityIndex, dict[str, _Rule]]:
    """The index of every project, priority, aim and network; checked against the database at
    most every QMS_SIMILAR_CHECK_SECONDS and rebuilt when they have changed, in a thread while
    the old index answers (see the module's docstring)."""
    current = _CACHE.current
    if current is not None and time.monotonic() - _CACHE.checked_at < _check_seconds():
        return current.index, current.rules
    version = _version()
    _CACHE.checked_at = time.monotonic()
    if current is not None and current.version == version:
        return current.index, current.rules
    if current is not None and _in_thread():
        _start_rebuild()
        return current.index, current.rules
    generation = _CACHE.generation
    with _CACHE.build_lock:  # no index yet: this request waits for one (one build at a time)
        current = _CACHE.current
        if current is None or current.version != version:
            current = _build_version(version, generation)
        return current.index, current.rules


def wait_for_rebuild(timeout: float | None = None) -> None:
    """Wait until a rebuild running in its thread has finished (the benchmark, tests)."""
    thread = _CACHE.rebuilding
    if thread is not None:
        thread.join(timeout)


def index_stats() -> dict[str, float]:
    """How the process's index was last built: for the benchmark and the tests."""
    current = _CACHE.current
    return {
        "documents": len(current.index) if current is not None else 0,
        "built_in_seconds": _CACHE.built_in_seconds,
        "builds": _CACHE.builds,
    }


def forget_index() -> None:
    """Drop the process's index (tests that empty the database, the benchmark); a rebuild
    running in its thread is thrown away when it ends."""
    _CACHE.generation += 1
    _CACHE.current = None
    _CACHE.checked_at = float("-inf")


def _allow(user, rules: dict[str, _Rule]) -> Callable[[Document], bool]:
    """Whether the user may see a document, by its area's rule: a viewer role in its unit or a
    unit above (below too, for aims), or any role granted on the record itself."""
    if not (user.is_authenticated and user.is_active):
        return lambda document: False
    paths = {
        kind: access.unit_paths_with_role(user, rule.viewer_roles) for kind, rule in rules.items()
    }
    grants = set(
        ObjectGrant.objects.filter(person=user).values_list("content_type_id", "object_id")
    )

    def allow(document: Document) -> bool:
        kind, pk = document.key  # type: ignore[misc]
        rule, mine = rules[kind], paths[kind]
        if mine is None:
            return True
        unit_path = str(document.data["unit_path"])
        if any(unit_path.startswith(path) for path in mine):
            return True
        teams: tuple[str, ...] = document.data["reader_paths"]  # type: ignore[assignment]
        if any(team.startswith(path) for team in teams for path in mine):
            return True  # a network read by the staff of its teams' units
        if rule.read_from_below and any(path.startswith(unit_path) for path in mine):
            return True
        return rule.grant_content_type_id is not None and (
            (rule.grant_content_type_id, pk) in grants
        )

    return allow


def _url(kind: str, pk: int) -> str:
    name, _ = _URL_NAMES[kind]
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # a page that does not exist yet: the suggestion shows as text
        return ""


def _suggestions(matches) -> list[SimilarWork]:
    return [
        SimilarWork(
            kind=match.kind,
            pk=match.key[1],
            title=str(match.document.data["title"]),
            unit_name=str(match.document.data["unit_name"]),
            url=_url(match.kind, match.key[1]),
            score=match.score,
            reason=match.reason,
        )
        for match in matches
    ]


def record_key(record) -> tuple[str, int] | None:
    """The index key of a project, priority, aim or network; None for anything else."""
    meta = getattr(record, "_meta", None)
    kind = _MODEL_KINDS.get(meta.label_lower) if meta is not None else None
    return (kind, record.pk) if kind else None


def similar_work(
    user,
    *,
    title: str = "",
    aim: str = "",
    problem: str = "",
    measures: Sequence[str] = (),
    factors: Sequence[str] = (),
    exclude: Iterable = (),
    limit: int = 5,
) -> list[SimilarWork]:
    """The work most like what the person is writing (a new project, priority or network) that
    they may see anywhere in the organisation, best first, with the reason for each; `exclude`
    holds records (or index keys) to leave out, such as the record itself."""
    index, rules = similarity_index()
    keys = [item if isinstance(item, tuple) else record_key(item) for item in exclude]
    matches = index.query(
        {"title": title, "aim": aim, "problem": problem, "measures": measures, "factors": factors},
        limit=limit,
        exclude=[key for key in keys if key],
        allow=_allow(user, rules),
    )
    return _suggestions(matches)


def similar_to(user, record, *, limit: int = 5) -> list[SimilarWork]:
    """The work most like a project, priority, aim or network (itself left out) that the
    person may see."""
    key = record_key(record)
    if key is None:
        return []
    index, rules = similarity_index()
    return _suggestions(index.query_like(key, limit=limit, allow=_allow(user, rules)))
