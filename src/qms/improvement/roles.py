"""The groups of roles quality improvement's rules are written in. Who holds them where is
decided by qms.people.access; a project's team are the people given a role on it (ObjectGrant),
so a patient partner or a coach from elsewhere joins one project without a role in its unit."""

from qms.people.roles import ALL_ROLES, STAFF_ROLES, Role

# Seeing a unit's portfolio and its projects: its staff.
VIEWERS = STAFF_ROLES
# Seeing one project (and everything under it): anyone on its team, whatever the role; a
# partner on one project never sees the unit's portfolio.
GRANTED_VIEWERS = ALL_ROLES
# Starting a project in a unit: the people who do the work and those who lead it.
STARTERS = frozenset(
    {
        Role.TEAM_MEMBER,
        Role.TEAM_LEAD,
        Role.IMPROVEMENT_COACH,
        Role.QUALITY_LEAD,
        Role.SYSTEM_ADMINISTRATOR,
    }
)
# Leading a project (its charter, stage, team, progress score, publishing its package): the
# unit's leads and coaches, and whoever is given team lead or coach on the project itself.
LEADS = frozenset(
    {Role.TEAM_LEAD, Role.IMPROVEMENT_COACH, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR}
)
# Working on a project (driver diagram, PDSA cycles, prototypes, A3, stages, milestones): its
# leads, and everyone on its team, partners as equals (these count only when given on the
# project: a unit's team member is not on every project of the unit).
TEAM = LEADS
TEAM_GRANTED = frozenset(
    {Role.TEAM_MEMBER, Role.TEAM_LEAD, Role.IMPROVEMENT_COACH, Role.PARTNER, Role.ANALYST}
)
# Adopting a published change package in a unit.
ADOPTERS = LEADS
# Seeing published change packages: any member of staff anywhere (spread is across units).
PACKAGE_READERS = STAFF_ROLES
