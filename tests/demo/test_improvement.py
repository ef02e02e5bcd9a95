"""The demo's quality improvement: about 20 projects at every stage and with every method,
about 100 PDSA cycles whose changes show on their measures' charts as special cause
improvement, change packages adopted with different results, built the same way every time and
never twice."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Q
from django.test import TestCase
from django.urls import reverse

from qms.control.models import Annotation, Measure, MeasureResult
from qms.demo import improvement, issues, measures, organisation
from qms.improvement.models import (
    A3,
    Adoption,
    ChangePackage,
    CycleStage,
    DriverNode,
    EbcdStage,
    Milestone,
    PdsaCycle,
    Prediction,
    ProgressAssessment,
    Project,
    ProjectMeasure,
    Prototype,
    PrototypeStatus,
    Stage,
)
from qms.people.models import ObjectGrant, Person
from qms.text.aims import aim_problems

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
    return improvement.build(today=TODAY)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One build shared by the module; rolled back at the end. What services leave for the
    commit (the cycles' markers on the charts) runs as `qms demo-data`'s commit would run it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            counts = build_demo()
        yield counts
        transaction.set_rollback(True)


def project(title):
    return Project.objects.get(title=title)


def test_it_builds_about_20_projects_at_every_stage_with_several_methods(demo, db):
    assert 18 <= Project.objects.count() == demo["projects"] <= 25
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    methods = Counter(Project.objects.values_list("method", flat=True))
    assert methods["mfi"] > Project.objects.count() / 2  # mostly Model for Improvement
    assert methods["lean"] and methods["ebcd"] and methods["pm"]
    assert Project.objects.values("unit").distinct().count() >= 15


def test_charters_mostly_pass_the_aim_check_and_one_or_two_do_not(demo, db):
    failing = [p.title for p in Project.objects.all() if aim_problems(p.aim)]
    assert 1 <= len(failing) <= 3, failing
    assert "Hand hygiene for new starters" in failing
    for item in Project.objects.exclude(stage=Stage.IDEA):
        assert item.problem and item.lead_id, item.title


def test_the_demo_lead_coach_and_partner_have_projects_to_see(demo, db):
    ward_7 = Project.objects.filter(unit__code="ward-7")
    assert ward_7.filter(lead__username="lead").count() >= 2
    coached = Project.objects.filter(coach__username="coach")
    assert coached.count() >= 4
    assert coached.filter(cycles__isnull=False).distinct().count() >= 3
    partner_on = ObjectGrant.objects.filter(person__username="partner", role="partner")
    assert partner_on.count() >= 2
    # Other units' partners are on their projects' teams too.
    assert ObjectGrant.objects.filter(role="partner").exclude(person__username="partner").exists()
    # A project started from a signal (the demo lead's NEWS2 deterioration) keeps its source.
    news2 = project("Reliable escalation of NEWS2 on early shifts")
    assert news2.source_record is not None
    assert news2.source_record.measure.code == "ward-7-news2-escalation"


def test_projects_link_outcome_process_and_balancing_measures(demo, db):
    roles = Counter(ProjectMeasure.objects.values_list("role", flat=True))
    assert roles["outcome"] >= 15 and roles["process"] >= 4 and roles["balancing"] >= 5
    for item in Project.objects.all():
        assert item.project_measures.exists(), item.title


def test_driver_diagrams_have_an_aim_drivers_and_change_ideas(demo, db):
    for item in Project.objects.filter(cycles__isnull=False).distinct():
        kinds = Counter(item.nodes.values_list("kind", flat=True))
        assert kinds["aim"] == 1 and 1 <= kinds["primary"] <= 4, item.title
        assert kinds["change_idea"] >= 1, item.title
    falls = project("Fewer falls on Ward 7")
    kinds = Counter(falls.nodes.values_list("kind", flat=True))
    assert kinds["primary"] == 3 and kinds["secondary"] == 3 and kinds["change_idea"] == 4
    # A change idea with a measure of its own.
    assert DriverNode.objects.filter(kind="change_idea", measures__isnull=False).exists()


def test_about_100_cycles_in_ramps_at_every_stage_with_predictions_and_results(demo, db):
    assert 80 <= PdsaCycle.objects.count() == demo["cycles"] <= 120
    assert set(PdsaCycle.objects.values_list("stage", flat=True)) == set(CycleStage.values)
    decisions = Counter(PdsaCycle.objects.values_list("decision", flat=True))
    assert decisions["adopt"] >= 15 and decisions["adapt"] >= 20 and decisions["abandon"] >= 1
    assert not PdsaCycle.objects.filter(predictions__isnull=True).exists()
    studied = Prediction.objects.filter(cycle__stage__in=["act", "done"])
    assert studied.exists() and not studied.filter(outcome="").exists()
    # Ramps: each change idea's cycles numbered from 1, each after the one before.
    for node in DriverNode.objects.filter(kind="change_idea", cycles__isnull=False).distinct():
        ramp = list(node.cycles.order_by("number"))
        assert [c.number for c in ramp] == list(range(1, len(ramp) + 1))
        assert all(a.starts_on < b.starts_on for a, b in zip(ramp, ramp[1:], strict=False))
        assert all(b.previous_id == a.pk for a, b in zip(ramp, ramp[1:], strict=False))
    # Done cycles were decided when they ended, not on the day the demo was built.
    for cycle in PdsaCycle.objects.filter(stage="done"):
        assert cycle.completed_on == cycle.ends_on
    # One cycle is overdue, to remind its owner; those being tested now run today.
    late = PdsaCycle.objects.exclude(stage="done").filter(ends_on__lt=TODAY)
    assert late.count() >= 1
    assert PdsaCycle.objects.filter(stage="do", starts_on__lte=TODAY, ends_on__gte=TODAY).exists()


def test_prototypes_and_one_becomes_a_change_idea(demo, db):
    assert Prototype.objects.count() >= 4
    became = Prototype.objects.filter(status=PrototypeStatus.BECAME_CHANGE_IDEA)
    assert became.exists()
    for prototype in became:
        assert prototype.change_idea.cycles.filter(number=1).exists()
    assert Prototype.objects.filter(status=PrototypeStatus.OPEN).exists()


def test_the_changes_precede_the_improvement_on_the_charts(demo, db):
    """Each anchored project's cycles end before its measure's step, and the stored results
    show the improvement after them: special cause improvement points, or a new phase with a
    better centre line."""
    for spec in improvement.PROJECTS:
        if not spec.anchor:
            continue
        change = improvement.change_date(spec.anchor, TODAY)
        item = project(spec.title)
        current = {ramp.idea for ramp in spec.ramps if ramp.current}
        cycles = item.cycles.exclude(change_idea__text__in=current)
        assert cycles.exists() and all(c.ends_on < change for c in cycles), spec.title
        measure = Measure.objects.get(code=spec.anchor)
        first = min(c.starts_on for c in cycles)
        assert improved_after(measure, first), spec.anchor


def improved_after(measure, since):
    points = MeasureResult.objects.get(measure=measure).points
    after = [p for p in points if dt.date.fromisoformat(p["period"]) >= since]
    if any(p["point_type"] == "special_cause_improvement" for p in after):
        return True
    before = [p for p in points if dt.date.fromisoformat(p["period"]) < since]
    if not before or not after or after[-1]["phase"] == before[-1]["phase"]:
        return False
    better = after[-1]["cl"] - before[-1]["cl"]
    return better > 0 if measure.direction == "increase" else better < 0


def test_methods_have_their_structures(demo, db):
    assert A3.objects.filter(project__method="lean").exclude(root_causes="").exists()
    assert EbcdStage.objects.filter(project__method="ebcd", status="done").count() >= 4
    assert Milestone.objects.filter(done_on__isnull=False).exists()
    assert Milestone.objects.filter(done_on__isnull=True, due_on__lt=TODAY).exists()


def test_progress_scores_are_confirmed_and_one_is_overridden_with_a_reason(demo, db):
    assert ProgressAssessment.objects.count() >= 12
    overridden = [a for a in ProgressAssessment.objects.all() if a.overridden]
    assert len(overridden) == 1 and overridden[0].override_reason
    scores = set(Project.objects.exclude(progress_score="").values_list("progress_score", flat=1))
    assert len(scores) >= 4


def test_packages_are_published_and_adopted_with_different_results(demo, db):
    assert ChangePackage.objects.filter(status="published").count() == 3
    for package in ChangePackage.objects.all():
        assert package.change_ideas.exists() and package.measures.exists()
        assert package.published_at.date() < TODAY
        assert package.adoptions.count() >= 2
    assert Adoption.objects.count() == demo["adoptions"] >= 7
    # One adopting unit's measure improves after adoption, another's does not yet.
    for code, adopted, improves in [
        ("ward-8-falls-rate", "ward-8", True),
        ("ward-15-falls-rate", "ward-15", False),
        ("ward-15-fasting", "ward-15", True),
        ("day-surgery-fasting", "day-surgery", False),
        ("ward-24-co-produced-care-plan", "ward-24", True),
    ]:
        adoption = Adoption.objects.get(unit__code=adopted, measures__code=code)
        measure = Measure.objects.get(code=code)
        assert improved_after(measure, adoption.adopted_on) is improves, code
    # Copied definitions: a new measure with no data yet.
    copied = Adoption.objects.get(unit__code="hospital-at-home").measures.all()
    assert {measure.unit.code for measure in copied} == {"hospital-at-home"}
    assert len(copied) == 2 and not any(measure.observations.exists() for measure in copied)


def test_the_cycles_are_markers_on_their_measures_charts(demo, db):
    falls = Measure.objects.get(code="ward-7-falls-rate")
    cycles = set(project("Fewer falls on Ward 7").cycles.values_list("pk", flat=True))
    markers = Annotation.objects.filter(measure=falls, source_type__model="pdsacycle")
    assert {marker.source_id for marker in markers} == cycles


def pages_of(item):
    """The pages of a project and of what is under it."""
    urls = [
        item.get_absolute_url(),
        reverse("improvement:diagram", args=[item.pk]),
        reverse("improvement:prototype-list", args=[item.pk]),
        reverse("improvement:a3", args=[item.pk]),
        reverse("improvement:ebcd", args=[item.pk]),
        reverse("improvement:milestones", args=[item.pk]),
    ]
    urls += [cycle.get_absolute_url() for cycle in item.cycles.all()]
    urls += [prototype.get_absolute_url() for prototype in item.prototypes.all()]
    urls += [package.get_absolute_url() for package in item.packages.all()]
    nodes = item.nodes.filter(kind="change_idea", cycles__isnull=False).distinct()
    urls += [reverse("improvement:ramp", args=[node.pk]) for node in nodes]
    return urls


@pytest.mark.parametrize("username", ["lead", "coach", "partner"])
def test_the_demo_logins_can_open_their_projects_pages(demo, db, client, username):
    """The issue is done when everything works in the demo for a team lead, a coach and a
    patient partner: every page of their projects opens for them."""
    person = Person.objects.get(username=username)
    client.force_login(person)
    home = client.get(reverse("improvement:home"))
    assert home.status_code == 200
    theirs = Project.objects.filter(
        Q(lead=person) | Q(coach=person) | Q(pk__in=granted(person))
    ).distinct()
    assert theirs.count() >= 2
    for item in theirs:
        assert item.title in home.content.decode(), item.title
        for url in pages_of(item):
            assert client.get(url).status_code == 200, url
    assert client.get(reverse("improvement:package-list")).status_code == (
        403 if username == "partner" else 200
    )


def test_a_partner_sees_only_the_projects_they_are_on(demo, db, client):
    client.force_login(Person.objects.get(username="partner"))
    ward_7 = Project.objects.filter(unit__code="ward-7")
    assert client.get(reverse("improvement:portfolio", args=[ward_7[0].unit_id])).status_code in {
        403,
        404,
    }
    not_on = ward_7.exclude(pk__in=granted(Person.objects.get(username="partner")))
    assert not_on.exists()
    for item in not_on:
        assert client.get(item.get_absolute_url()).status_code in {403, 404}


def granted(person):
    return ObjectGrant.objects.filter(person=person, content_type__model="project").values_list(
        "object_id", flat=True
    )


def test_it_adds_and_changes_nothing_when_run_again(demo, db):
    def state():
        return [
            model.objects.count()
            for model in (
                Project,
                DriverNode,
                PdsaCycle,
                Prediction,
                Prototype,
                ProjectMeasure,
                ObjectGrant,
                ProgressAssessment,
                ChangePackage,
                Adoption,
                Annotation,
                Measure,
            )
        ] + [Project.history.count(), PdsaCycle.history.count(), Adoption.history.count()]

    before = state()
    counts = build_demo()
    assert state() == before
    assert counts == demo


# Every free text of the demo's improvement passes the screening for patient identifiers.
SCREENED_TEXT = {
    Project: ["title", "problem", "aim"],
    DriverNode: ["text"],
    PdsaCycle: ["title", "objective", "questions", "who", "what", "where", "data_to_collect",
                "what_happened", "observations", "study_summary", "act_notes"],
    Prediction: ["question", "prediction", "result"],
    Prototype: ["title", "description"],
    ChangePackage: ["title", "summary", "how_to", "evidence"],
    Adoption: ["local_adaptations", "context"],
    A3: ["background", "current_condition", "goal", "root_causes", "countermeasures", "plan",
         "follow_up"],
    EbcdStage: ["notes"],
    Milestone: ["title"],
}  # fmt: skip


def test_its_free_text_passes_the_screening_for_patient_identifiers(demo, db):
    from qms.web.screening import problems_without_prompt

    checked, found = 0, []
    for model, fields in SCREENED_TEXT.items():
        for row in model.objects.values_list("pk", *fields):
            for name, text in zip(fields, row[1:], strict=True):
                checked += bool(text)
                for problem in problems_without_prompt(text, label=f"{model.__name__}.{name}"):
                    found.append((row[0], problem))
    assert checked > 500
    assert found == []


def test_every_anchor_has_a_step_or_trend_and_every_measure_exists():
    codes = {plan.code for plan in measures.PLANS}
    for spec in improvement.PROJECTS:
        for code, _ in spec.measures:
            assert code in codes, (spec.title, code)
        if spec.anchor:
            assert improvement.change_date(spec.anchor, TODAY) < TODAY
        drivers = {
            text for primary, secondaries in spec.drivers for text in (primary, *secondaries)
        }
        for ramp in spec.ramps:
            assert ramp.parent in drivers, (spec.title, ramp.idea)
    for package in improvement.PACKAGES:
        assert package.project in {spec.title for spec in improvement.PROJECTS}
        for adoption in package.adoptions:
            assert all(code in codes for code in adoption.link)
