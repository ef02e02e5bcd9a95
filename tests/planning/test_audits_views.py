"""Clinical audit pages: who may see and do what, the forms, bad input, queries."""

import datetime as dt
import io

import pytest
from django.test import TestCase
from django.urls import reverse

from planning.audits_support import *  # noqa: F403
from planning.audits_support import add_cases, make_audit
from qms.control.models import Observation
from qms.issues.models import Action, Issue
from qms.planning import services
from qms.planning.models import Audit, AuditCase, AuditStatus

MET, NOT, NA = "met", "not_met", "na"


def _detail(audit):
    return reverse("planning:audit-detail", args=[audit.pk])


# Who sees -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200), ("member", 200), ("analyst", 200), ("quality_lead", 200),
        ("admin", 200), ("partner", 403), ("outsider", 404),
    ],
)  # fmt: skip
def test_it_shows_the_list_and_the_audit_to_the_units_staff_only(
    client, as_user, audit, org, who, status
):
    as_user(who)
    assert client.get(reverse("planning:audits", args=[org["ward"].pk])).status_code == status
    assert client.get(_detail(audit)).status_code == status


def test_it_lists_the_units_audits_with_their_cases(client, as_user, audit, member, org):
    add_cases(audit, [(MET, MET)] * 3, by=member)
    as_user("member")
    page = client.get(reverse("planning:audits", args=[org["ward"].pk])).content.decode()
    assert "VTE assessment audit" in page and "3 of 40" in page
    assert "Plan an audit" not in page


@pytest.mark.parametrize("bad", ["999999", "99999999999999999999"])
def test_it_answers_404_for_ids_that_do_not_exist(client, as_user, audit, bad):
    as_user("lead")
    assert client.get(f"/plan/audits/{bad}/").status_code == 404
    assert client.get(f"/plan/units/{bad}/audits/").status_code == 404
    assert client.post(f"/plan/audit-cases/{bad}/remove/").status_code == 404


@pytest.mark.parametrize("page", ["x", "-1", "NaN", "99999999999999999999999"])
def test_it_survives_a_malformed_page_number(client, as_user, audit, org, page):
    as_user("lead")
    assert client.get(_detail(audit), {"page": page}).status_code == 200
    assert (
        client.get(reverse("planning:audits", args=[org["ward"].pk]), {"page": page}).status_code
        == 200
    )


# Defining -----------------------------------------------------------------------------------


def _audit_post(standard, measure, **changes):
    return {
        "title": "Consent audit",
        "standard": standard.pk,
        "measure": measure.pk,
        "sample": "Twenty consecutive procedures.",
        "sample_size": "20",
        "period_start": "2025-05-01",
        "period_end": "2025-05-31",
        **changes,
    }


