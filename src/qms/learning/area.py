"""The learning system's place in the shell: the Learn link, and the person's networks and
bright spots waiting for a decision on home."""

from qms.learning.selectors.networks import home_networks
from qms.web.areas import Area, HomeCard

AREA = Area(
    slug="learn",
    name="Learn",
    summary="the learning system",
    order=50,
    url_name="learning:home",
    # The person's networks: a partner given a role on one has no other way in.
    work_card=HomeCard("learning/_home_work_networks.html", home_networks),
)
