"""The two survey instruments of "relationships measured", their questions in our own words,
their answer scales, and how a set of answers is scored. No Django: plain data and arithmetic.

Relational coordination: seven dimensions, each asked of the respondent about each workgroup
involved in one work process, answered on a 1 to 5 scale; a tie's relational coordination
index is the mean of the seven. Source: Gittell JH, "Relational Coordination: Guidelines for
Theory, Measurement and Analysis", Relational Coordination Research Collaborative, Brandeis
University, 2011; Gittell JH, Fairfield KM, Bierbaum B et al., "Impact of relational
coordination on quality of care, postoperative pain and functioning, and length of stay",
Medical Care 2000;38(8):807-19, and Gittell JH, "Organizing work to support relational
co-ordination", Int J Human Resource Management 2000;11(3):517-39 (the survey as used in
Health Services Research studies of surgical care). Gittell's bands for a tie: below 3.5 weak,
3.5 to 4.0 moderate, above 4.0 strong.

Team pulse: Edmondson's seven items of team psychological safety (Edmondson A,
"Psychological safety and learning behavior in work teams", Administrative Science Quarterly
1999;44(2):350-83), answered on a seven-point scale from strongly disagree to strongly agree;
items 1, 3 and 5 are worded negatively and reversed (8 - answer) before the mean is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    question: str
    # The answer words, lowest first (1 ... len(scale)).
    scale: tuple[str, ...]
    reverse: bool = False


_FREQUENCY = ("Never", "Rarely", "Occasionally", "Often", "Constantly")
_HOW_OFTEN = ("Never", "Rarely", "Occasionally", "Often", "Always")
_HOW_MUCH = ("Not at all", "A little", "Somewhat", "A lot", "Completely")

RC_SCALE_TOP = 5
# {process} is the run's focal work process, e.g. "discharging patients".
RC_DIMENSIONS: tuple[Item, ...] = (
    Item(
        "frequent",
        "Frequent communication",
        "How often do people in this group communicate with you about {process}?",
        _FREQUENCY,
    ),
    Item(
        "timely",
        "Timely communication",
        "Do people in this group communicate with you in good time about {process}?",
        _HOW_OFTEN,
    ),
    Item(
        "accurate",
        "Accurate communication",
        "Do people in this group communicate with you accurately about {process}?",
        _HOW_OFTEN,
    ),
    Item(
        "problem_solving",
        "Problem-solving communication",
        "When something goes wrong in {process}, do people in this group blame others, or work "
        "with you to solve the problem?",
        (
            "Always blame others",
            "Mostly blame others",
            "Neither",
            "Mostly work to solve it",
            "Always work to solve it",
        ),
    ),
    Item(
        "shared_goals",
        "Shared goals",
        "How much do people in this group share your goals for {process}?",
        _HOW_MUCH,
    ),
    Item(
        "shared_knowledge",
        "Shared knowledge",
        "How much do people in this group know about the work you do in {process}?",
        ("Nothing", "A little", "Some", "A lot", "Everything"),
    ),
    Item(
        "mutual_respect",
        "Mutual respect",
        "How much do people in this group respect the work you do in {process}?",
        _HOW_MUCH,
    ),
)

# Gittell's bands for a tie's index (Relational Coordination Analytics).
RC_WEAK_BELOW = 3.5
RC_STRONG_ABOVE = 4.0

PULSE_SCALE_TOP = 7
_AGREE = (
    "Strongly disagree",
    "Disagree",
    "Slightly disagree",
    "Neither agree nor disagree",
    "Slightly agree",
    "Agree",
    "Strongly agree",
)
PULSE_ITEMS: tuple[Item, ...] = (
    Item(
        "mistakes",
        "Mistakes held against you",
        "If you make a mistake in this team, it is often held against you.",
        _AGREE,
        reverse=True,
    ),
    Item(
        "raise_problems",
        "Raising problems",
        "People in this team can bring up problems and difficult issues.",
        _AGREE,
    ),
    Item(
        "rejecting",
        "Rejecting difference",
        "People in this team sometimes reject others for being different.",
        _AGREE,
        reverse=True,
    ),
    Item("risk", "Taking a risk", "It is safe to take a risk in this team.", _AGREE),
    Item(
        "asking_help",
        "Asking for help",
        "It is hard to ask other people in this team for help.",
        _AGREE,
        reverse=True,
    ),
    Item(
        "undermining",
        "No one undermines",
        "No one in this team would deliberately act in a way that undermines my efforts.",
        _AGREE,
    ),
    Item(
        "skills_valued",
        "Skills valued",
        "Working with people in this team, my own skills and talents are valued and used.",
        _AGREE,
    ),
)
PULSE_KEY = "pulse"


def band(index: float) -> str:
    """Gittell's band of a relational coordination index: weak, moderate or strong."""
    if index < RC_WEAK_BELOW:
        return "weak"
    if index > RC_STRONG_ABOVE:
        return "strong"
    return "moderate"


def rc_index(scores: list[int]) -> float:
    """A tie's relational coordination index: the mean of its seven dimensions."""
    return fmean(scores)


def pulse_item_value(item: Item, answer: int) -> int:
    """An answer as scored: negatively worded items reversed on the seven-point scale."""
    return PULSE_SCALE_TOP + 1 - answer if item.reverse else answer


def pulse_score(answers: list[int]) -> float:
    """A respondent's psychological safety score: the mean of the seven items after the
    negatively worded ones are reversed (1 to 7, higher is safer)."""
    return fmean(pulse_item_value(item, a) for item, a in zip(PULSE_ITEMS, answers, strict=True))


# Both instruments ask seven things.
ITEMS = 7
assert len(RC_DIMENSIONS) == len(PULSE_ITEMS) == ITEMS


def check_answers(answers, top: int) -> list[int] | None:
    """The seven answers as whole numbers from 1 to `top`, or None when they are not."""
    if not isinstance(answers, list) or len(answers) != ITEMS:
        return None
    if not all(type(a) is int and 1 <= a <= top for a in answers):
        return None
    return list(answers)
