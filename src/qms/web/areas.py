"""The areas of the framework, as they appear in the navigation."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    slug: str
    name: str
    purpose: str
    what_you_will_do: tuple[str, ...]


AREAS = (
    Area(
        "plan",
        "Plan",
        "Quality planning: understand your priorities for improvement and design the right "
        "interventions.",
        (
            "Assess population needs and assets, and the gap with what you provide",
            "Code the contributory factors of issues feeding from quality control",
            "Score and rank priorities by impact; build a theory of change",
            "Choose a method, design change packages, allocate resources and roles",
        ),
    ),
    Area(
        "improve",
        "Improve",
        "Quality improvement: deliver the improvement.",
        (
            "Run projects with aims, driver diagrams, measures and PDSA cycles",
            "Prototype before testing; see tests of change on the charts",
            "Spread change packages to other teams, recording local adaptation",
        ),
    ),
    Area(
        "learn",
        "Learn",
        "The learning system: learn about what is and isn't working.",
        (
            "Qualitative and quantitative measurement together",
            "Evidence graded and linked to change ideas",
            "Learning networks, bright spots and reflective practice",
        ),
    ),
    Area(
        "partners",
        "Partners",
        "Co-design and co-production with patients, families and communities.",
        (
            "Partners with accounts and roles in planning, improvement and control",
            "Feedback analysed by theme and sentiment",
            "You said, we did",
        ),
    ),
)
