"""Quality planning's reads: clinical audits against standards.

The rules of the results, in one place:

- A criterion's compliance is the cases that met it over the cases it applied to (cases marked
  not applicable are left out of both), with a 95% Wilson score interval.
- Its verdict compares the point estimate with the compliance expected: at or above it, the
  criterion is met; below it, the criterion falls short (and becomes an audit finding). When
  the expected value lies strictly inside the interval, the verdict says "uncertain": the
  sample cannot tell the two apart.
- The audit's overall compliance ("all or none") is the cases that met every criterion that
  applied to them, over the cases with at least one criterion that applied. It is what feeds
  the standard's measure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet

from qms.issues.models import Action
from qms.people import access
from qms.planning import roles
from qms.planning.models import Audit, AuditAnswer, AuditCase, AuditCriterion, Compliance
from qms.stats.compliance import compliance_spec
from qms.stats.proportions import Difference, Interval, newcombe_difference, wilson_interval

__all__ = [
    "CASES_PER_PAGE",
    "AuditPage",
    "AuditResults",
    "ComparisonRow",
    "CriterionResult",
    "Verdict",
    "audit_chain",
    "audit_comparison",
    "audit_page",
    "audit_results",
    "audits_of",
]

CASES_PER_PAGE = 100


class Verdict:
    MET = "met"
    MET_UNCERTAIN = "met_uncertain"
    SHORT_UNCERTAIN = "short_uncertain"
    SHORT = "short"
    NO_DATA = "no_data"

    LABELS = {
        MET: "Met",
        MET_UNCERTAIN: "Met (uncertain: the interval spans the expected value)",
        SHORT_UNCERTAIN: "Falls short (uncertain: the interval spans the expected value)",
        SHORT: "Falls short",
        NO_DATA: "No cases it applies to",
    }


@dataclass(frozen=True)
class CriterionResult:
    criterion: AuditCriterion
    met: int
    not_met: int
    not_applicable: int
    interval: Interval | None

    @property
    def n(self) -> int:
        return self.met + self.not_met

    @property
    def percent(self) -> float | None:
        return None if self.interval is None else 100 * self.interval.estimate

    @property
    def lower(self) -> float | None:
        return None if self.interval is None else 100 * self.interval.lower

    @property
    def upper(self) -> float | None:
        return None if self.interval is None else 100 * self.interval.upper

    @property
    def falls_short(self) -> bool:
        """Below the compliance expected (compared in whole counts: no rounding at 95%)."""
        return self.n > 0 and self.met * 100 < self.criterion.expected * self.n

    @property
    def verdict(self) -> str:
        if self.interval is None:
            return Verdict.NO_DATA
        expected = self.criterion.expected
        uncertain = self.lower < expected < self.upper
        if self.falls_short:
            return Verdict.SHORT_UNCERTAIN if uncertain else Verdict.SHORT
        return Verdict.MET_UNCERTAIN if uncertain else Verdict.MET

    @property
    def verdict_label(self) -> str:
        return Verdict.LABELS[self.verdict]


@dataclass(frozen=True)
class AuditResults:
    audit: Audit
    criteria: list[CriterionResult]
    cases: int
    # Overall ("all or none"): cases meeting every criterion that applied, over cases with one.
    all_met: int
    applicable: int

    @property
    def overall(self) -> Interval | None:
        return wilson_interval(self.all_met, self.applicable) if self.applicable else None

    @property
    def overall_percent(self) -> float | None:
        overall = self.overall
        return None if overall is None else 100 * overall.estimate

    @property
    def overall_lower(self) -> float | None:
        overall = self.overall
        return None if overall is None else 100 * overall.lower

    @property
    def overall_upper(self) -> float | None:
        overall = self.overall
        return None if overall is None else 100 * overall.upper

    @property
    def failing(self) -> int:
        return self.applicable - self.all_met

    @property
    def none_applicable(self) -> int:
        return self.cases - self.applicable

    @property
    def short(self) -> list[CriterionResult]:
        return [row for row in self.criteria if row.falls_short]


def _interval(met: int, not_met: int) -> Interval | None:
    return wilson_interval(met, met + not_met) if met + not_met else None


def audit_results(audit: Audit, criteria: list[AuditCriterion] | None = None) -> AuditResults:
    """Compliance per criterion and overall, from the cases recorded so far (three queries;
    two when the criteria are given)."""
    if criteria is None:
        criteria = list(audit.criteria.all())
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for criterion_id, answer, total in (
        AuditAnswer.objects.filter(case__audit=audit)
        .values_list("criterion_id", "answer")
        .annotate(total=Count("pk"))
        .order_by()
    ):
        counts[criterion_id][answer] = total
    rows = []
    for criterion in criteria:
        answered = counts.get(criterion.pk, {})
        met = answered.get(Compliance.MET, 0)
        not_met = answered.get(Compliance.NOT_MET, 0)
        rows.append(
            CriterionResult(
                criterion,
                met,
                not_met,
                answered.get(Compliance.NOT_APPLICABLE, 0),
                _interval(met, not_met),
            )
        )
    overall = AuditCase.objects.filter(audit=audit).aggregate(
        cases=Count("pk", distinct=True),
        applicable=Count(
            "pk",
            distinct=True,
            filter=Q(answers__answer__in=[Compliance.MET, Compliance.NOT_MET]),
        ),
        failing=Count("pk", distinct=True, filter=Q(answers__answer=Compliance.NOT_MET)),
    )
    return AuditResults(
        audit,
        rows,
        overall["cases"],
        overall["applicable"] - overall["failing"],
        overall["applicable"],
    )


def audits_of(user, unit) -> QuerySet[Audit]:
    """The audits of the unit and the units below it that the user sees, newest first, with
    their number of cases."""
    visible = access.visible(user, Audit.objects.all(), roles.VIEWERS)
    return (
        access.in_subtree(visible, unit)
        .select_related("unit", "standard", "measure", "lead", "previous")
        .annotate(case_count=Count("cases", distinct=True))
        .order_by("-period_start", "-pk")
    )


def audit_chain(audit: Audit) -> list[Audit]:
    """The audit cycle this audit is part of, first audit first: the audits it repeats and
    those repeating it (each audit has one re-audit at most). A query per audit in the chain,
    which is a handful."""
    chain = [audit]
    seen = {audit.pk}
    current = audit
    while current.previous_id is not None and current.previous_id not in seen:
        current = Audit.objects.select_related("lead").get(pk=current.previous_id)
        chain.insert(0, current)
        seen.add(current.pk)
    current = audit
    while True:
        following = (
            Audit.objects.filter(previous=current).exclude(pk__in=seen).order_by("pk").first()
        )
        if following is None:
            break
        chain.append(following)
        seen.add(following.pk)
        current = following
    return chain


@dataclass(frozen=True)
class ComparisonRow:
    """A criterion of the re-audit beside the criterion in the same position of the audit
    before: both compliances, the change and its interval (Newcombe's hybrid score), and the
    p value of the two-proportion z test."""

    position: int
    text: str
    before: CriterionResult | None
    after: CriterionResult
    difference: Difference | None

    @property
    def change(self) -> float | None:
        return None if self.difference is None else 100 * self.difference.difference

    @property
    def change_lower(self) -> float | None:
        return None if self.difference is None else 100 * self.difference.lower

    @property
    def change_upper(self) -> float | None:
        return None if self.difference is None else 100 * self.difference.upper


def audit_comparison(results: AuditResults, before: AuditResults) -> list[ComparisonRow]:
    """Per criterion of the re-audit (`results`), the one of the same position before."""
    earlier = {row.criterion.position: row for row in before.criteria}
    rows = []
    for row in results.criteria:
        previous = earlier.get(row.criterion.position)
        difference = None
        if previous is not None and previous.n and row.n:
            difference = newcombe_difference((previous.met, previous.n), (row.met, row.n))
        rows.append(
            ComparisonRow(row.criterion.position, row.criterion.text, previous, row, difference)
        )
    return rows


def _chart_rows(results: AuditResults, name: str) -> list[dict]:
    return [
        {
            "criterion": f"{row.criterion.position}. {_short(row.criterion.text)}",
            "audit": name,
            "estimate": row.percent,
            "lower": row.lower,
            "upper": row.upper,
            "expected": row.criterion.expected,
        }
        for row in results.criteria
    ]


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _audit_name(audit: Audit) -> str:
    return f"{audit.title} ({audit.period_start:%b %Y})"


@dataclass
class AuditPage:
    audit: Audit
    criteria: list[AuditCriterion]
    results: AuditResults
    cases: object  # a Page of AuditCase, each with `answer_list` in criteria order
    chain: list[Audit]
    before: AuditResults | None = None
    comparison: list[ComparisonRow] = field(default_factory=list)
    chart: dict | None = None
    issues: dict = field(default_factory=dict)  # criterion id -> issue with its actions


def audit_page(audit: Audit, *, page: object = 1) -> AuditPage:
    """Everything the audit's page shows, in a fixed number of queries whatever the number of
    cases: criteria, results, a page of cases with their answers, the chain, the comparison
    with the audit before, and the findings' issues with their actions."""
    criteria = list(audit.criteria.select_related("issue").all())
    results = audit_results(audit, criteria)
    paginator = Paginator(
        AuditCase.objects.filter(audit=audit).select_related("collected_by").order_by("pk"),
        CASES_PER_PAGE,
    )
    cases = paginator.get_page(page)
    answers: dict[int, dict[int, str]] = defaultdict(dict)
    for case_id, criterion_id, answer in AuditAnswer.objects.filter(
        case__in=[case.pk for case in cases]
    ).values_list("case_id", "criterion_id", "answer"):
        answers[case_id][criterion_id] = answer
    labels = dict(Compliance.choices)
    for case in cases:
        case.answer_list = [labels.get(answers[case.pk].get(c.pk, ""), "—") for c in criteria]
    chain = audit_chain(audit)
    page_data = AuditPage(audit, criteria, results, cases, chain)
    chart_rows = _chart_rows(results, _audit_name(audit))
    if audit.previous_id is not None:
        previous = next(a for a in chain if a.pk == audit.previous_id)
        page_data.before = audit_results(previous)
        page_data.comparison = audit_comparison(results, page_data.before)
        chart_rows = _chart_rows(page_data.before, _audit_name(previous)) + chart_rows
    if results.cases:
        page_data.chart = compliance_spec(
            chart_rows,
            title=f"Compliance per criterion: {audit.title}",
            description="Compliance per criterion with its 95% confidence interval and the "
            "expected compliance; the same figures are in the table of results.",
        )
    page_data.issues = _issues(criteria)
    return page_data


def _issues(criteria: list[AuditCriterion]) -> dict:
    """The findings' issues with their actions (one query for all the actions)."""
    issues = {c.pk: c.issue for c in criteria if c.issue is not None}
    if not issues:
        return {}
    actions = defaultdict(list)
    for action in (
        Action.objects.filter(issue__in=[i.pk for i in issues.values()])
        .select_related("owner")
        .order_by("due_on", "pk")
    ):
        actions[action.issue_id].append(action)
    for issue in issues.values():
        issue.action_list = actions.get(issue.pk, [])
    return issues
