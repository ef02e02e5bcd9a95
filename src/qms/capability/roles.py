"""The groups of roles staff capability is written in. Who holds them where is decided by
qms.people.access."""

from qms.people.roles import STAFF_ROLES, Role

_LEADS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})

# Reading a unit's skills gap and protected time: its staff.
VIEWERS = STAFF_ROLES
# Editing the skills framework (skills, levels, what each role needs): quality leads.
FRAMEWORK_EDITORS = frozenset({Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Assessing a person's level, recording training and planning protected time for the unit's
# people: its leads and coaches.
ASSESSORS = _LEADS | {Role.IMPROVEMENT_COACH}
