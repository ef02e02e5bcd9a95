"""The demo's quality planning: the Acute Services Division's planning cycle (vision and aims
cascade, needs with evidence, equity breakdowns, about 80 analysed issues, 15 scored priorities,
capacities, audits with a re-audit), built through planning's services the same way every time
and never twice, and every planning page of the division opening for its people."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.test import TestCase
from django.urls import NoReverseMatch, reverse

from qms.control.models import Measure
from qms.demo import improvement, issues, measures, organisation, planning
from qms.demo import planning_story as story
from qms.improvement.models import NodeKind, Project
from qms.issues.models import Issue, IssueSource
from qms.people.models import Person, Unit
from qms.planning.models import (
    Aim,
    AnalysisDecision,
    Asset,
    Audit,
    AuditCase,
    Design,
    DesignStep,
    EvidenceKind,
    GroupObservation,
    IssueAnalysis,
    IssueFactor,
    MethodChoice,
    Need,
    NeedEvidence,
    NeedsAssessment,
    Priority,
    PriorityStatus,
    Responsibility,
    UnitCapacity,
    Vision,
)

# The module's demo fixture needs the test database even when run alone (no test of the
# file asks for `db` itself, and pytest-django sets up only the databases tests ask for).
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def build_demo(seed=2026):
    """What `qms demo-data` does, on a fixed day."""
    rng = random.Random(seed)
    organisation.build(rng)
    measures.build(rng, today=TODAY)
    issues.build()
    improvement.build(today=TODAY)
    return planning.build(rng, today=TODAY)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One build shared by the module; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            counts = build_demo()
        yield counts
        transaction.set_rollback(True)


def division_q(field="unit"):
    """Records of the Acute Services Division or below."""
    return Q(**{f"{field}__code": story.DIVISION}) | Q(**{f"{field}__path__startswith": _path()})


def _path():
    return Unit.objects.get(code=story.DIVISION).path


# The story ------------------------------------------------------------------------------------


def test_it_names_only_measures_and_projects_the_demo_has():
    codes = {plan.code for plan in measures.PLANS}
    titles = {spec.title for spec in improvement.PROJECTS}
    for aim in story.AIMS:
        assert set(aim.measures) <= codes, aim.key
        assert set(aim.projects) <= titles, aim.key
    for spec in story.PRIORITIES:
        assert set(spec.measures) <= codes, spec.title
        if spec.origin == "gap":
            assert spec.source in codes, spec.title
    for spec in story.BREAKDOWNS:
        assert spec.measure in codes


def test_its_aims_serve_aims_set_before_them_and_one_board_aim_is_served_by_nothing():
    seen = set()
    for aim in story.AIMS:
        assert not aim.parent or aim.parent in seen, aim.key
        seen.add(aim.key)
    parents = {aim.parent for aim in story.AIMS}
    unserved = [
        aim.key
        for aim in story.AIMS
        if aim.unit == story.BOARD and not aim.measures and not aim.projects
        and aim.key not in parents
    ]  # fmt: skip
    assert unserved == ["board-carbon"]


def test_its_evidence_tables_say_they_are_illustrative_and_name_their_source():
    for assessment in story.ASSESSMENTS:
        for table in assessment.tables:
            assert table.source.startswith("Illustrative figures, based on"), table.title
            assert table.source_url.startswith("https://")
            assert all(len(row) == len(table.columns) for row in table.rows)
        for item in assessment.feedback:
            assert "pxtextmining" in item.source


# The built demo ---------------------------------------------------------------------------------


def test_it_builds_a_vision_and_aims_cascaded_from_board_to_teams(demo, db):
    assert set(Vision.objects.values_list("unit__code", flat=True)) == {"riverside", "acute"}
    board = Aim.objects.filter(unit__code="riverside")
    assert 4 <= board.count() <= 6
    assert Aim.objects.filter(unit__code="acute", parent__unit__code="riverside").count() >= 3
    team_aims = Aim.objects.filter(parent__unit__code="acute")
    assert team_aims.count() >= 2
    assert Aim.objects.filter(measures__isnull=False).distinct().count() >= 10
    assert Aim.objects.filter(projects__isnull=False).distinct().count() >= 3


def test_one_board_aim_is_served_by_nothing(demo, db):
    unserved = Aim.objects.filter(unit__code="riverside", is_active=True).annotate(
        served=Count("measures") + Count("projects") + Count("children")
    )
    assert [aim.statement[:30] for aim in unserved.filter(served=0)] == [
        "Halve the carbon footprint of "
    ]


def test_it_assesses_needs_with_evidence_of_every_kind_and_assets(demo, db):
    assert NeedsAssessment.objects.count() == 2
    assert Need.objects.count() >= 6
    kinds = Counter(NeedEvidence.objects.values_list("kind", flat=True))
    assert kinds[EvidenceKind.TABLE] >= 3
    assert kinds[EvidenceKind.STATISTIC] >= 2 and kinds[EvidenceKind.FEEDBACK] >= 3
    table = NeedEvidence.objects.get(title__startswith="Population of Riverside")
    assert table.columns[0] == "Age band" and len(table.rows) == 6
    assert set(Asset.objects.values_list("kind", flat=True)) == {"community", "staff", "partner"}


def test_four_measures_have_group_breakdowns_with_a_visible_equity_gap(demo, db):
    pairs = set(GroupObservation.objects.values_list("measure__code", "dimension").distinct())
    assert len(pairs) == 4
    for code, dimension in pairs:
        measure = Measure.objects.get(code=code)
        latest = GroupObservation.objects.filter(measure=measure, dimension=dimension)
        period = latest.order_by("-period").first().period
        rates = [o.value / o.denominator * measure.multiply for o in latest.filter(period=period)]
        assert max(rates) - min(rates) > 0.2 * max(rates), code


def test_about_80_issues_are_analysed_with_recurring_factors(demo, db):
    analysed = IssueAnalysis.objects.filter(division_q("issue__unit"))
    assert 70 <= analysed.count() <= 95
    assert all(a.system_account for a in analysed)
    decisions = Counter(analysed.values_list("decision", flat=True))
    assert decisions[AnalysisDecision.IMPROVE_HERE] > decisions[AnalysisDecision.ESCALATE] >= 5
    top = Counter(IssueFactor.objects.values_list("domain__code", flat=True)).most_common(3)
    assert [code for code, _ in top] == [story.WORKLOAD, story.COMMUNICATION, story.TASK]
    assert top[2][1] >= 15
    # Raised over the past year, not all today: the Pareto by period has something to show.
    ages = {(dt.date.today() - i.created_at.date()).days // 30 for i in Issue.objects.all()}
    assert len(ages) >= 10


def test_15_priorities_are_scored_and_decided(demo, db):
    assert Priority.objects.count() == 15 == demo["priorities"]
    origins = set(Priority.objects.values_list("origin", flat=True))
    assert {"gap", "factor", "need", "aim", "strategy"} <= origins
    for item in Priority.objects.all():
        assert item.people_affected and item.readiness, item.title
    statuses = Counter(Priority.objects.values_list("status", flat=True))
    assert statuses[PriorityStatus.APPROVED] >= 5
    assert statuses[PriorityStatus.PARKED] >= 2 and statuses[PriorityStatus.REJECTED] >= 2
    for item in Priority.objects.exclude(status=PriorityStatus.CANDIDATE):
        assert item.decision_reason, item.title
    for item in Priority.objects.filter(status=PriorityStatus.APPROVED):
        assert item.owner_id and item.protected_hours, item.title
        assert Responsibility.objects.filter(priority=item, raci="A").count() == 1, item.title
        assert MethodChoice.objects.filter(priority=item).exists(), item.title


def test_two_approved_priorities_became_projects_with_drivers_from_their_factors(demo, db):
    became = Priority.objects.filter(project__isnull=False)
    assert became.count() >= 2
    for item in became:
        primaries = item.project.nodes.filter(kind=NodeKind.PRIMARY)
        assert primaries.count() == item.factors.count(), item.title


def test_one_design_has_a_current_and_a_future_process(demo, db):
    design = Design.objects.get()
    states = Counter(DesignStep.objects.filter(design=design).values_list("state", flat=True))
    assert states["current"] > states["future"] >= 5


def test_units_have_capacity_and_ward_7_is_over_committed(demo, db):
    from qms.planning import selectors

    assert UnitCapacity.objects.count() >= 6
    quality = Person.objects.get(username="quality")
    acute = Unit.objects.get(code=story.DIVISION)
    rows = {row.unit.code: row for row in selectors.commitments(quality, acute).rows}
    assert rows["ward-7"].over and rows["ward-7"].status.startswith("Over-committed")
    assert rows["acute"].has_capacity and not rows["acute"].over
    assert len([row for row in rows.values() if row.over]) <= 2


def test_audits_have_criteria_cases_findings_and_a_re_audit_that_improved(demo, db):
    first = Audit.objects.filter(previous__isnull=True)
    assert first.count() == 3
    for audit in first:
        assert audit.criteria.count() >= 3
        assert 30 <= AuditCase.objects.filter(audit=audit).count() <= 60
        assert audit.criteria.filter(issue__isnull=False).exists(), audit.title
    findings = Issue.objects.filter(source=IssueSource.AUDIT_FINDING)
    assert findings.filter(actions__isnull=False).distinct().count() >= 3
    reaudits = Audit.objects.filter(previous__isnull=False)
    assert reaudits.count() == 2
    for reaudit in reaudits:
        before = _compliance(reaudit.previous)
        after = _compliance(reaudit)
        assert all(b < a for b, a in zip(before, after, strict=True)), reaudit.title
    assert Audit.objects.filter(reaudit_due__isnull=False, reaudits__isnull=True).exists()


def _compliance(audit):
    shares = []
    for criterion in audit.criteria.order_by("position"):
        answers = Counter(criterion.answers.values_list("answer", flat=True))
        shares.append(answers["met"] / (answers["met"] + answers["not_met"]))
    return shares


def test_it_adds_and_changes_nothing_when_run_again(demo, db):
    models = [
        Aim, Need, NeedEvidence, GroupObservation, Issue, IssueAnalysis, IssueFactor, Priority,
        Responsibility, MethodChoice, Design, UnitCapacity, Audit, AuditCase,
    ]  # fmt: skip

    def state():
        return [model.objects.count() for model in models] + [Priority.history.count()]

    before = state()
    counts = build_demo()
    assert state() == before
    assert counts == demo


SCREENED_TEXT = {
    Aim: ["statement", "target"],
    NeedsAssessment: ["title", "population", "summary"],
    Need: ["statement"],
    NeedEvidence: ["title", "source", "summary"],
    IssueAnalysis: ["system_account", "decision_reason"],
    Priority: ["title", "problem", "decision_reason"],
    Design: ["title", "purpose", "evidence", "technology"],
}


def test_its_free_text_passes_the_screening_for_patient_identifiers(demo, db):
    from qms.web.screening import problems_without_prompt

    found = []
    for model, fields in SCREENED_TEXT.items():
        for row in model.objects.values_list("pk", *fields):
            for name, text in zip(fields, row[1:], strict=True):
                found += problems_without_prompt(text, label=f"{model.__name__}.{name}")
    assert found == []


# The pages ------------------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"planning:{name}", args=args)


def division_pages():
    """Every planning page of the division, its units and its records."""
    acute = Aim.objects.filter(unit__code="acute").first().unit
    ward_7 = Aim.objects.filter(unit__code="ward-7").first().unit
    urls = [_url("home"), _url("framework")]
    for unit in (acute, ward_7):
        for name in ("vision", "aims", "needs", "gaps", "pareto", "priorities", "weights",
                     "priority-create", "resources", "audits"):  # fmt: skip
            urls.append(_url(name, unit.pk))
    urls += [_url("aim-detail", a.pk) for a in Aim.objects.filter(division_q())]
    urls += [_url("needs-detail", a.pk) for a in NeedsAssessment.objects.all()]
    codes = GroupObservation.objects.values_list("measure_id", flat=True).distinct()
    urls += [_url("equity", pk) for pk in codes]
    urls += [_url("analysis", a.issue_id) for a in IssueAnalysis.objects.all()[:10]]
    for item in Priority.objects.all():
        urls += [
            _url("priority-detail", item.pk),
            _url("priority-method", item.pk),
            _url("priority-roles", item.pk),
            _url("design-create", item.pk),
        ]
    for project in Project.objects.filter(priorities__isnull=False):
        urls += [_url("project-method", project.pk), _url("project-roles", project.pk)]
    urls += [_url("design-detail", d.pk) for d in Design.objects.all()]
    urls += [_url("audit-detail", a.pk) for a in Audit.objects.all()]
    return urls


def test_every_planning_page_of_the_division_opens_for_its_quality_lead(demo, db, client):
    client.force_login(Person.objects.get(username="quality"))
    statuses = {url: client.get(url).status_code for url in division_pages()}
    assert len(statuses) > 60
    opened = [url for url, status in statuses.items() if status == 200]
    refused = {url: status for url, status in statuses.items() if status != 200}
    # The quality lead of the division sees all of it; the framework is an organisation's
    # (edited by a board's quality lead) and the ward's weights follow the division's.
    assert all(status == 403 for status in refused.values()), refused
    assert len(opened) > 0.9 * len(statuses)


def test_every_planning_page_of_ward_7_opens_for_its_team_member(demo, db, client):
    client.force_login(Person.objects.get(username="member"))
    ward_7 = [url for url in division_pages() if _is_ward_7(url)]
    assert len(ward_7) >= 10
    statuses = {url: client.get(url).status_code for url in ward_7}
    assert all(status in {200, 403} for status in statuses.values()), statuses
    assert statuses[_url("aims", Aim.objects.filter(unit__code="ward-7")[0].unit_id)] == 200


def test_the_ward_7_partner_works_on_the_copd_priority_and_sees_no_other_planning(demo, db, client):
    partner = Person.objects.get(username="partner")
    client.force_login(partner)
    copd = Priority.objects.get(title="COPD discharge bundle for every patient")
    assert client.get(copd.get_absolute_url()).status_code == 200
    assert copd.get_absolute_url() in client.get("/").content.decode()
    other = Priority.objects.exclude(pk=copd.pk).first()
    assert client.get(other.get_absolute_url()).status_code in {403, 404}
    assert client.get(_url("priorities", copd.unit_id)).status_code in {403, 404}


def _is_ward_7(url):
    from django.urls import resolve

    match = resolve(url)
    ward_7 = Aim.objects.filter(unit__code="ward-7")[0].unit
    name, pk = match.url_name, next(iter(match.kwargs.values()), None)
    if pk is None:
        return name == "home"
    lookups = {
        "aim-detail": lambda: Aim.objects.get(pk=pk).unit,
        "priority-detail": lambda: Priority.objects.get(pk=pk).unit,
        "audit-detail": lambda: Audit.objects.get(pk=pk).unit,
    }
    if name in lookups:
        return lookups[name]() == ward_7
    return name in {"vision", "aims", "needs", "gaps", "pareto", "priorities", "resources",
                    "audits"} and pk == ward_7.pk  # fmt: skip


def test_the_planning_url_names_the_demo_opens_all_exist():
    names = ["home", "framework", "vision", "aims", "aim-detail", "needs", "needs-detail",
             "equity", "gaps", "analysis", "pareto", "priorities", "priority-create",
             "priority-detail", "weights", "priority-method", "project-method",
             "design-detail", "design-create", "resources", "priority-roles", "project-roles",
             "audits", "audit-detail"]  # fmt: skip
    missing = []
    for name in names:
        try:
            reverse(f"planning:{name}", args=[] if name in {"home", "framework"} else [1])
        except NoReverseMatch:
            missing.append(name)
    assert missing == []
