"""Notifications' place in the shell: "Your inbox" in "What needs you" on home. The inbox's
link, with its count of unread, is part of the shell's own header (base.html)."""

from qms.notifications import selectors
from qms.web.areas import Area, HomeCard

AREA = Area(
    slug="inbox",
    name="Inbox",
    order=80,  # after the areas' own lists of work
    work_card=HomeCard("notifications/_home_inbox.html", selectors.home_inbox),
)
