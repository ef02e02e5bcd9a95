"""The priority page's history, inbox entries and pre-filling from real data (a gap with
recorded values, a factor theme with coded issues)."""

import pytest
from helpers import make_measure, record

from planning.priorities_support import *  # noqa: F403
from planning.priorities_support import propose
from qms.issues import services as issue_services
from qms.planning import services
from qms.planning.models import FactorDomain


def test_it_shows_every_decision_with_its_reason_in_the_page_s_history(client, priority, lead):
    services.priority_decide(by=lead, priority=priority, status="parked", reason="Winter first")
    services.priority_decide(by=lead, priority=priority, status="candidate", reason="Spring now")
    client.force_login(lead)
    html = client.get(f"/plan/priorities/{priority.pk}/").content.decode()
    assert "Parked: Winter first" in html
    assert "Reopened as a candidate: Spring now" in html


def test_it_puts_a_decision_in_the_owner_s_inbox_linking_to_the_priority(client, org, member, lead):
    priority = propose(member, org["ward"])
    services.priority_decide(by=lead, priority=priority, status="approved", reason="Go")
    client.force_login(member)
    html = client.get("/inbox/").content.decode()
    assert "approved the priority" in html and priority.get_absolute_url() in html


def test_it_pre_fills_a_gap_with_the_current_centre_target_and_assurance(client, as_user, org):
    measure = make_measure(org["ward"], "falls", target=2.0)
    record(measure, [20.0, 21.0, 19.0, 22.0, 20.0, 21.0, 19.0, 20.0, 21.0, 20.0, 19.0, 20.0])
    as_user("member")
    html = client.get(
        f"/plan/units/{org['ward'].pk}/priorities/new/?origin=gap&measure={measure.pk}"
    ).content.decode()
    assert "Current performance 20.17" in html
    assert "against target 2" in html
    assert "(assurance: fails)" in html


def test_it_pre_fills_a_factor_theme_with_the_count_of_its_issues(client, as_user, org, lead):
    domain = FactorDomain.objects.filter(is_active=True).first() or FactorDomain.objects.create(
        code="workload", name="Staff workload", prompt="What in the system?"
    )
    for n in range(3):
        issue = issue_services.issue_raise(
            by=lead, unit=org["ward"], title=f"Fall {n}", source="other"
        )
        services.analysis_save(
            by=lead, issue=issue, system_account="Two nurses for 28 beds.", factors=[(domain, "")]
        )
    as_user("member")
    html = client.get(
        f"/plan/units/{org['ward'].pk}/priorities/new/?origin=factor&domain={domain.pk}"
    ).content.decode()
    assert f"{domain.name} contributed to 3 issues" in html
    response = client.post(
        f"/plan/units/{org['ward'].pk}/priorities/new/?origin=factor&domain={domain.pk}",
        {"title": "Recurring workload", "problem": "Three falls"},
    )
    assert response.status_code == 302
    from qms.planning.models import Priority

    assert list(Priority.objects.get().factors.all()) == [domain]


@pytest.mark.parametrize("origin", ["need", "aim"])
def test_it_refuses_a_need_or_aim_of_another_board_without_an_error(client, as_user, org, origin):
    as_user("member")
    response = client.get(
        f"/plan/units/{org['ward'].pk}/priorities/new/?origin={origin}&{origin}=1"
    )
    assert response.status_code == 200


def _aim(org, statement="Reduce falls with harm by 30% by March 2027"):
    import datetime as dt

    return services.aim_create(
        by=None,
        unit=org["division"],
        statement=statement,
        target="30% fewer",
        due_on=dt.date(2027, 3, 31),
    )


def test_it_lets_a_proposer_name_an_aim_of_a_unit_above(client, as_user, org):
    aim = _aim(org)
    as_user("member")
    url = f"/plan/units/{org['ward'].pk}/priorities/new/"
    assert "Reduce falls with harm" in client.get(url).content.decode()
    client.post(url, {"title": "T", "problem": "P", "origin": "strategy", "aim": aim.pk})
    from qms.planning.models import Priority

    assert Priority.objects.get().aim == aim


def test_it_refuses_an_aim_of_another_board_in_the_form(client, as_user, org):
    import datetime as dt

    foreign = services.aim_create(
        by=None,
        unit=org["elsewhere"],
        statement="Foreign aim by 2027",
        target="x",
        due_on=dt.date(2027, 3, 31),
    )
    as_user("member")
    response = client.post(
        f"/plan/units/{org['ward'].pk}/priorities/new/",
        {"title": "T", "problem": "P", "origin": "strategy", "aim": foreign.pk},
    )
    assert response.status_code == 400
    from qms.planning.models import Priority

    assert not Priority.objects.exists()


def test_it_pre_fills_from_an_aim_and_names_it(client, as_user, org):
    aim = _aim(org)
    as_user("member")
    url = f"/plan/units/{org['ward'].pk}/priorities/new/?origin=aim&aim={aim.pk}"
    assert "Reduce falls with harm" in client.get(url).content.decode()
    client.post(url, {"title": "Towards the aim", "problem": "P"})
    from qms.planning.models import Priority

    priority = Priority.objects.get()
    assert priority.aim == aim and priority.origin == "aim" and priority.source_record == aim


def test_it_keeps_the_aim_when_a_partner_on_the_priority_changes_it(
    client, org, member, working_partner, priority
):
    aim = _aim(org)
    services.priority_update(by=None, priority=priority, aim=aim)
    client.force_login(working_partner)
    response = client.post(
        f"/plan/priorities/{priority.pk}/change/",
        {"title": "New title", "problem": "P", "origin": "strategy"},
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.title == "New title" and priority.aim == aim


def test_it_links_a_partner_on_the_priority_only_to_pages_they_may_open(
    client, org, lead, member, working_partner, priority
):
    measure = make_measure(org["ward"], "falls")
    services.priority_update(by=None, priority=priority, measures=[measure])
    services.priority_decide(by=lead, priority=priority, status="approved", reason="Go")
    services.priority_to_project(
        by=lead, priority=priority, aim="Reduce falls with harm on Ward 7 by 30% by 31 March 2027"
    )
    client.force_login(working_partner)
    html = client.get(f"/plan/priorities/{priority.pk}/").content.decode()
    from crawl_support import same_site_links

    for link in same_site_links(html, f"/plan/priorities/{priority.pk}/"):
        if link.startswith(("/plan/", "/improvement/", "/control/", "/people/")):
            assert client.get(link).status_code == 200, link


def test_it_lets_a_scorer_name_the_factors_a_priority_addresses(client, org, lead, priority):
    first, second = FactorDomain.objects.filter(is_active=True)[:2]
    client.force_login(lead)
    url = f"/plan/priorities/{priority.pk}/change/"
    assert first.name in client.get(url).content.decode()
    data = {"title": priority.title, "problem": priority.problem, "origin": "strategy"}
    assert client.post(url, {**data, "factors": [first.pk, second.pk]}).status_code == 302
    assert set(priority.factors.all()) == {first, second}
    assert client.post(url, {**data, "factors": ["x"]}).status_code == 400
    assert client.post(url, {**data, "factors": [99999999]}).status_code == 400
    assert set(priority.factors.all()) == {first, second}


def test_it_proposes_a_priority_with_factors(client, as_user, org):
    domain = FactorDomain.objects.filter(is_active=True).first()
    as_user("member")
    client.post(
        f"/plan/units/{org['ward'].pk}/priorities/new/",
        {"title": "T", "problem": "P", "origin": "strategy", "factors": [domain.pk]},
    )
    from qms.planning.models import Priority

    assert list(Priority.objects.get().factors.all()) == [domain]
