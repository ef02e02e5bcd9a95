"""The groups of roles co-design and co-production are written in. A partner takes part through
a role in a unit or, more often, a grant on one piece of work (qms.people.access)."""

from qms.people.roles import ALL_ROLES, STAFF_ROLES, Role

_LEADS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})

# Partners themselves.
PARTNERS = frozenset({Role.PARTNER})
# Reading a unit's involvement log and ladder summary: its staff.
VIEWERS = STAFF_ROLES
# Inviting a partner into the unit's work, logging involvement, editing "you said, we did".
ORGANISERS = _LEADS | {Role.IMPROVEMENT_COACH}
# Reading a unit's published "you said, we did" board: anyone with a role there, partners too.
BOARD_READERS = ALL_ROLES
# Approving partners' expenses and time for payment.
CLAIM_APPROVERS = frozenset({Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
