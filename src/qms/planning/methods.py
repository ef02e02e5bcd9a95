"""The method chooser: five questions about a piece of quality work, and the improvement method
they point to, with its reasons in plain words. Pure Python, no Django.

The questions (answers "yes", "no" or "unsure"):

- ``solution_known``: Is the solution already known and agreed?
- ``complex``: Is the problem complex and adaptive (many people and parts, no single cause,
  the outcome hard to predict)?
- ``experience``: Is it mainly about people's experience of care?
- ``flow``: Is it mainly about flow, delays and waste?
- ``research``: Is it a research question: is the answer unknown to anyone, and is new
  generalisable knowledge wanted?

The rules, first that applies wins:

1. A research question → **research and evaluation**: the answer needs a study design that can
   show cause and effect and ethical approval, not local tests of change (Medical Research
   Council, *Developing and evaluating complex interventions*, 2021; the HIS Quality Management
   System framework separates research from improvement).
2. A known solution to a problem that is not complex → **project management**: implement it
   with a plan, milestones and an owner; testing what is already known wastes effort (IHI's
   "just do it" changes; HIS QMS framework: "where the solution is known, implement").
3. About people's experience → **experience-based co-design**: patients, carers and staff find
   the touchpoints together and co-design the change (The Point of Care Foundation, *EBCD
   toolkit*).
4. About flow and waste → **Lean**: map the value stream, remove waste, make work flow (NHS
   Improvement, *Lean in healthcare*; Womack and Jones, *Lean thinking*).
5. Otherwise (the solution is not known, the problem is complex, or the answers are unsure) →
   **Model for Improvement**: an aim, measures and changes tested in small PDSA cycles (Langley
   et al., *The improvement guide*, 2009; IHI).

"Unsure" never triggers a rule, but a rule an "unsure" answer could have triggered is named in
`also_consider`, and so are the methods of later rules that also matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The methods, as quality improvement's `Method` values (a test checks they match).
MODEL_FOR_IMPROVEMENT = "mfi"
LEAN = "lean"
EBCD = "ebcd"
PROJECT_MANAGEMENT = "pm"
RESEARCH = "research"
METHODS = {
    MODEL_FOR_IMPROVEMENT: "Model for Improvement",
    LEAN: "Lean",
    EBCD: "Experience-based co-design",
    PROJECT_MANAGEMENT: "Project management",
    RESEARCH: "Research and evaluation",
}

QUESTIONS = {
    "solution_known": "Is the solution already known and agreed?",
    "complex": "Is the problem complex and adaptive: many people and parts, no single cause, "
    "the outcome hard to predict?",
    "experience": "Is it mainly about people's experience of care?",
    "flow": "Is it mainly about flow, delays and waste?",
    "research": "Is it a research question: is the answer unknown to anyone, and is new "
    "knowledge for others wanted?",
}
ANSWERS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}

_REASONS = {
    RESEARCH: "It is a research question: finding an answer no one has yet needs a study "
    "designed to show cause and effect, with ethical approval, rather than local tests of change.",
    PROJECT_MANAGEMENT: "The solution is known and the problem is not complex: implement it "
    "with a plan, milestones and an owner; testing what is already known wastes effort.",
    EBCD: "It is about people's experience: patients, carers and staff find the moments that "
    "matter together and design the change with each other.",
    LEAN: "It is about flow and waste: map the steps as they are, remove the waste and delays, "
    "and make the work flow.",
    MODEL_FOR_IMPROVEMENT: "The solution is not known yet: set an aim and measures, and test "
    "changes in small Plan-Do-Study-Act cycles, learning as you go.",
}


@dataclass(frozen=True)
class Recommendation:
    """The method the answers point to, why (plain sentences), and other methods worth a look."""

    method: str
    reasons: tuple[str, ...]
    also_consider: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return METHODS[self.method]


def answer_problems(answers: Mapping[str, str]) -> dict[str, str]:
    """Each question not answered with "yes", "no" or "unsure", with a message."""
    return {
        key: f"Answer “{QUESTIONS[key]}”: yes, no or not sure."
        for key in QUESTIONS
        if answers.get(key) not in ANSWERS
    }


def _rules(answers: Mapping[str, str], value: str) -> list[str]:
    """The methods whose rule holds when the answers equal `value` ("yes", or "unsure" for what
    could hold), in rule order."""
    found = []
    if answers["research"] == value:
        found.append(RESEARCH)
    if answers["solution_known"] == value and answers["complex"] != "yes":
        found.append(PROJECT_MANAGEMENT)
    if answers["experience"] == value:
        found.append(EBCD)
    if answers["flow"] == value:
        found.append(LEAN)
    return found


def recommend(answers: Mapping[str, str]) -> Recommendation:
    """The method the five answers point to (see the module's rules).

    >>> recommend({"solution_known": "no", "complex": "yes", "experience": "no",
    ...            "flow": "no", "research": "no"}).method
    'mfi'
    >>> recommend({"solution_known": "yes", "complex": "no", "experience": "no",
    ...            "flow": "no", "research": "no"}).label
    'Project management'
    """
    problems = answer_problems(answers)
    if problems:
        raise ValueError("; ".join(problems.values()))
    matched = _rules(answers, "yes")
    method = matched[0] if matched else MODEL_FOR_IMPROVEMENT
    reasons = [_REASONS[method]]
    if method == MODEL_FOR_IMPROVEMENT and answers["complex"] == "yes":
        reasons.append(
            "The problem is complex and adaptive: what works cannot be known in advance, so "
            "changes are tested and adapted before they spread."
        )
    if method == MODEL_FOR_IMPROVEMENT and answers["solution_known"] == "yes":
        reasons.append(
            "A solution is known, but the problem is complex: test how it works here before "
            "putting it in everywhere."
        )
    unsure = [key for key, value in answers.items() if key in QUESTIONS and value == "unsure"]
    if unsure:
        reasons.append(
            f"{len(unsure)} answer{'s were' if len(unsure) > 1 else ' was'} “not sure”: find "
            "out, and choose again if the answer changes the method."
        )
    others = [m for m in [*matched[1:], *_rules(answers, "unsure")] if m != method]
    if method != MODEL_FOR_IMPROVEMENT and answers["complex"] == "yes":
        others.append(MODEL_FOR_IMPROVEMENT)
    return Recommendation(method, tuple(reasons), tuple(dict.fromkeys(others)))
