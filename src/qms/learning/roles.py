"""The groups of roles the learning system's rules are written in. Who holds them where is
decided by qms.people.access; a network's members are the people given a role on it
(ObjectGrant), so a patient partner joins one network without a role in any unit."""

from qms.people.roles import ALL_ROLES, STAFF_ROLES, Role

_LEADS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})

# Reading a unit's feedback, evidence, bright spots and learning reviews: its staff.
VIEWERS = STAFF_ROLES
# Importing feedback and correcting its themes and sentiment.
FEEDBACK_EDITORS = _LEADS | {Role.ANALYST, Role.IMPROVEMENT_COACH}
# Turning the share of negative comments or of a theme into a measure of the unit.
FEEDBACK_TRACKERS = frozenset({Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Adding, grading and retiring evidence; linking it to work is for whoever may change the work.
EVIDENCE_EDITORS = _LEADS | {Role.ANALYST, Role.IMPROVEMENT_COACH}
# Starting a network in a unit and running it (members, teams, measures, events).
NETWORK_HOSTS = _LEADS | {Role.IMPROVEMENT_COACH}
# On a network itself: anyone given a role on it reads and discusses; its hosts run it.
NETWORK_MEMBERS = ALL_ROLES
# Accepting or dismissing a bright spot candidate, and turning one into a package or network.
BRIGHT_SPOT_DECIDERS = frozenset({Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Writing a bright spot's appreciative inquiry once accepted: the unit's leads and coaches.
BRIGHT_SPOT_WRITERS = _LEADS | {Role.IMPROVEMENT_COACH, Role.ANALYST}
# Holding a team learning review.
REVIEWERS = STAFF_ROLES
