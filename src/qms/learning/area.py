"""The learning system's place in the shell: the Learn link, and the person's networks and
bright spots waiting for a decision on home."""

from qms.web.areas import Area

AREA = Area(
    slug="learn",
    name="Learn",
    summary="the learning system",
    order=50,
    url_name="learning:home",
)
