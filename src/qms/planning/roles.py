"""The groups of roles quality planning's rules are written in. Who holds them where is decided
by qms.people.access; a priority's or a needs assessment's working group are the people given a
role on it (ObjectGrant), so a patient partner shapes one priority without a role in its unit."""

from qms.people.roles import ALL_ROLES, STAFF_ROLES, Role

_LEADS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})

# Seeing a unit's planning (vision, aims, needs, gaps, factors, priorities, designs, audits,
# resources): its staff.
VIEWERS = STAFF_ROLES
# Seeing one priority or needs assessment (and what hangs under it): anyone given a role on it,
# whatever the role; a partner on one priority never sees the unit's planning.
GRANTED_VIEWERS = ALL_ROLES
# Stating the unit's quality vision and setting its aims: its leaders (a board's executives).
AIM_SETTERS = _LEADS | {Role.EXECUTIVE}
# Writing needs assessments, their evidence and assets, and group breakdowns of measures.
NEEDS_EDITORS = _LEADS | {Role.ANALYST, Role.IMPROVEMENT_COACH}
NEEDS_GRANTED = frozenset({Role.TEAM_MEMBER, Role.TEAM_LEAD, Role.ANALYST, Role.PARTNER})
# Coding an issue's contributory factors and deciding "improve here" or "escalate": those who
# handle issues (qms.issues.roles.HANDLERS) and the analysts and coaches who help them.
FACTOR_ANALYSTS = _LEADS | {Role.ANALYST, Role.IMPROVEMENT_COACH}
# Editing the contributory factor framework (organisation-wide): quality leads of a top unit.
FRAMEWORK_EDITORS = frozenset({Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Proposing a candidate priority: any member of staff.
PROPOSERS = STAFF_ROLES
# Scoring priorities and recording their method, design, resources and roles.
SCORERS = _LEADS | {Role.ANALYST, Role.IMPROVEMENT_COACH, Role.EXECUTIVE}
# On a priority itself: its working group, partners as equals.
SCORERS_GRANTED = frozenset(
    {Role.TEAM_MEMBER, Role.TEAM_LEAD, Role.IMPROVEMENT_COACH, Role.ANALYST, Role.PARTNER}
)
# Deciding a priority (approved, parked, rejected) and turning it into a project or a measure.
DECIDERS = _LEADS | {Role.EXECUTIVE}
# Editing the weights priorities are scored with.
WEIGHT_EDITORS = frozenset({Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Setting a unit's capacity (protected hours and budget for quality work).
CAPACITY_EDITORS = _LEADS | {Role.EXECUTIVE}
# Running clinical audits (defining, analysing, raising findings) and collecting their data.
AUDITORS = _LEADS | {Role.ANALYST, Role.IMPROVEMENT_COACH}
AUDIT_COLLECTORS = AUDITORS | {Role.TEAM_MEMBER}
