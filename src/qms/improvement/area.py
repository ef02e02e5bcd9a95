"""Quality improvement's place in the shell: the Improve link, and the person's projects on
home (PDSA cycles due may join them)."""

from qms.improvement import selectors
from qms.web.areas import Area, HomeCard

AREA = Area(
    slug="improve",
    name="Improve",
    summary="quality improvement",
    order=40,
    url_name="improvement:home",
    work_card=HomeCard("improvement/_home_projects.html", selectors.home_projects),
)
