"""The progress score's rules: what a project's evidence suggests on the IHI collaborative
progress scale (Institute for Healthcare Improvement, "Assessment scale for collaboratives",
0.5 to 5.0), with a sentence of evidence for each step it climbed.

Pure: dataclasses in, a `ProgressSuggestion` out, no queries (the selector
`qms.improvement.selectors.progress_suggest` gathers the evidence). The scale is a ladder: a
project stands on the highest rung whose condition holds together with every rung below it,
and the reasons say what put it there and what the next rung needs.

score  condition (with every rung below)
-----  -----------------------------------------------------------------------------------
0.5    the project is recorded (always)
1.0    charter: a problem, an aim with a measurable target and a date (no aim problems);
       a team of at least two people with a lead
1.5    planning: a driver diagram with a primary driver and a change idea; an outcome
       measure linked; a linked measure with baseline data (10 points before the first test)
2.0    activity: at least one PDSA cycle started
2.5    changes tested: at least one cycle studied (reached Act, or done)
3.0    modest improvement: special cause improvement on a process or outcome measure since
       the first test
3.5    improvement: special cause improvement on an outcome measure since the first test
4.0    significant improvement: on an outcome measure it holds for at least 6 points, or a
       new phase was started for it
4.5    sustainable improvement: it has held at least 3 months and a change was adopted
       (a PDSA cycle's decision)
5.0    outstanding sustainable results: it has held at least 6 months, and the project is
       spreading or sustaining, or its change package is adopted in another unit

>>> suggest(ProjectEvidence(title="Falls")).score
'0.5'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

# Run chart rules need at least 10 points to be useful (Perla, Provost and Murray, "The run
# chart: a simple analytical tool for learning from variation in healthcare processes", BMJ
# Quality & Safety 2011): the baseline before the first test of change.
BASELINE_POINTS = 10
# Improvement held this many points counts as significant: a shift of 6 points in a row (IHI's
# run chart rule) on the new level.
HELD_POINTS = 6
# Months an improvement must hold to count as sustainable (4.5) and outstanding (5.0).
SUSTAINABLE_MONTHS = 3
OUTSTANDING_MONTHS = 6
# The stages of a project that carry a change beyond its first team.
SPREAD_STAGES = frozenset({"spreading", "sustaining"})
DECISION_WORDS = {"adopt": "adopted", "adapt": "adapted", "abandon": "abandoned"}


@dataclass(frozen=True)
class MeasureEvidence:
    """What a linked measure shows since the first test of change (from quality control's
    stored SPC results: `qms.control.selectors.improvement_since`)."""

    name: str
    role: str  # "outcome", "process" or "balancing"
    points: int = 0  # data points recorded in all
    baseline: int = 0  # of those, before the first test (all of them when nothing is tested)
    improved: bool = False  # special cause improvement on or after the first test
    improving_since: dt.date | None = None  # the first period of it
    holds: bool = False  # still improving at the latest period, or a new phase holds it
    held_points: int = 0
    held_since: dt.date | None = None
    held_months: float = 0.0  # from held_since to the end of the latest period
    new_phase: bool = False  # a new phase (new limits) started for the improvement
    explanation: str = ""


@dataclass(frozen=True)
class ProjectEvidence:
    """Everything the score is suggested from, gathered by the selector."""

    title: str
    has_problem: bool = False
    has_aim: bool = False
    aim_problems: tuple[str, ...] = ()  # what the aim check finds missing
    team_size: int = 0  # distinct people: the lead, the coach and those given a role on it
    has_lead: bool = False
    primary_drivers: int = 0
    change_ideas: int = 0
    measures: tuple[MeasureEvidence, ...] = ()
    cycles_started: int = 0
    cycles_studied: int = 0  # reached Act or done
    decisions: dict[str, int] = field(default_factory=dict)  # "adopt"/"adapt"/"abandon": n
    first_test_on: dt.date | None = None  # when the first cycle started
    stage: str = "idea"
    stage_label: str = ""
    adoptions_elsewhere: int = 0  # units adopting or having adopted its change package


@dataclass(frozen=True)
class ProgressSuggestion:
    score: str  # a key of qms.improvement.models.PROGRESS_SCALE, e.g. "2.5"
    reasons: tuple[str, ...]  # evidence for each rung reached, then what the next one needs

    @property
    def value(self) -> float:
        return float(self.score)


def month_year(day: dt.date | None) -> str:
    return day.strftime("%b %Y") if day else "an unknown date"


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def _by_role(evidence: ProjectEvidence, role: str) -> list[MeasureEvidence]:
    return [m for m in evidence.measures if m.role == role]


def _best(measures: list[MeasureEvidence], key: Callable[[MeasureEvidence], float]):
    """The measure that shows most of what `key` measures (the first of equals)."""
    return max(measures, key=key) if measures else None


def _improvement(measure: MeasureEvidence, role_word: str) -> str:
    sentence = (
        f"{role_word} measure ‘{measure.name}’ shows special cause improvement since "
        f"{month_year(measure.improving_since)}"
    )
    if measure.holds and measure.held_points:
        sentence += f", held for {_plural(measure.held_points, 'point')}"
        if measure.held_since:
            sentence += f" since {month_year(measure.held_since)}"
    elif not measure.holds:
        sentence += ", not holding at the latest point"
    if measure.new_phase:
        sentence += "; a new phase was started for it"
    return sentence + "."


# Each rung: (score, test) where test(evidence) -> (met, sentence). The sentence is the
# evidence when met, or what is missing when not.
def _charter(e: ProjectEvidence) -> tuple[bool, str]:
    missing = []
    if not e.has_problem:
        missing.append("a problem statement")
    if not e.has_aim:
        missing.append("an aim")
    if not e.has_lead:
        missing.append("a lead")
    if e.team_size < 2:
        missing.append(f"a team of at least two people (now {e.team_size})")
    parts = ["The charter needs " + ", ".join(missing) + "."] if missing else []
    if e.has_aim:  # the aim check's own sentences, as the charter page shows them
        parts += [p if p.endswith(".") else p + "." for p in e.aim_problems]
    if parts:
        return False, " ".join(parts)
    return True, (
        f"Charter complete: a problem, a measurable aim with a date, and a team of "
        f"{_plural(e.team_size, 'person', 'people')} with a lead."
    )


def _planning(e: ProjectEvidence) -> tuple[bool, str]:
    missing = []
    if not e.primary_drivers or not e.change_ideas:
        missing.append("a driver diagram with at least one primary driver and one change idea")
    outcomes = _by_role(e, "outcome")
    if not outcomes:
        missing.append("an outcome measure linked")
    with_baseline = [m for m in e.measures if m.baseline >= BASELINE_POINTS]
    if not with_baseline:
        most = _best(list(e.measures), lambda m: m.baseline)
        now = f" (‘{most.name}’ has {most.baseline})" if most else ""
        missing.append(
            f"baseline data: {BASELINE_POINTS} points on a linked measure before the first "
            f"test{now}"
        )
    if missing:
        return False, "Planning needs " + "; ".join(missing) + "."
    baseline = _best(with_baseline, lambda m: m.baseline)
    return True, (
        f"Planning done: a driver diagram with {_plural(e.primary_drivers, 'primary driver')} "
        f"and {_plural(e.change_ideas, 'change idea')}; outcome measure ‘{outcomes[0].name}’ "
        f"linked; ‘{baseline.name}’ has {_plural(baseline.baseline, 'point')} of baseline data."
    )


def _activity(e: ProjectEvidence) -> tuple[bool, str]:
    if not e.cycles_started:
        return False, "No PDSA cycle has started yet."
    return True, (
        f"{_plural(e.cycles_started, 'PDSA cycle')} started since {month_year(e.first_test_on)}."
    )


def _tested(e: ProjectEvidence) -> tuple[bool, str]:
    if not e.cycles_studied:
        return False, "No PDSA cycle has been studied yet (none has reached Act)."
    decided = [
        f"{n} {DECISION_WORDS.get(decision, decision)}"
        for decision, n in sorted(e.decisions.items())
        if n
    ]
    tail = f" ({', '.join(decided)})" if decided else ""
    return True, f"{_plural(e.cycles_studied, 'change')} tested and studied{tail}."


def _improved(measures: list[MeasureEvidence]) -> list[MeasureEvidence]:
    return [m for m in measures if m.improved]


def _modest(e: ProjectEvidence) -> tuple[bool, str]:
    improved = _improved(_by_role(e, "process") + _by_role(e, "outcome"))
    if not improved:
        return False, (
            "No process or outcome measure shows special cause improvement since the first "
            f"test ({month_year(e.first_test_on)})."
        )
    best = improved[0]
    return True, _improvement(best, best.role.capitalize())


def _improvement_on_outcome(e: ProjectEvidence) -> tuple[bool, str]:
    improved = _improved(_by_role(e, "outcome"))
    if not improved:
        return False, (
            "No outcome measure shows special cause improvement since the first test "
            f"({month_year(e.first_test_on)})."
        )
    best = _best(improved, lambda m: (m.holds, m.held_points))
    return True, _improvement(best, "Outcome")


def _held(e: ProjectEvidence) -> list[MeasureEvidence]:
    return [m for m in _improved(_by_role(e, "outcome")) if m.holds]


def _significant(e: ProjectEvidence) -> tuple[bool, str]:
    held = [m for m in _held(e) if m.held_points >= HELD_POINTS or m.new_phase]
    if not held:
        best = _best(_improved(_by_role(e, "outcome")), lambda m: m.held_points)
        now = f" (‘{best.name}’: {best.held_points})" if best and best.holds else ""
        return False, (
            f"The outcome measure's improvement has not yet held for {HELD_POINTS} points or "
            f"become a new phase{now}."
        )
    best = _best(held, lambda m: m.held_points)
    how = "a new phase was started for it" if best.new_phase else ""
    if best.held_points >= HELD_POINTS:
        how = f"held for {_plural(best.held_points, 'point')}" + (f"; {how}" if how else "")
    return True, f"Significant: the improvement of ‘{best.name}’ is {how}."


def _longest_held(e: ProjectEvidence) -> MeasureEvidence | None:
    return _best(_held(e), lambda m: m.held_months)


def _sustainable(e: ProjectEvidence) -> tuple[bool, str]:
    best = _longest_held(e)
    adopted = e.decisions.get("adopt", 0)
    missing = []
    if best is None or best.held_months < SUSTAINABLE_MONTHS:
        now = f" (‘{best.name}’: {best.held_months:.1f})" if best else ""
        missing.append(f"the improvement to hold for {SUSTAINABLE_MONTHS} months{now}")
    if not adopted:
        missing.append("a change adopted (a PDSA cycle's decision)")
    if missing:
        return False, "Sustainable improvement needs " + " and ".join(missing) + "."
    return True, (
        f"Sustainable: ‘{best.name}’ has held its improvement for {best.held_months:.0f} "
        f"months, and {_plural(adopted, 'change')} adopted."
    )


def _outstanding(e: ProjectEvidence) -> tuple[bool, str]:
    best = _longest_held(e)
    spreading = e.stage in SPREAD_STAGES or e.adoptions_elsewhere > 0
    missing = []
    if best is None or best.held_months < OUTSTANDING_MONTHS:
        now = f" (‘{best.name}’: {best.held_months:.1f})" if best else ""
        missing.append(f"the improvement to hold for {OUTSTANDING_MONTHS} months{now}")
    if not spreading:
        missing.append("the project spreading or sustaining, or its change package adopted")
    if missing:
        return False, "Outstanding results need " + " and ".join(missing) + "."
    where = (
        f"its change package is adopted in {_plural(e.adoptions_elsewhere, 'other unit')}"
        if e.adoptions_elsewhere
        else f"the project is {e.stage_label.lower() or e.stage}"
    )
    return True, (
        f"Outstanding: ‘{best.name}’ has held its improvement for {best.held_months:.0f} "
        f"months and {where}."
    )


RUNGS: tuple[tuple[str, Callable[[ProjectEvidence], tuple[bool, str]]], ...] = (
    ("1.0", _charter),
    ("1.5", _planning),
    ("2.0", _activity),
    ("2.5", _tested),
    ("3.0", _modest),
    ("3.5", _improvement_on_outcome),
    ("4.0", _significant),
    ("4.5", _sustainable),
    ("5.0", _outstanding),
)


def suggest(evidence: ProjectEvidence) -> ProgressSuggestion:
    """The score the evidence supports, and why: one sentence per rung climbed, then what the
    next rung needs.

    >>> suggest(ProjectEvidence(title="Falls", has_problem=True)).reasons[-1]
    'To reach 1.0: the charter needs an aim, a lead, a team of at least two people (now 0).'
    """
    score = "0.5"
    reasons = [f"“{evidence.title}” is recorded as a project."]
    for rung, test in RUNGS:
        met, sentence = test(evidence)
        if not met:
            reasons.append(f"To reach {rung}: {sentence[0].lower()}{sentence[1:]}")
            break
        score = rung
        reasons.append(sentence)
    return ProgressSuggestion(score=score, reasons=tuple(reasons))
