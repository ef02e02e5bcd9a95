"""The roles of DESIGN.md section 3 and the groups of them that permissions are written in."""

from django.db import models


class Role(models.TextChoices):
    TEAM_MEMBER = "team_member", "Team member"
    TEAM_LEAD = "team_lead", "Team lead"
    IMPROVEMENT_COACH = "improvement_coach", "Improvement coach"
    QUALITY_LEAD = "quality_lead", "Quality lead"
    ANALYST = "analyst", "Analyst"
    EXECUTIVE = "executive", "Executive / board member"
    PARTNER = "partner", "Patient / carer partner"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


ALL_ROLES = frozenset(Role.values)
# The order people are listed in: who leads first, partners last.
LISTING_ORDER = {
    role: position
    for position, role in enumerate(
        [
            Role.EXECUTIVE,
            Role.QUALITY_LEAD,
            Role.TEAM_LEAD,
            Role.IMPROVEMENT_COACH,
            Role.ANALYST,
            Role.TEAM_MEMBER,
            Role.PARTNER,
            Role.SYSTEM_ADMINISTRATOR,
        ]
    )
}
# Everyone employed by the organisation. Partners are people too, but they see only what
# their projects and groups share with them, never the staff directory.
STAFF_ROLES = ALL_ROLES - {Role.PARTNER}
# Who may add and remove people in a unit (and so in its sub-units).
MEMBERSHIP_MANAGERS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
