"""The learning system's place in the shell: the Learn link, and the person's networks and
bright spots waiting for a decision on home."""

from dataclasses import dataclass
from typing import Any

from qms.learning.selectors import bright_spots
from qms.learning.selectors.networks import home_networks
from qms.web.areas import Area, HomeCard


@dataclass(frozen=True)
class HomeLearning:
    """Home's one card for the area: each part's part of it, None where it has nothing."""

    networks: Any
    bright_spots: Any

    @property
    def anything(self) -> bool:
        return any(getattr(part, "anything", False) for part in (self.networks, self.bright_spots))


def home_learning(user) -> HomeLearning | None:
    """The person's networks and the bright spot candidates waiting for their decision; None
    (no card) when neither has anything for them."""
    card = HomeLearning(networks=home_networks(user), bright_spots=bright_spots.home_work(user))
    return None if card.networks is None and card.bright_spots is None else card


AREA = Area(
    slug="learn",
    name="Learn",
    summary="the learning system",
    order=50,
    url_name="learning:home",
    # The person's networks (a partner given a role on one has no other way in), and the
    # bright spots waiting for a quality lead's decision.
    work_card=HomeCard("learning/_home_work.html", home_learning),
)
