"""Partners' place in the shell: its link in the navigation."""

from qms.web.areas import Area

AREA = Area(
    slug="partners",
    name="Partners",
    summary="co-design and co-production with partners",
    order=70,
    url_name="codesign:home",
)
