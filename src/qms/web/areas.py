"""What each app shows in the shell: its link in the navigation and its part of home.

The shell holds no list of apps. An app that has pages declares an `Area` in its own
`area.py` and registers it from its `AppConfig.ready()`::

    def ready(self):
        from qms.control.area import AREA
        from qms.web import areas

        areas.register(AREA)

The navigation (`context_processors.navigation`) and home (`views.home`) are built from what
is registered, in `order`. Areas of the framework not built yet are read from
`planned_areas.toml` and named on home under "Coming to QMS" until an app registers an area
with the same slug.
"""

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PLANNED_AREAS_FILE = Path(__file__).with_name("planned_areas.toml")


def everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class HomeCard:
    """A template included on home, given what `selector(user)` returns as `card`.

    A card in "What needs you" says whether it holds anything waiting through the `anything`
    attribute of what its selector returns (home says "Nothing is waiting for you" when no
    card does). A selector returning None leaves the card out for that person.
    """

    template: str
    selector: Callable[[Any], Any] | None = None

    def for_user(self, user) -> "ShownCard | None":
        data = self.selector(user) if self.selector else None
        if self.selector and data is None:
            return None
        return ShownCard(self.template, data)


@dataclass(frozen=True)
class ShownCard:
    template: str
    data: Any

    @property
    def anything(self) -> bool:
        return bool(getattr(self.data, "anything", False))


@dataclass(frozen=True)
class Area:
    """One app's place in the shell.

    slug: short name, unique (matches a planned area's slug when it builds that area).
    name: the navigation link's text.
    order: position in the navigation and on home, lowest first.
    summary: what it adds, for "This version has ..." on home (e.g. "quality control");
        empty for an app that is part of others (notifications).
    url_name: where its navigation link goes (e.g. "control:home"); empty for no link. Pages
        in that URL namespace mark the link as the current area.
    shown_to: whether a person sees its navigation link (a partner has nothing in Control).
        Cards decide for themselves: their selector returns None to be left out.
    work_card: a panel in "What needs you" on home.
    home_section: a section of its own on home, below "What needs you".
    """

    slug: str
    name: str
    order: int
    summary: str = ""
    url_name: str = ""
    shown_to: Callable[[Any], bool] = everyone
    work_card: HomeCard | None = None
    home_section: HomeCard | None = None

    @property
    def namespace(self) -> str:
        return self.url_name.split(":", 1)[0] if ":" in self.url_name else ""


@dataclass(frozen=True)
class PlannedArea:
    slug: str
    name: str
    purpose: str


_registered: dict[str, Area] = {}


def register(area: Area) -> None:
    """Add an app's area to the shell (from its AppConfig.ready(); again is harmless)."""
    known = _registered.get(area.slug)
    if known is not None and known != area:
        raise ValueError(f"Two apps declare the area {area.slug!r}.")
    _registered[area.slug] = area


def registered() -> list[Area]:
    """Every area an app declared, in order."""
    return sorted(_registered.values(), key=lambda area: (area.order, area.slug))


def in_navigation(user) -> list[Area]:
    """The areas whose link this person sees, in order."""
    return [area for area in registered() if area.url_name and area.shown_to(user)]


@cache
def _planned() -> tuple[PlannedArea, ...]:
    with PLANNED_AREAS_FILE.open("rb") as file:
        data = tomllib.load(file)
    # Every planned area may be built: the file then lists none.
    return tuple(PlannedArea(**area) for area in data.get("area", []))


def planned() -> list[PlannedArea]:
    """Areas of the framework that no app provides yet, in the order the file lists them."""
    return [area for area in _planned() if area.slug not in _registered]
