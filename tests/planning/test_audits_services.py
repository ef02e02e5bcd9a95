"""Clinical audit services: defining, collecting, analysing, findings, re-audits, who may."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from planning.audits_support import *  # noqa: F403
from planning.audits_support import PERIOD, add_cases, make_audit
from qms.control.models import Observation
from qms.issues.models import Issue, IssueSource
from qms.notifications.models import Notification
from qms.planning import selectors, services
from qms.planning.models import Audit, AuditCase, AuditStatus, Compliance

MET, NOT, NA = "met", "not_met", "na"


# Defining ---------------------------------------------------------------------------------------


def test_it_plans_an_audit_with_numbered_criteria(audit, lead):
    assert audit.status == AuditStatus.PLANNED
    assert audit.lead == lead
    assert [(c.position, c.expected) for c in audit.criteria.all()] == [(1, 95.0), (2, 90.0)]


@pytest.mark.parametrize("who", ["analyst", "coach", "quality_lead", "lead"])
def test_it_lets_auditors_plan_audits(org, request, who):
    person = request.getfixturevalue(who)
    assert make_audit(org["ward"], by=person).created_by == person


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_others_planning_audits(org, request, who):
    with pytest.raises(PermissionDenied):
        make_audit(org["ward"], by=request.getfixturevalue(who))
    assert not Audit.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"sample_size": 0}, "sample_size"),
        ({"sample_size": 10**9}, "sample_size"),
        ({"sample_size": "12"}, "sample_size"),
        ({"period_start": dt.date(1900, 1, 1)}, "period_start"),
        ({"period_end": dt.date(9999, 12, 31)}, "period_end"),
        ({"period_end": dt.date(2025, 2, 1)}, "period_end"),
        ({"sample": "Admissions like 943 476 5919"}, "sample"),
    ],
)
def test_it_refuses_a_bad_definition_naming_the_field(org, lead, fields, field):
    with pytest.raises(ValidationError) as caught:
        make_audit(org["ward"], by=lead, criteria=(), **fields)
    assert field in caught.value.error_dict
    assert not Audit.objects.exists()


def test_it_refuses_a_measure_of_another_unit(org, lead):
    from helpers import make_measure

    elsewhere = make_measure(org["other_ward"], "elsewhere", chart="p", direction="increase")
    with pytest.raises(ValidationError) as caught:
        make_audit(org["ward"], by=lead, criteria=(), measure=elsewhere)
    assert "measure" in caught.value.error_dict


def test_it_refuses_a_period_spanning_two_periods_of_the_measure_and_says_why(
    org, lead, audit_measure
):
    with pytest.raises(ValidationError) as caught:
        make_audit(
            org["ward"],
            by=lead,
            criteria=(),
            measure=audit_measure,
            period_start=dt.date(2025, 3, 1),
            period_end=dt.date(2025, 4, 30),
        )
    message = caught.value.message_dict["measure"][0]
    assert "Mar 2025" in message and "Apr 2025" in message and "monthly" in message


def test_it_refuses_a_local_standard_of_another_unit(org, lead):
    from qms.control import services as control_services

    theirs = control_services.standard_create(
        by=None, unit=org["other_service"], code="theirs", title="Theirs", statement="x", source="y"
    )
    with pytest.raises(ValidationError) as caught:
        make_audit(org["ward"], by=lead, criteria=(), standard=theirs)
    assert "standard" in caught.value.error_dict


@pytest.mark.parametrize("expected", [-1, 101, float("nan"), float("inf"), "95", True])
def test_it_refuses_an_expected_compliance_out_of_range(audit, lead, expected):
    with pytest.raises(ValidationError) as caught:
        services.criterion_add(by=lead, audit=audit, text="Another", expected=expected)
    assert "expected" in caught.value.error_dict


def test_it_renumbers_criteria_when_one_is_removed(audit, lead):
    first = audit.criteria.get(position=1)
    services.criterion_add(by=lead, audit=audit, text="Third", expected=80)
    services.criterion_remove(by=lead, criterion=first)
    assert [(c.position, c.text) for c in audit.criteria.all()] == [
        (1, "Prophylaxis prescribed if at risk"),
        (2, "Third"),
    ]


def test_it_freezes_criteria_once_cases_are_recorded(audit, lead, member):
    add_cases(audit, [(MET, MET)], by=member)
    with pytest.raises(ValidationError):
        services.criterion_add(by=lead, audit=audit, text="Late", expected=80)
    assert audit.criteria.count() == 2


# Collecting -------------------------------------------------------------------------------------


def test_it_lets_team_members_collect_and_starts_collection(audit, member):
    add_cases(audit, [(MET, NA)], by=member)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COLLECTING
    case = AuditCase.objects.get()
    assert case.collected_by == member
    assert sorted(case.answers.values_list("answer", flat=True)) == [MET, NA]


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_it_refuses_others_collecting(audit, request, who):
    with pytest.raises(PermissionDenied):
        add_cases(audit, [(MET, MET)], by=request.getfixturevalue(who))
    assert not AuditCase.objects.exists()


@pytest.mark.parametrize(
    "reference",
    [
        "943 476 5919",  # an NHS number with a valid check digit
        "Mrs Smith",  # a title with a name
        "DOB 12/03/1954",  # a date of birth
        "",
        "x" * 41,
    ],
)
def test_it_refuses_case_references_that_identify_someone_or_are_bad(audit, member, reference):
    criteria = list(audit.criteria.all())
    with pytest.raises(ValidationError) as caught:
        services.case_record(
            by=member, audit=audit, reference=reference, answers={c: MET for c in criteria}
        )
    assert "reference" in caught.value.error_dict
    assert not AuditCase.objects.exists()


def test_it_refuses_a_case_missing_an_answer_or_answering_another_audits_criterion(
    audit, member, org, lead
):
    first, second = audit.criteria.all()
    other = make_audit(org["ward"], by=lead)
    foreign = other.criteria.get()
    for answers in (
        {first: MET},
        {first: MET, second: "maybe"},
        {first: MET, second: MET, foreign: MET},
    ):
        with pytest.raises(ValidationError) as caught:
            services.case_record(by=member, audit=audit, reference="Case 1", answers=answers)
        assert "answers" in caught.value.error_dict
    assert not AuditCase.objects.exists()


def test_it_refuses_the_same_reference_twice(audit, member):
    add_cases(audit, [(MET, MET)], by=member)
    with pytest.raises(ValidationError) as caught:
        add_cases(audit, [(NOT, MET)], by=member)
    assert "reference" in caught.value.error_dict
    assert AuditCase.objects.count() == 1


@pytest.mark.parametrize(
    ("written", "answer"),
    [
        ("Met", MET), ("yes", MET), ("Y", MET), ("1", MET), (1, MET), (True, MET),
        ("Not met", NOT), ("no", NOT), ("n", NOT), ("0", NOT), (0, NOT),
        ("N/A", NA), ("na", NA), ("Not applicable", NA),
        ("maybe", None), ("", None), (None, None), (2, None), (float("nan"), None),
    ],
)  # fmt: skip
def test_it_reads_the_ways_people_write_answers(written, answer):
    assert services.answer_parse(written) == answer


def test_it_corrects_and_removes_cases_until_the_audit_is_analysed(audit, member, lead):
    add_cases(audit, [(NOT, MET), (MET, MET)], by=member)
    first, second = AuditCase.objects.order_by("pk")
    criteria = list(audit.criteria.all())
    services.case_update(
        by=member, case=first, reference="Case 1a", answers={c: MET for c in criteria}
    )
    services.case_remove(by=member, case=second)
    assert selectors.audit_results(audit).all_met == 1
    services.audit_analyse(by=lead, audit=audit)
    with pytest.raises(ValidationError):
        services.case_remove(by=member, case=first)
    services.audit_reopen(by=lead, audit=audit)
    services.case_remove(by=member, case=first)
    assert not AuditCase.objects.exists()


# Results ----------------------------------------------------------------------------------------


def test_it_computes_compliance_per_criterion_leaving_out_not_applicable(audit, member):
    # Criterion 1: 81 of 263 would be Newcombe's example; here 8 met of 10, 2 n/a.
    rows = [(MET, MET)] * 8 + [(NOT, NA)] * 2 + [(NA, NOT)] * 2
    add_cases(audit, rows, by=member)
    results = selectors.audit_results(audit)
    first, second = results.criteria
    assert (first.met, first.not_met, first.not_applicable, first.n) == (8, 2, 2, 10)
    assert first.percent == pytest.approx(80.0)
    assert (first.lower, first.upper) == pytest.approx((49.02, 94.33), abs=0.01)
    assert (second.met, second.n) == (8, 10)
    # Overall: cases meeting every criterion that applied (8) over cases with one (12).
    assert (results.all_met, results.applicable, results.cases) == (8, 12, 12)


def test_it_gives_a_verdict_by_the_point_estimate_and_says_when_it_is_uncertain(org, lead, member):
    audit = make_audit(
        org["ward"], by=lead, criteria=(("All", 100), ("High", 95), ("Low", 50), ("Way low", 99))
    )
    add_cases(audit, [(MET, MET, MET, NOT)] * 19 + [(MET, NOT, MET, NOT)], by=member)
    verdicts = [row.verdict for row in selectors.audit_results(audit).criteria]
    assert verdicts == ["met", "met_uncertain", "met", "short"]
    audit2 = make_audit(org["ward"], by=lead, criteria=(("Slightly low", 80),), title="Second")
    add_cases(audit2, [(MET,)] * 7 + [(NOT,)] * 3, by=member)
    (row,) = selectors.audit_results(audit2).criteria
    assert row.verdict == "short_uncertain" and row.falls_short


# Analysis feeds the measure ---------------------------------------------------------------------


def test_it_records_the_overall_compliance_on_the_measure_for_the_audits_month(
    audit, member, lead, audit_measure
):
    add_cases(audit, [(MET, MET)] * 30 + [(MET, NOT)] * 6 + [(NA, NA)] * 4, by=member)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.audit_analyse(by=lead, audit=audit)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.ANALYSED
    observation = Observation.objects.get(measure=audit_measure)
    assert observation.period == dt.date(2025, 3, 1)
    assert (observation.value, observation.denominator) == (30.0, 36.0)
    audit_measure.refresh_from_db()
    assert audit_measure.result.points[-1]["y"] == pytest.approx(100 * 30 / 36)


def test_it_refuses_to_overwrite_a_value_already_recorded_unless_told(
    audit, member, lead, audit_measure
):
    from helpers import record

    record(audit_measure, [20], start=PERIOD[0], denominator=40)
    add_cases(audit, [(MET, MET)] * 3, by=member)
    with pytest.raises(ValidationError) as caught:
        services.audit_analyse(by=lead, audit=audit)
    assert "replace" in caught.value.error_dict
    assert Audit.objects.get().status == AuditStatus.COLLECTING
    services.audit_analyse(by=lead, audit=audit, replace=True)
    assert Observation.objects.get(measure=audit_measure).value == 3.0


def test_it_records_a_percentage_on_a_measure_without_denominator(org, lead, member):
    from helpers import make_measure

    measure = make_measure(org["ward"], "pct", chart="i", direction="increase", unit_label="%")
    audit = make_audit(org["ward"], by=lead, measure=measure)
    add_cases(audit, [(MET,)] * 3 + [(NOT,)], by=member)
    services.audit_analyse(by=lead, audit=audit)
    observation = Observation.objects.get(measure=measure)
    assert (observation.value, observation.denominator) == (75.0, None)


def test_it_lets_a_coach_analyse_though_they_enter_no_data(audit, member, coach, audit_measure):
    add_cases(audit, [(MET, MET)], by=member)
    services.audit_analyse(by=coach, audit=audit)
    assert Observation.objects.filter(measure=audit_measure).count() == 1


def test_it_refuses_team_members_analysing(audit, member):
    add_cases(audit, [(MET, MET)], by=member)
    with pytest.raises(PermissionDenied):
        services.audit_analyse(by=member, audit=audit)


def test_it_refuses_analysing_an_audit_without_cases(audit, lead):
    with pytest.raises(ValidationError):
        services.audit_analyse(by=lead, audit=audit)


# Findings ---------------------------------------------------------------------------------------


def test_it_raises_a_finding_for_each_criterion_falling_short_once(audit, member, lead):
    add_cases(audit, [(MET, MET)] * 5 + [(NOT, MET)] * 5, by=member)
    services.audit_analyse(by=lead, audit=audit)
    raised = services.findings_raise(by=lead, audit=audit)
    assert len(raised) == 1
    issue = Issue.objects.get()
    assert issue.source == IssueSource.AUDIT_FINDING
    assert issue.source_record == audit
    assert issue.owner == lead
    assert audit.criteria.get(position=1).issue == issue
    assert "5 of 10" in issue.description
    # Reopened, corrected, analysed again: the finding is not raised twice.
    services.audit_reopen(by=lead, audit=audit)
    add_cases(audit, [(NOT, NOT)] * 2, by=member, start=20)
    services.audit_analyse(by=lead, audit=audit, replace=True)
    raised = services.findings_raise(by=lead, audit=audit)
    assert [i.title for i in raised] == ["Audit finding: Prophylaxis prescribed if at risk"]
    assert Issue.objects.count() == 2
    assert services.findings_raise(by=lead, audit=audit) == []


def test_it_adds_an_action_plan_to_a_finding(audit, member, lead):
    add_cases(audit, [(NOT, MET)], by=member)
    services.audit_analyse(by=lead, audit=audit)
    services.findings_raise(by=lead, audit=audit)
    criterion = audit.criteria.get(position=1)
    due = dt.date.today() + dt.timedelta(days=30)
    action = services.finding_action_add(
        by=lead,
        criterion=criterion,
        what="Add the assessment to the clerking proforma",
        owner=member,
        due_on=due,
    )
    assert action.issue == criterion.issue
    with pytest.raises(PermissionDenied):
        services.finding_action_add(
            by=member, criterion=criterion, what="x", owner=member, due_on=due
        )


def test_it_refuses_findings_before_analysis(audit, member, lead):
    add_cases(audit, [(NOT, MET)], by=member)
    with pytest.raises(ValidationError):
        services.findings_raise(by=lead, audit=audit)
    assert not Issue.objects.exists()


# Re-audit ---------------------------------------------------------------------------------------


def test_it_creates_a_reaudit_copying_the_criteria_once(audit, member, lead):
    add_cases(audit, [(MET, MET)], by=member)
    services.audit_analyse(by=lead, audit=audit)
    again = services.reaudit_create(
        by=lead, audit=audit, period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 30)
    )
    assert again.previous == audit
    assert again.title == "Re-audit: VTE assessment audit"
    assert [(c.position, c.text, c.expected) for c in again.criteria.all()] == [
        (c.position, c.text, c.expected) for c in audit.criteria.all()
    ]
    assert (again.measure, again.standard, again.status) == (
        audit.measure,
        audit.standard,
        AuditStatus.PLANNED,
    )
    with pytest.raises(ValidationError):
        services.reaudit_create(
            by=lead,
            audit=audit,
            period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 10, 31),
        )
    assert selectors.audit_chain(again) == [audit, again]
    assert selectors.audit_chain(audit) == [audit, again]


def test_it_refuses_a_reaudit_before_analysis_or_overlapping(audit, member, lead):
    with pytest.raises(ValidationError):
        services.reaudit_create(
            by=lead, audit=audit, period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 30)
        )
    add_cases(audit, [(MET, MET)], by=member)
    services.audit_analyse(by=lead, audit=audit)
    with pytest.raises(ValidationError) as caught:
        services.reaudit_create(
            by=lead, audit=audit, period_start=dt.date(2025, 3, 15), period_end=dt.date(2025, 3, 31)
        )
    assert "period_start" in caught.value.error_dict


def test_it_compares_a_reaudit_with_the_audit_before(audit, member, lead):
    add_cases(audit, [(MET, MET)] * 48 + [(NOT, MET)] * 32, by=member)
    services.audit_analyse(by=lead, audit=audit)
    again = services.reaudit_create(
        by=lead, audit=audit, period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 30)
    )
    add_cases(again, [(MET, MET)] * 56 + [(NOT, NOT)] * 14, by=member)
    page = selectors.audit_page(again)
    first, second = page.comparison
    # Newcombe (1998b) example (a): 56/70 against 48/80, difference 0.2 (0.0524 to 0.3339).
    assert (first.before.met, first.before.n, first.after.met, first.after.n) == (48, 80, 56, 70)
    assert first.change == pytest.approx(20.0)
    assert (first.difference.lower, first.difference.upper) == pytest.approx(
        (0.0524, 0.3339), abs=1e-4
    )
    assert first.difference.significant
    assert second.change == pytest.approx(-20.0)
    assert {row["audit"] for row in page.chart["data"]["values"]} == {
        "VTE assessment audit (Mar 2025)",
        "Re-audit: VTE assessment audit (Sep 2025)",
    }


def test_it_reminds_the_lead_once_when_a_reaudit_is_due(audit, member, lead):
    add_cases(audit, [(MET, MET)], by=member)
    services.audit_analyse(by=lead, audit=audit)
    services.reaudit_schedule(by=lead, audit=audit, due_on=dt.date(2025, 9, 1))
    assert services.audits_remind_reaudit(today=dt.date(2025, 8, 31)) == 0
    assert services.audits_remind_reaudit(today=dt.date(2025, 9, 2)) == 1
    assert services.audits_remind_reaudit(today=dt.date(2025, 9, 3)) == 0
    note = Notification.objects.get(person=lead)
    assert "Re-audit due 01 Sep 2025" in note.text
    services.reaudit_create(
        by=lead, audit=audit, period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 30)
    )
    services.reaudit_schedule(by=lead, audit=audit, due_on=dt.date(2025, 10, 1))
    assert services.audits_remind_reaudit(today=dt.date(2025, 10, 2)) == 0


def test_it_refuses_a_reaudit_date_before_the_audit_ends(audit, lead):
    with pytest.raises(ValidationError) as caught:
        services.reaudit_schedule(by=lead, audit=audit, due_on=dt.date(2025, 1, 1))
    assert "reaudit_due" in caught.value.error_dict


def test_it_keeps_compliance_values_as_choices():
    assert set(Compliance.values) == {MET, NOT, NA}


def test_it_sends_the_reminders_from_the_remind_audits_command(audit, member, lead):
    from io import StringIO

    from django.core.management import call_command

    add_cases(audit, [(MET, MET)], by=member)
    services.audit_analyse(by=lead, audit=audit)
    services.reaudit_schedule(by=lead, audit=audit, due_on=dt.date(2025, 9, 1))
    out = StringIO()
    call_command("remind-audits", stdout=out)
    assert "Re-audit reminders sent: 1." in out.getvalue()
    assert Notification.objects.filter(person=lead).count() == 1
