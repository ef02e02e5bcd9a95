"""An issue's system-focused analysis: who may code it, what is refused, the decision and the
shared escalation, the prompt on blaming text, two analysts at once, and the issue page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from helpers import ANONYMOUS, make_person

from planning.factors_support import *  # noqa: F403
from planning.factors_support import domain
from qms.escalation.models import Escalation
from qms.issues import services as issue_services
from qms.issues.models import Issue
from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning import selectors, services
from qms.planning.models import AnalysisDecision, IssueAnalysis, IssueFactor

pytestmark = pytest.mark.django_db

ACCOUNT = "Two of three night staff were moved to cover another ward."


def _save(by, issue, **changes):
    values = {
        "system_account": ACCOUNT,
        "factors": [(domain("staff-workload"), "One nurse for 12 beds")],
    }
    return services.analysis_save(by=by, issue=issue, **{**values, **changes})


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("lead", True),
        ("analyst", True),
        ("quality_lead", True),  # of the division above the ward
        ("admin", True),
        ("member", False),
        ("partner", False),
        ("outsider", False),
    ],
)
def test_it_lets_analysts_of_the_issue_s_unit_code_it(request, issue, who, may):
    person = request.getfixturevalue(who)
    assert services.may_analyse(person, issue) is may
    if may:
        analysis = _save(person, issue)
        assert analysis.analysed_by == person
    else:
        with pytest.raises(PermissionDenied):
            _save(person, issue)
        assert not IssueAnalysis.objects.exists()


def test_it_lets_the_issue_s_owner_code_it_while_they_are_staff_there(org, issue, member, lead):
    issue_services.issue_update(by=lead, issue=issue, owner=member)
    issue.refresh_from_db()
    assert _save(member, issue).factors.count() == 1
    people_services.membership_remove(by=None, membership=member.memberships.get(unit=org["ward"]))
    member = type(member).objects.get(pk=member.pk)
    with pytest.raises(PermissionDenied):
        _save(member, issue)


def test_it_codes_factors_with_notes_and_keeps_them_in_order(issue, lead):
    analysis = _save(
        lead,
        issue,
        factors=[
            (domain("communication-systems"), "No handover field for falls risk"),
            (domain("team-factors").pk, ""),
        ],
        decision=AnalysisDecision.IMPROVE_HERE,
    )
    assert [(c.domain.code, c.note) for c in analysis.factors.all()] == [
        ("team-factors", ""),
        ("communication-systems", "No handover field for falls risk"),
    ]
    assert analysis.decision == "improve_here"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"factors": [(999_999, "")]}, "factors", "no domain 999999"),
        ({"factors": [(2**70, "")]}, "factors", "no domain"),
        ({"factors": [("workload", "")]}, "factors", "not a domain"),
        ({"factors": [(True, "")]}, "factors", "not a domain"),
        ({"factors": "staff-workload"}, "factors", "list"),
        ({"factors": [(1,)]}, "factors", "(domain, note)"),
        ({"decision": "blame"}, "decision", "Improve here"),
        ({"decision": "escalate"}, "decision_reason", "outside the team's control"),
        ({"decision": "escalate", "decision_reason": "   "}, "decision_reason", "outside"),
        ({"system_account": "", "factors": []}, "system_account", "at least one factor"),
        ({"system_account": "x" * 5001}, "system_account", "longer than"),
        ({"system_account": "NHS 943 476 5919"}, "system_account", "NHS or CHI"),
        ({"system_account": "a\x00b"}, "system_account", "control characters"),
        ({"escalate": True}, "decision", "Escalate"),
    ],
)
def test_it_refuses_a_bad_analysis_naming_the_field(issue, lead, changes, field, words):
    with pytest.raises(ValidationError) as refused:
        _save(lead, issue, **changes)
    assert field in refused.value.error_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert not IssueAnalysis.objects.exists() and not IssueFactor.objects.exists()


def test_it_refuses_a_domain_listed_twice(issue, lead):
    twice = [(domain("team-factors"), "a"), (domain("team-factors").pk, "b")]
    with pytest.raises(ValidationError, match="twice"):
        _save(lead, issue, factors=twice)


def test_it_removes_what_is_no_longer_coded_and_keeps_the_history(issue, lead, analyst):
    _save(lead, issue, factors=[(domain("team-factors"), ""), (domain("staff-workload"), "a")])
    analysis = _save(
        analyst, issue, factors=[(domain("staff-workload"), "b"), (domain("safety-culture"), "")]
    )
    assert sorted(c.domain.code for c in analysis.factors.all()) == [
        "safety-culture",
        "staff-workload",
    ]
    assert analysis.factors.get(domain__code="staff-workload").note == "b"
    reasons = list(IssueFactor.history.values_list("history_change_reason", flat=True))
    assert sorted(reasons) == sorted(
        ["Factor coded", "Factor coded", "Factor removed", "Note changed", "Factor coded"]
    )
    assert analysis.history.count() == 2


def test_two_analysts_saving_at_once_keep_the_last_save_and_code_no_domain_twice(issue, lead):
    analyst_two = make_person("analyst2", (Role.ANALYST, issue.unit))
    first, second = Issue.objects.get(pk=issue.pk), Issue.objects.get(pk=issue.pk)
    _save(lead, first, factors=[(domain("team-factors"), "first")], system_account="First")
    _save(analyst_two, second, factors=[(domain("team-factors"), "second")], system_account="Two")
    analysis = IssueAnalysis.objects.get(issue=issue)
    assert (analysis.system_account, analysis.analysed_by) == ("Two", analyst_two)
    assert [(c.domain.code, c.note) for c in analysis.factors.all()] == [("team-factors", "second")]
    assert IssueAnalysis.objects.count() == 1
    assert [h.history_user for h in analysis.history.order_by("history_id")] == [lead, analyst_two]


def test_escalating_calls_the_shared_escalation(org, issue, lead):
    analysis = _save(
        lead,
        issue,
        decision=AnalysisDecision.ESCALATE,
        decision_reason="Night staffing is set by the division.",
        escalate=True,
    )
    escalation = Escalation.objects.get()
    assert (escalation.to_unit, escalation.reason) == (
        org["service"],
        "Night staffing is set by the division.",
    )
    assert analysis.decision == "escalate"
    issue.refresh_from_db()
    assert issue.status == "in_progress"


def test_an_analyst_who_may_not_escalate_saves_nothing_when_asking_to(issue, analyst):
    with pytest.raises(PermissionDenied):
        _save(
            analyst,
            issue,
            decision=AnalysisDecision.ESCALATE,
            decision_reason="Outside our control.",
            escalate=True,
        )
    assert not IssueAnalysis.objects.exists() and not Escalation.objects.exists()
    # Recording the decision alone is theirs to do; a lead escalates it.
    assert (
        _save(
            analyst,
            issue,
            decision=AnalysisDecision.ESCALATE,
            decision_reason="Outside our control.",
        ).decision
        == "escalate"
    )


# Pages ----------------------------------------------------------------------------------------


def _url(issue):
    return reverse("planning:analysis", args=[issue.pk])


def _post(**changes):
    data = {
        "system_account": ACCOUNT,
        "domains": [str(domain("staff-workload").pk)],
        f"note_{domain('staff-workload').pk}": "One nurse for 12 beds",
        "decision": "improve_here",
        "decision_reason": "",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [
        (ANONYMOUS, 302, 302),
        ("lead", 200, 302),
        ("analyst", 200, 302),
        ("admin", 200, 302),
        ("member", 200, 403),  # sees the issue, may not code it
        ("partner", 403, 403),  # a partner of the unit sees it, not its issues (as the issue page)
        ("outsider", 404, 404),
    ],
)
def test_it_shows_and_saves_the_analysis_to_those_who_may(client, as_user, issue, who, get, post):
    as_user(who)
    assert client.get(_url(issue)).status_code == get
    assert client.post(_url(issue), _post()).status_code == post
    assert IssueAnalysis.objects.exists() is (post == 302 and who != ANONYMOUS)


def test_a_partner_given_the_issue_reads_its_analysis_without_the_form(
    client, as_user, issue, lead
):
    _save(lead, issue)
    partner = as_user("partner")
    people_services.grant_give(by=lead, person=partner, record=issue, role=Role.PARTNER)
    response = client.get(_url(issue))
    assert response.status_code == 200
    assert "Staff workload" in response.content.decode()
    assert "Save the analysis" not in response.content.decode()


def test_it_prompts_gently_when_the_account_blames_a_person(client, as_user, issue):
    as_user("lead")
    blaming = _post(system_account="Nurse X forgot the 2 am observations; careless.")
    response = client.post(_url(issue), blaming)
    assert response.status_code == 400
    page = response.content.decode()
    assert "may read as blaming a person" in page and "Keep my wording" in page
    assert not IssueAnalysis.objects.exists()
    response = client.post(_url(issue), {**blaming, "wording_kept": "on"})
    assert response.status_code == 302
    assert IssueAnalysis.objects.get().system_account.startswith("Nurse X forgot")


def test_it_prompts_on_a_factor_s_note_too(client, as_user, issue):
    as_user("lead")
    note = f"note_{domain('staff-workload').pk}"
    response = client.post(_url(issue), _post(**{note: "Her fault: she should have asked"}))
    assert response.status_code == 400
    assert "blaming a person" in response.content.decode()


def test_it_does_not_prompt_on_a_system_focused_account(client, as_user, issue):
    as_user("lead")
    response = client.post(_url(issue), _post())
    assert response.status_code == 302
    assert "blaming" not in client.get(_url(issue)).content.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"domains": ["999999"]},
        {"domains": ["99999999999999999999999"]},
        {"domains": ["abc"]},
        {"decision": "blame"},
        {"decision": "escalate", "decision_reason": ""},
        {"system_account": "x" * 6000},
    ],
)
def test_it_answers_bad_input_with_a_message_not_an_error(client, as_user, issue, changes):
    as_user("lead")
    response = client.post(_url(issue), _post(**changes))
    assert response.status_code == 400
    assert not IssueAnalysis.objects.exists()


def test_it_refuses_a_retired_domain_posted_for_a_new_analysis(client, as_user, issue, admin):
    services.framework_domain_retire(by=admin, domain=domain("safety-culture"))
    as_user("lead")
    response = client.post(_url(issue), _post(domains=[str(domain("safety-culture").pk)]))
    assert response.status_code == 400
    assert not IssueAnalysis.objects.exists()


def test_it_escalates_from_the_form_for_a_lead(client, as_user, org, issue):
    as_user("lead")
    page = client.get(_url(issue)).content.decode()
    assert "Escalate the issue to Medicine now" in page
    data = _post(decision="escalate", decision_reason="Staffing is set above.", escalate_now="on")
    assert client.post(_url(issue), data).status_code == 302
    assert Escalation.objects.get().to_unit == org["service"]


def test_it_does_not_offer_escalation_to_an_analyst(client, as_user, issue):
    as_user("analyst")
    assert "now, with this reason" not in client.get(_url(issue)).content.decode()


def test_it_answers_404_for_an_issue_that_does_not_exist(client, as_user):
    as_user("admin")
    assert client.get("/plan/issues/99999999999999999999/analysis/").status_code == 404
    assert client.get("/plan/issues/0/analysis/").status_code == 404


def test_it_refuses_a_post_without_csrf(issue, lead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    assert client.post(_url(issue), _post()).status_code == 403
    assert not IssueAnalysis.objects.exists()


def test_the_issue_page_shows_the_factors_and_the_link(client, as_user, issue, lead):
    _save(lead, issue)
    as_user("lead")
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "Contributory factors" in page and "Staff workload" in page
    assert "Analyse contributory factors" in page and _url(issue) in page
    assert "Contributory factors analysed" in page  # in the issue's history


def test_the_issue_page_links_the_analysis_for_readers(client, as_user, issue):
    as_user("member")
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "Not analysed yet" in page and "Analyse contributory factors" not in page


def test_the_analysis_is_read_with_its_factors_in_two_queries(
    issue, lead, django_assert_num_queries
):
    _save(lead, issue, factors=[(domain(c), "") for c in ("team-factors", "safety-culture")])
    with django_assert_num_queries(2):
        analysis = selectors.analysis_of(issue)
        assert [c.domain.name for c in analysis.factors.all()]
