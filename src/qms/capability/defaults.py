"""The default skills framework every organisation starts with (editable afterwards).

Levels after the Scottish Improvement Skills pathway of NHS Scotland's Quality Improvement
Zone (https://learn.nes.nhs.scot/741/quality-improvement-zone, "Scottish Improvement Skills":
awareness, foundation (Scottish Improvement Foundation Skills), practitioner (Scottish
Improvement Practitioner), expert (Scottish Improvement Leader / Scottish Coaching and Leading
for Improvement)), and NHS England's "Improvement dosing" (NHS Improvement, "Building capacity
and capability for improvement: embedding quality improvement skills in NHS providers", 2017):
awareness for all staff, foundation for those taking part in projects, practitioner for those
who lead them, expert for coaches and quality improvement leads.

Skills (knowledge areas) after the Quality Improvement Zone's topics and the Institute for
Healthcare Improvement's Model for Improvement.

Each record is (code, name, what it covers); requirements are (role, skill code, level code).
"""

from qms.capability.models.framework import ProjectRole
from qms.people.roles import Role

# The membership roles a level may be required of: staff who work in units.
REQUIRABLE_ROLES = (
    Role.TEAM_MEMBER,
    Role.TEAM_LEAD,
    Role.IMPROVEMENT_COACH,
    Role.QUALITY_LEAD,
    Role.ANALYST,
    Role.EXECUTIVE,
)

AWARENESS, FOUNDATION, PRACTITIONER, EXPERT = "awareness", "foundation", "practitioner", "expert"

LEVELS = (
    (
        AWARENESS,
        "Awareness",
        "Knows why the organisation improves quality, the language of improvement and where to "
        "find help; takes part in tests of change on their own team.",
        "All staff",
    ),
    (
        FOUNDATION,
        "Foundation",
        "Uses the basic tools with support: an aim, a driver diagram, PDSA cycles, a run chart, "
        "a process map; contributes to an improvement project's measures and tests.",
        "Staff taking part in improvement projects",
    ),
    (
        PRACTITIONER,
        "Practitioner",
        "Leads an improvement project from problem to sustained change: chooses the method, "
        "designs measures and reads them with SPC, runs and learns from ramps of PDSA cycles, "
        "involves the people who use the service.",
        "Project leads",
    ),
    (
        EXPERT,
        "Expert",
        "Leads and coaches improvement across a system: designs programmes, teaches and coaches "
        "others, reads variation across many teams, builds the conditions (culture, time, data) "
        "for improvement to spread and last.",
        "Improvement coaches and quality improvement leads",
    ),
)

MEASUREMENT = "measurement"
MODEL_FOR_IMPROVEMENT = "model-for-improvement"
UNDERSTANDING_THE_PROBLEM = "understanding-the-problem"
HUMAN_FACTORS = "human-factors"
CO_DESIGN = "co-design"
LEADING_CHANGE = "leading-change"
SPREAD = "spread-and-sustain"

SKILLS = (
    (
        MEASUREMENT,
        "Understanding systems and variation",
        "Measurement for improvement: operational definitions, outcome, process and balancing "
        "measures, run charts and statistical process control (common and special cause).",
    ),
    (
        MODEL_FOR_IMPROVEMENT,
        "The model for improvement and PDSA",
        "The three questions (aim, measures, changes), driver diagrams, change ideas and "
        "Plan-Do-Study-Act cycles in ramps from small tests to implementation.",
    ),
    (
        UNDERSTANDING_THE_PROBLEM,
        "Understanding the problem",
        "Process mapping, root cause and contributory factor analysis, Pareto charts, "
        "demand and capacity.",
    ),
    (
        HUMAN_FACTORS,
        "Human factors and system-focused analysis",
        "How tasks, tools, environment, team and organisation shape what people do; analysing "
        "what went wrong without blame.",
    ),
    (
        CO_DESIGN,
        "Co-design with people who use services",
        "Involving patients, carers and communities as partners: experience-based co-design, "
        "the ladder of participation, gathering and using feedback.",
    ),
    (
        LEADING_CHANGE,
        "Leading change and teams",
        "Building the will for change, team working and coaching, psychological safety, "
        "the human side of change.",
    ),
    (
        SPREAD,
        "Spreading and sustaining",
        "Scale-up and spread of change packages, local adaptation, sustainability and "
        "handing improvement over to control.",
    ),
)

_ALL_SKILLS = tuple(code for code, _name, _covers in SKILLS)


def _each(role: str, level: str, skills=_ALL_SKILLS) -> list[tuple[str, str, str]]:
    return [(role, skill, level) for skill in skills]


_CORE = (MEASUREMENT, MODEL_FOR_IMPROVEMENT)
_REST = tuple(code for code in _ALL_SKILLS if code not in _CORE)

# What each membership role needs (Improvement dosing): all staff awareness; leads of teams
# practitioners in the core method; coaches and quality leads experts in it; analysts experts
# in measurement; executives foundation in what a board reads and leads.
ROLE_REQUIREMENTS = (
    _each(Role.TEAM_MEMBER, AWARENESS)
    + _each(Role.TEAM_LEAD, PRACTITIONER, _CORE)
    + _each(Role.TEAM_LEAD, FOUNDATION, _REST)
    + _each(Role.IMPROVEMENT_COACH, EXPERT, _CORE)
    + _each(Role.IMPROVEMENT_COACH, PRACTITIONER, _REST)
    + _each(Role.QUALITY_LEAD, EXPERT, _CORE + (LEADING_CHANGE, SPREAD))
    + _each(Role.QUALITY_LEAD, PRACTITIONER, (UNDERSTANDING_THE_PROBLEM, HUMAN_FACTORS, CO_DESIGN))
    + _each(Role.ANALYST, EXPERT, (MEASUREMENT,))
    + _each(Role.ANALYST, FOUNDATION, (MODEL_FOR_IMPROVEMENT, UNDERSTANDING_THE_PROBLEM))
    + _each(Role.EXECUTIVE, FOUNDATION, (MEASUREMENT, LEADING_CHANGE, SPREAD))
    + _each(Role.EXECUTIVE, AWARENESS, (MODEL_FOR_IMPROVEMENT, HUMAN_FACTORS, CO_DESIGN))
)

# What each role on a project's team needs.
PROJECT_REQUIREMENTS = (
    _each(ProjectRole.LEAD, PRACTITIONER, _CORE)
    + _each(ProjectRole.LEAD, FOUNDATION, (UNDERSTANDING_THE_PROBLEM,))
    + _each(ProjectRole.COACH, EXPERT, _CORE)
    + _each(ProjectRole.MEMBER, FOUNDATION, (MODEL_FOR_IMPROVEMENT,))
    + _each(ProjectRole.SPONSOR, FOUNDATION, (LEADING_CHANGE,))
)

# What a project's team must cover between them, whatever each member's role: at least one
# person at the level in the skill. "*" applies to every project; the others to projects of
# that method (qms.improvement's Method values). Not editable: the rules of the method.
TEAM_COVERAGE = {
    "*": ((MEASUREMENT, PRACTITIONER), (MODEL_FOR_IMPROVEMENT, PRACTITIONER)),
    "ebcd": ((CO_DESIGN, PRACTITIONER),),
    "lean": ((UNDERSTANDING_THE_PROBLEM, PRACTITIONER),),
}
