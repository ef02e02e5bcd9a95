"""Quality planning's place in the shell: the Plan link."""

from qms.web.areas import Area

AREA = Area(
    slug="plan",
    name="Plan",
    summary="quality planning",
    order=15,
    url_name="planning:home",
)
