"""The groups of roles leadership, culture and relationships are written in. Who holds them
where is decided by qms.people.access."""

from qms.people.roles import ALL_ROLES, STAFF_ROLES, Role

_LEADS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})

# Reading a unit's recognition, reporting culture, walkrounds and survey results: its staff.
VIEWERS = STAFF_ROLES
# Recognising a colleague or a team of the unit: anyone with a role in it, partners included
# (a patient partner who sees excellent practice says so too).
RECOGNISERS = ALL_ROLES
# Passing a unit's recognition on (thanking at the huddle) and seeing what the recipient keeps
# private: its leads.
RECOGNITION_THANKERS = _LEADS
# Raising a concern in a unit, anonymously or not: its staff.
CONCERN_RAISERS = STAFF_ROLES
# Handling a unit's concerns (replying to the person who raised one, closing it): its leads.
CONCERN_HANDLERS = _LEADS
# Planning and recording a leadership walkround of a unit: senior leaders and quality leads.
WALKROUND_LEADERS = frozenset({Role.EXECUTIVE, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Keeping a coaching log for a team or person of the unit.
COACHES = _LEADS | {Role.IMPROVEMENT_COACH}
# Leaders whose own view lists what their teams need from them.
LEADERS = _LEADS | {Role.EXECUTIVE, Role.IMPROVEMENT_COACH}
# Running a relational coordination survey or a team pulse for a unit.
SURVEY_RUNNERS = _LEADS | {Role.IMPROVEMENT_COACH}
# Answering a unit's survey: its staff.
SURVEY_RESPONDENTS = STAFF_ROLES
# Tracking a unit's reporting culture as control measures: its quality leads.
REPORTING_TRACKERS = frozenset({Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
