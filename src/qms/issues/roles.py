"""Who may do what with issues, as groups of the roles in `qms.people.roles`."""

from qms.people.roles import ALL_ROLES, STAFF_ROLES, Role

# Seeing a unit's issues: its staff (issues may hold staff concerns; partners see what is
# shared with them by a grant on the issue).
VIEWERS = STAFF_ROLES
# Seeing one issue: anyone given a role on that issue (a patient partner on the review of a
# complaint), whatever the role; it opens that issue only, never the unit's list.
GRANTED_VIEWERS = ALL_ROLES
# Raising an issue in a unit: any member of its staff.
RAISERS = STAFF_ROLES
# Handling any issue of the unit (editing, closing, reopening, adding actions, completing anyone's
# action). An issue's owner handles their own issue too, and an action's owner completes it.
HANDLERS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Answering an issue escalated to a unit: its handlers, and its executives (a board has
# executives and often no lead).
ESCALATION_RESPONDERS = HANDLERS | {Role.EXECUTIVE}