def test_it_lets_an_analyst_plan_an_audit(client, as_user, org, standard, audit_measure, analyst):
    as_user("analyst")
    url = reverse("planning:audit-create", args=[org["ward"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _audit_post(standard, audit_measure))
    audit = Audit.objects.get()
    assert response.status_code == 302 and response["Location"].startswith(_detail(audit))
    assert (audit.lead, audit.created_by, audit.measure) == (analyst, analyst, audit_measure)


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_planning_to_others(client, as_user, org, standard, audit_measure, who, status):
    as_user(who)
    url = reverse("planning:audit-create", args=[org["ward"].pk])
    assert client.get(url).status_code == status
    assert client.post(url, _audit_post(standard, audit_measure)).status_code == status
    assert not Audit.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period_end": "2025-06-30"}, "spans May 2025 to Jun 2025"),
        ({"period_start": "1066-10-14"}, "between 1990"),
        ({"sample_size": "-3"}, "greater than or equal to 1"),
        ({"sample_size": "NaN"}, "whole number"),
        ({"sample": "Patient 943 476 5919"}, "NHS or CHI number"),
    ],
)
def test_it_shows_the_form_again_naming_what_is_wrong(
    client, as_user, org, standard, audit_measure, changes, message
):
    as_user("lead")
    url = reverse("planning:audit-create", args=[org["ward"].pk])
    response = client.post(url, _audit_post(standard, audit_measure, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Audit.objects.exists()


def test_it_refuses_another_units_measure_posted_by_id(client, as_user, org, standard):
    from helpers import make_measure

    theirs = make_measure(org["elsewhere"], "theirs", chart="p", direction="increase")
    as_user("lead")
    url = reverse("planning:audit-create", args=[org["ward"].pk])
    response = client.post(url, _audit_post(standard, theirs))
    assert response.status_code == 400 and not Audit.objects.exists()


def test_it_adds_changes_and_removes_criteria(client, as_user, audit):
    as_user("lead")
    url = reverse("planning:audit-criterion-add", args=[audit.pk])
    response = client.post(url, {"text": "Reassessed at 24 hours", "expected": "85"})
    assert response.status_code == 302
    third = audit.criteria.get(position=3)
    edit = reverse("planning:audit-criterion-edit", args=[third.pk])
    client.post(edit, {"text": "Reassessed within 24 hours", "expected": "80"})
    third.refresh_from_db()
    assert (third.text, third.expected) == ("Reassessed within 24 hours", 80.0)
    client.post(reverse("planning:audit-criterion-remove", args=[third.pk]))
    assert audit.criteria.count() == 2


def test_it_refuses_criteria_changes_to_team_members_and_outsiders(client, as_user, audit):
    criterion = audit.criteria.first()
    as_user("member")
    assert (
        client.post(reverse("planning:audit-criterion-remove", args=[criterion.pk])).status_code
        == 403
    )
    as_user("outsider")
    assert (
        client.post(reverse("planning:audit-criterion-remove", args=[criterion.pk])).status_code
        == 404
    )
    assert audit.criteria.count() == 2


# Collecting -------------------------------------------------------------------------------------


def _case_post(audit, reference="Case 1", answers=(MET, NOT)):
    data = {"reference": reference}
    for criterion, answer in zip(audit.criteria.all(), answers, strict=True):
        data[f"criterion_{criterion.pk}"] = answer
    return data


def test_it_lets_a_team_member_record_and_correct_a_case(client, as_user, audit, member):
    as_user("member")
    url = reverse("planning:audit-case-create", args=[audit.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, _case_post(audit)).status_code == 302
    case = AuditCase.objects.get()
    edit = reverse("planning:audit-case-edit", args=[case.pk])
    assert client.post(edit, _case_post(audit, "Case 1", (MET, MET))).status_code == 302
    assert set(case.answers.values_list("answer", flat=True)) == {MET}
    page = client.get(_detail(audit)).content.decode()
    assert "Case 1" in page and "100.0%" in page


@pytest.mark.parametrize("reference", ["943 476 5919", "Mr Jones", "born 01/02/1950"])
def test_it_refuses_a_case_reference_that_identifies_someone(client, as_user, audit, reference):
    as_user("member")
    url = reverse("planning:audit-case-create", args=[audit.pk])
    response = client.post(url, _case_post(audit, reference))
    assert response.status_code == 400
    assert "identif" in response.content.decode()
    assert not AuditCase.objects.exists()


def test_it_refuses_a_case_answering_another_audits_criterion(client, as_user, audit, org, lead):
    other = make_audit(org["ward"], by=lead, title="Other")
    as_user("member")
    data = _case_post(audit)
    data[f"criterion_{other.criteria.get().pk}"] = MET
    client.post(reverse("planning:audit-case-create", args=[audit.pk]), data)
    assert not other.cases.exists()
    assert set(AuditCase.objects.get().answers.values_list("criterion__audit", flat=True)) == {
        audit.pk
    }


@pytest.mark.parametrize(("who", "status"), [("partner", 403), ("outsider", 404)])
def test_it_refuses_cases_to_partners_and_outsiders(client, as_user, audit, who, status):
    as_user(who)
    url = reverse("planning:audit-case-create", args=[audit.pk])
    assert client.post(url, _case_post(audit)).status_code == status
    assert not AuditCase.objects.exists()


def test_it_refuses_a_post_without_its_csrf_token(audit, member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        reverse("planning:audit-case-create", args=[audit.pk]), _case_post(audit)
    )
    assert response.status_code == 403
    assert not AuditCase.objects.exists()


# Upload -------------------------------------------------------------------------------------------


def _upload(client, audit, text, name="cases.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return client.post(reverse("planning:audit-cases-upload", args=[audit.pk]), {"file": file})


def test_it_uploads_cases_from_a_csv_file(client, as_user, audit):
    as_user("member")
    text = "case,1,Prophylaxis prescribed if at risk\nCase 1,Y,N\nCase 2,met,n/a\n\nCase 3,1,0\n"
    assert _upload(client, audit, text).status_code == 302
    assert AuditCase.objects.count() == 3
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COLLECTING


def test_it_uploads_cases_from_an_excel_workbook(client, as_user, audit):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [("case", "C1", "C2"), ("A-1", "yes", "no"), ("A-2", 1, 0)]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "cases.xlsx"
    as_user("member")
    response = client.post(
        reverse("planning:audit-cases-upload", args=[audit.pk]), {"file": buffer}
    )
    assert response.status_code == 302
    assert sorted(AuditCase.objects.values_list("reference", flat=True)) == ["A-1", "A-2"]


def test_it_refuses_a_whole_file_naming_every_problem_by_row_and_column(
    client, as_user, audit, member
):
    add_cases(audit, [(MET, MET)], by=member)
    as_user("member")
    text = (
        "case,1,2\n"
        "Case 1,Y,N\n"  # recorded already
        "Case 9,maybe,N\n"  # a bad answer
        "943 476 5919,Y,Y\n"  # an NHS number
        "Case 9,Y,Y\n"  # twice in the file
        ",Y,Y\n"  # no reference
        "Case 10,Y,Y\n"  # fine, but not saved either
    )
    response = _upload(client, audit, text)
    page = response.content.decode()
    assert response.status_code == 400
    for expected in [
        "Row 2, column 1 (case): “Case 1” is recorded already",
        "Row 3, column 2 (criterion 1): “maybe” is not met",
        "Row 4, column 1 (case): the reference looks like an NHS or CHI number",
        "Row 5, column 1 (case): “Case 9” is also on row 3",
        "Row 6, column 1 (case): give the case reference",
    ]:
        assert expected in page
    assert AuditCase.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("ref,1,2\nCase 1,Y,Y\n", "cases.csv", "column “case”"),
        ("case,1\nCase 1,Y\n", "cases.csv", "no column for criterion 2"),
        ("case,1,2,7\nCase 1,Y,Y,Y\n", "cases.csv", "no criterion has this number"),
        ("case,1,2\n", "cases.csv", "no cases"),
        ("", "cases.csv", "empty"),
        ("case,1,2\nCase 1,Y,Y\n", "cases.pdf", "CSV file"),
        ("not a zip", "cases.xlsx", "not an Excel workbook"),
    ],
)
def test_it_refuses_files_it_cannot_read(client, as_user, audit, text, name, message):
    as_user("member")
    response = _upload(client, audit, text, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditCase.objects.exists()


def test_it_refuses_a_file_with_invalid_utf8(client, as_user, audit):
    as_user("member")
    file = io.BytesIO(b"case,1,2\nCase \xff,Y,Y\n")
    file.name = "cases.csv"
    response = client.post(reverse("planning:audit-cases-upload", args=[audit.pk]), {"file": file})
    assert response.status_code == 400 and not AuditCase.objects.exists()


# Analysis, findings and the re-audit ----------------------------------------------------------


def test_it_runs_the_audit_cycle_through_the_pages(
    client, as_user, audit, member, lead, audit_measure
):
    add_cases(audit, [(MET, MET)] * 6 + [(NOT, MET)] * 4, by=member)
    as_user("lead")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("planning:audit-analyse", args=[audit.pk]))
    assert response.status_code == 302
    assert Observation.objects.get(measure=audit_measure).value == 6.0
    page = client.get(_detail(audit)).content.decode()
    assert "Falls short" in page and "Raise the findings as issues" in page
    assert 'id="audit-spec"' in page
    client.post(reverse("planning:audit-findings", args=[audit.pk]))
    client.post(reverse("planning:audit-findings", args=[audit.pk]))
    issue = Issue.objects.get()
    criterion = audit.criteria.get(position=1)
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    prefix = f"action-{criterion.pk}"
    client.post(
        reverse("planning:audit-finding-action", args=[criterion.pk]),
        {
            f"{prefix}-what": "Put the risk tool on the clerking proforma",
            f"{prefix}-owner": member.pk,
            f"{prefix}-due_on": due,
        },
    )
    assert Action.objects.get().issue == issue
    page = client.get(_detail(audit)).content.decode()
    assert issue.title in page and "Put the risk tool on the clerking proforma" in page
    client.post(
        reverse("planning:audit-reaudit-schedule", args=[audit.pk]), {"reaudit_due": "2025-09-01"}
    )
    audit.refresh_from_db()
    assert audit.reaudit_due == dt.date(2025, 9, 1)
    response = client.post(
        reverse("planning:audit-reaudit", args=[audit.pk]),
        {"period_start": "2025-09-01", "period_end": "2025-09-30"},
    )
    again = Audit.objects.get(previous=audit)
    assert response["Location"].startswith(_detail(again))
    add_cases(again, [(MET, MET)] * 10, by=member)
    page = client.get(_detail(again)).content.decode()
    assert "Compared with the audit before" in page and "+40.0" in page


def test_it_refuses_analysis_to_team_members(client, as_user, audit, member):
    add_cases(audit, [(MET, MET)], by=member)
    as_user("member")
    assert client.post(reverse("planning:audit-analyse", args=[audit.pk])).status_code == 403
    assert Audit.objects.get().status == AuditStatus.COLLECTING


def test_it_refuses_a_finding_action_from_a_team_member(client, as_user, audit, member, lead):
    add_cases(audit, [(NOT, MET)], by=member)
    services.audit_analyse(by=lead, audit=audit)
    services.findings_raise(by=lead, audit=audit)
    criterion = audit.criteria.get(position=1)
    as_user("member")
    prefix = f"action-{criterion.pk}"
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    response = client.post(
        reverse("planning:audit-finding-action", args=[criterion.pk]),
        {f"{prefix}-what": "Something", f"{prefix}-owner": member.pk, f"{prefix}-due_on": due},
    )
    assert response.status_code == 302 and not Action.objects.exists()
    as_user("outsider")
    response = client.post(reverse("planning:audit-finding-action", args=[criterion.pk]), {})
    assert response.status_code == 404


# Speed --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cases", [30, 300])
def test_it_shows_the_audit_page_in_a_fixed_number_of_queries(
    client, as_user, audit, member, lead, cases, django_assert_max_num_queries
):
    criteria = list(audit.criteria.all())
    for number in range(1, cases + 1):
        AuditCase.objects.create(audit=audit, reference=f"Case {number}")
    from qms.planning.models import AuditAnswer

    AuditAnswer.objects.bulk_create(
        AuditAnswer(case=case, criterion=criterion, answer=MET if case.pk % 3 else NOT)
        for case in AuditCase.objects.all()
        for criterion in criteria
    )
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.ANALYSED)
    services.findings_raise(by=lead, audit=audit)
    as_user("lead")
    client.get(_detail(audit))  # the session and caches
    with django_assert_max_num_queries(25):
        response = client.get(_detail(audit))
    assert response.status_code == 200


@pytest.mark.parametrize("audits", [3, 30])
def test_it_lists_audits_in_a_fixed_number_of_queries(
    client, as_user, org, lead, audits, django_assert_max_num_queries
):
    for number in range(audits):
        make_audit(org["ward"], by=lead, title=f"Audit {number}", criteria=())
    as_user("lead")
    client.get(reverse("planning:audits", args=[org["ward"].pk]))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("planning:audits", args=[org["ward"].pk]))
    assert response.status_code == 200
