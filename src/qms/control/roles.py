"""The groups of roles quality control's rules are written in. Who holds them where is decided
by qms.people.access (`object_or_404`, `require`, `can`, `authorise`, `visible`)."""

from qms.people.roles import STAFF_ROLES, Role

# Seeing measures, charts, reports and signals: every member of staff in the unit.
VIEWERS = STAFF_ROLES
# Recording data: the people who do the work, and analysts who load it.
DATA_ENTRY = frozenset(
    {Role.TEAM_MEMBER, Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.ANALYST, Role.SYSTEM_ADMINISTRATOR}
)
# Defining measures, starting phases, managing integration keys.
MEASURE_EDITORS = frozenset(
    {Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.ANALYST, Role.SYSTEM_ADMINISTRATOR}
)
# Agreeing a local standard for a unit.
STANDARD_EDITORS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Acknowledging and escalating signals, and answering escalations from below.
SIGNAL_HANDLERS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Answering an escalation: the handlers, and the executives of the unit it reached (a board has
# executives and often no lead: what is escalated to it is theirs to answer).
ESCALATION_RESPONDERS = SIGNAL_HANDLERS | {Role.EXECUTIVE}
