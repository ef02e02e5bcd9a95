"""The organisation's place in the shell: the People link and "Your units and roles" on home."""

from qms.people import selectors
from qms.web.areas import Area, HomeCard

AREA = Area(
    slug="people",
    name="People",
    summary="the organisation",
    order=90,
    url_name="people:unit-tree",
    home_section=HomeCard("people/_home_units.html", selectors.own_roles),
)
