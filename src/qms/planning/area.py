"""Quality planning's place in the shell: the Plan link, and the person's priorities and needs
assessments on home (a partner given one has no other way in)."""

from qms.planning import selectors
from qms.web.areas import Area, HomeCard

AREA = Area(
    slug="plan",
    name="Plan",
    summary="quality planning",
    order=15,
    url_name="planning:home",
    work_card=HomeCard("planning/_home_work.html", selectors.home_planning),
)
