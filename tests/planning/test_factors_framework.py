"""The contributory factor framework: seeded with the Yorkshire framework, read by staff,
edited by quality leads of a board and system administrators only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from helpers import ANONYMOUS

from planning.factors_support import *  # noqa: F403
from planning.factors_support import coded_issue, domain
from qms.planning import selectors, services
from qms.planning.models import FactorDomain

pytestmark = pytest.mark.django_db


def test_it_seeds_the_yorkshire_framework_s_nineteen_domains_and_active_failures():
    domains = selectors.framework_domains()
    assert len(domains) == 20
    names = [d.name for d in domains]
    assert names[:4] == [
        "Team factors",
        "Individual (staff) factors",
        "Task characteristics",
        "Patient factors",
    ]
    for name in ("Scheduling and bed management", "Safety culture", "External policy context"):
        assert name in names
    assert all(d.is_active and d.prompt.endswith("?") for d in domains)
    # The questions ask about the system, never who.
    assert not any(d.prompt.lower().startswith("who") for d in domains)


def test_it_frames_individual_factors_as_the_system_around_the_person():
    individual = domain("individual-factors")
    assert "fatigue" in individual.prompt and "conditions" in individual.prompt


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("board_quality_lead", True),
        ("admin", True),
        ("quality_lead", False),  # of a division: the framework is the organisation's
        ("lead", False),
        ("analyst", False),
        ("member", False),
        ("partner", False),
        ("outsider", False),
    ],
)
def test_it_lets_only_board_quality_leads_and_administrators_edit(request, who, may):
    person = request.getfixturevalue(who)
    assert services.may_edit_framework(person) is may
    if may:
        added = services.framework_domain_create(
            by=person, name="Digital systems", prompt="What about the digital systems...?"
        )
        assert added.is_active and added.position > domain("active-failures").position
    else:
        with pytest.raises(PermissionDenied):
            services.framework_domain_create(
                by=person, name="Digital systems", prompt="What about the digital systems?"
            )
        assert not FactorDomain.objects.filter(name="Digital systems").exists()


def test_it_renames_and_rewords_a_domain_with_its_history(board_quality_lead):
    workload = domain("staff-workload")
    services.framework_domain_update(
        by=board_quality_lead,
        domain=workload,
        name="Workload and staffing",
        prompt="What about the demand and the staff to meet it made this more likely?",
        reason="Plainer words",
    )
    workload.refresh_from_db()
    assert workload.name == "Workload and staffing"
    latest = workload.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        board_quality_lead,
        "Plainer words",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"prompt": "  "}, "prompt"),
        ({"name": "Team factors"}, "name"),  # another domain's name
        ({"name": "x" * 121}, "name"),
        ({"prompt": "Ask about 943 476 5919?"}, "prompt"),
    ],
)
def test_it_refuses_a_domain_without_a_name_or_question(board_quality_lead, changes, field):
    values = {"name": "Staff workload", "prompt": "What about the workload?", **changes}
    with pytest.raises(ValidationError) as refused:
        services.framework_domain_update(
            by=board_quality_lead, domain=domain("staff-workload"), **values
        )
    assert field in refused.value.error_dict
    assert domain("staff-workload").prompt.startswith("What about the workload, its peaks")


def test_it_reorders_domains_one_place_at_a_time(board_quality_lead):
    services.framework_domain_move(
        by=board_quality_lead, domain=domain("patient-factors"), offset=-1
    )
    names = [d.name for d in selectors.framework_domains()][:4]
    assert names == [
        "Team factors",
        "Individual (staff) factors",
        "Patient factors",
        "Task characteristics",
    ]
    # The first cannot move further up.
    services.framework_domain_move(by=board_quality_lead, domain=domain("team-factors"), offset=-1)
    assert selectors.framework_domains()[0].code == "team-factors"
    with pytest.raises(ValidationError):
        services.framework_domain_move(
            by=board_quality_lead, domain=domain("team-factors"), offset=5
        )


def test_a_retired_domain_stays_on_old_analyses_and_is_not_offered_anew(
    org, board_quality_lead, issue, lead
):
    old = coded_issue(org["ward"], ["safety-culture"])
    services.framework_domain_retire(by=board_quality_lead, domain=domain("safety-culture"))
    assert [c.domain.code for c in selectors.analysis_of(old).factors.all()] == ["safety-culture"]
    offered_old = [d.code for d in selectors.analysis_domains(selectors.analysis_of(old))]
    offered_new = [d.code for d in selectors.analysis_domains(None)]
    assert "safety-culture" in offered_old and "safety-culture" not in offered_new
    with pytest.raises(ValidationError, match="retired"):
        services.analysis_save(
            by=lead,
            issue=issue,
            system_account="Concerns raised before were not acted on.",
            factors=[(domain("safety-culture"), "")],
        )
    # The old analysis keeps it when saved again.
    services.analysis_save(
        by=lead, issue=old, system_account="Still so.", factors=[(domain("safety-culture"), "")]
    )
    services.framework_domain_restore(by=board_quality_lead, domain=domain("safety-culture"))
    assert domain("safety-culture").is_active


def test_it_keeps_one_domain_in_use(board_quality_lead):
    *others, last = selectors.framework_domains()
    FactorDomain.objects.filter(pk__in=[d.pk for d in others]).update(is_active=False)
    with pytest.raises(ValidationError, match="at least one"):
        services.framework_domain_retire(by=board_quality_lead, domain=last)


# Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (ANONYMOUS, 302),
        ("partner", 403),
        ("member", 200),
        ("outsider", 200),  # staff of another board: the framework is the same for all
        ("quality_lead", 200),
        ("board_quality_lead", 200),
    ],
)
def test_it_shows_the_framework_to_staff(client, as_user, who, status):
    as_user(who)
    response = client.get(reverse("planning:framework"))
    assert response.status_code == status
    if status == 200:
        assert "Scheduling and bed management" in response.content.decode()
        assert ("Add a domain" in response.content.decode()) is (who == "board_quality_lead")


def test_it_adds_a_domain_from_the_page(client, as_user):
    as_user("board_quality_lead")
    response = client.post(
        reverse("planning:framework"),
        {"name": "Digital systems", "prompt": "What about the digital systems made this likely?"},
    )
    assert response.status_code == 302
    assert FactorDomain.objects.get(name="Digital systems").is_active


def test_it_prompts_when_a_new_question_asks_who(client, as_user):
    as_user("board_quality_lead")
    data = {"name": "People", "prompt": "Which nurse forgot, and was it human error?"}
    response = client.post(reverse("planning:framework"), data)
    assert response.status_code == 400
    assert "blaming a person" in response.content.decode()
    assert not FactorDomain.objects.filter(name="People").exists()
    response = client.post(reverse("planning:framework"), {**data, "wording_kept": "on"})
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["quality_lead", "lead", "member", "outsider"])
def test_it_refuses_changes_to_those_who_do_not_edit_it(client, as_user, who):
    as_user(who)
    target = domain("physical-environment")
    posts = [
        (reverse("planning:framework"), {"name": "X", "prompt": "What about X?"}),
        (reverse("planning:framework-domain", args=[target.pk]), {"name": "X", "prompt": "Y?"}),
        (reverse("planning:framework-domain-retire", args=[target.pk]), {}),
        (reverse("planning:framework-domain-move", args=[target.pk]), {"direction": "up"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert client.get(reverse("planning:framework-domain", args=[target.pk])).status_code == 403
    target.refresh_from_db()
    assert (target.name, target.is_active) == ("Physical environment", True)


def test_it_edits_retires_restores_and_moves_from_the_page(client, as_user):
    as_user("admin")
    target = domain("physical-environment")
    url = reverse("planning:framework-domain", args=[target.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Environment", "prompt": "What about the place?"})
    assert response.status_code == 302
    client.post(reverse("planning:framework-domain-retire", args=[target.pk]))
    target.refresh_from_db()
    assert (target.name, target.is_active) == ("Environment", False)
    client.post(reverse("planning:framework-domain-restore", args=[target.pk]))
    before = target.position
    client.post(reverse("planning:framework-domain-move", args=[target.pk]), {"direction": "down"})
    target.refresh_from_db()
    assert target.is_active and target.position > before


@pytest.mark.parametrize("bad", ["0", "99999999", "9" * 30])
def test_it_answers_404_for_a_domain_that_does_not_exist(client, as_user, bad):
    as_user("admin")
    assert client.get(f"/plan/factors/framework/{bad}/").status_code == 404
    assert client.post(f"/plan/factors/framework/{bad}/retire/").status_code == 404


def test_it_refuses_a_move_that_is_neither_up_nor_down(client, as_user):
    as_user("admin")
    target = domain("physical-environment")
    url = reverse("planning:framework-domain-move", args=[target.pk])
    assert client.post(url, {"direction": "sideways"}).status_code == 302
    target.refresh_from_db()
    assert target.position == domain("physical-environment").position


def test_it_seeds_the_missing_yorkshire_domains_and_leaves_a_retired_one_retired(db):
    from qms.planning.models import FactorDomain
    from qms.planning.services import framework_defaults_ensure
    from qms.planning.yorkshire import DOMAINS

    FactorDomain.objects.filter(code="team-factors").update(is_active=False)
    FactorDomain.objects.exclude(code="team-factors").delete()  # as a test's flush leaves it
    assert framework_defaults_ensure() == len(DOMAINS) - 1
    assert framework_defaults_ensure() == 0
    assert FactorDomain.objects.count() == len(DOMAINS) == 20
    assert not FactorDomain.objects.get(code="team-factors").is_active
