"""The evidence library's pages: who reads the library and an item, who adds, changes, retires
and restores, who cites from each kind of record, and everywhere an item is used."""

import pytest
from django.urls import reverse

from learning.evidence_support import *  # noqa: F403
from learning.evidence_support import add_item
from qms.learning import services
from qms.learning.models import Evidence, EvidenceLink

pytestmark = pytest.mark.django_db


def cite_url(record):
    meta = record._meta
    return reverse(
        "learning:evidence-cite", args=[f"{meta.app_label}.{meta.model_name}", record.pk]
    )


# Reading the library ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("lead", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("outsider", 404),
        ("partner", 404),
    ],
)
def test_it_shows_an_item_to_staff_of_its_organisation_only(
    client, as_user, board_item, who, status
):
    as_user(who)
    response = client.get(board_item.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert "Falls in older people (CG161)" in response.content.decode()
        assert "Further research is likely to have an important impact" in response.content.decode()


def test_it_sends_anonymous_people_to_log_in(client, board_item):
    response = client.get(board_item.get_absolute_url())
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_hides_another_organisations_item_as_if_it_did_not_exist(
    client, as_user, elsewhere_item
):
    as_user("lead")
    assert client.get(elsewhere_item.get_absolute_url()).status_code == 404
    assert "Other Board" not in client.get(reverse("learning:evidence-list")).content.decode()


def test_it_lists_searches_and_filters_the_library(
    client, as_user, org, board_item, elsewhere_item
):
    add_item(org["ward"], title="Ward 7 falls audit 2025", kind="audit", certainty="low")
    add_item(org["board"], title="NEWS2", kind="guideline", certainty="high", summary="Scores.")
    as_user("member")
    url = reverse("learning:evidence-list")
    body = client.get(url).content.decode()
    assert "Ward 7 falls audit 2025" in body and "NEWS2" in body and "CG161" in body
    assert "Other Board" not in body
    assert "NEWS2" not in client.get(url, {"kind": "audit"}).content.decode()
    body = client.get(url, {"certainty": "high"}).content.decode()
    assert "NEWS2" in body and "older people (CG161)" not in body
    body = client.get(url, {"q": "audit"}).content.decode()
    assert "Ward 7 falls audit" in body and "NEWS2" not in body


def test_it_refuses_bad_filters_with_a_message_not_an_error(client, as_user, board_item):
    as_user("member")
    response = client.get(
        reverse("learning:evidence-list"), {"kind": "novel", "certainty": "x" * 5000, "page": "z"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_it_paginates_the_library(client, as_user, org):
    for n in range(30):
        add_item(org["board"], title=f"Item {n:02d}")
    as_user("member")
    first = client.get(reverse("learning:evidence-list")).content.decode()
    assert "Item 00" in first and "Item 29" not in first
    assert "Item 29" in client.get(reverse("learning:evidence-list"), {"page": 2}).content.decode()


# Adding, changing, retiring --------------------------------------------------------------------


def _item_data(unit, **changes):
    data = {
        "unit": unit.pk,
        "title": "Cochrane review of falls prevention in hospitals",
        "kind": "systematic_review",
        "source": "Cameron ID et al. Cochrane Database Syst Rev 2018;9:CD005465.",
        "url": "https://doi.org/10.1002/14651858.CD005465.pub4",
        "published_on": "2018-09-07",
        "summary": "Multifactorial interventions may reduce the rate of falls in hospitals.",
        "certainty": "low",
        "certainty_reason": "Risk of bias and inconsistency.",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("lead", "ward", 302),
        ("board_analyst", "board", 302),
        ("admin", "board", 302),
        ("member", "ward", 403),
        ("partner", "ward", 403),
        ("lead", "board", 200),  # not among the lead's units: the form refuses the choice
    ],
)
def test_it_lets_evidence_editors_add_to_their_units_library(
    client, as_user, org, board_analyst, who, unit, status
):
    as_user(who)
    response = client.post(reverse("learning:evidence-create"), _item_data(org[unit]))
    assert response.status_code in ({status} if status != 200 else {400})
    assert Evidence.objects.filter(unit=org[unit]).exists() == (status == 302)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "javascript:alert(1)", "Enter a valid URL"),
        ("published_on", "9999-01-01", "between 1800 and today"),
        ("published_on", "1066-10-14", "between 1800 and today"),
        ("published_on", "tomorrow", "enter a date"),
        ("summary", "x" * 10_000, "at most 5000 characters"),
        ("title", "", "This field is required"),
        ("certainty", "certain", "Select a valid choice"),
        ("kind", "rumour", "Select a valid choice"),
    ],
)
def test_it_names_the_field_of_bad_input_and_saves_nothing(
    client, as_user, org, field, value, message
):
    as_user("lead")
    response = client.post(
        reverse("learning:evidence-create"), _item_data(org["ward"], **{field: value})
    )
    assert response.status_code == 400
    assert message in response.content.decode().replace("5,000", "5000")
    assert not Evidence.objects.exists()


def test_it_refuses_ten_megabytes_of_text_without_an_error(client, as_user, org):
    as_user("lead")
    data = _item_data(org["ward"], summary="x" * 10_000_000)
    response = client.post(reverse("learning:evidence-create"), data)
    assert response.status_code == 413
    assert not Evidence.objects.exists()


def test_it_screens_the_summary_for_patient_identifiers(client, as_user, org):
    as_user("lead")
    data = _item_data(org["ward"], summary="Mrs Smith, NHS number 943 476 5919, fell twice.")
    response = client.post(reverse("learning:evidence-create"), data)
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_it_changes_an_item_and_keeps_its_history(client, as_user, org, board_analyst):
    item = add_item(org["board"])
    as_user("board_analyst")
    data = _item_data(org["board"], certainty="high", reason="Re-graded")
    data.pop("unit")
    response = client.post(reverse("learning:evidence-edit", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.certainty == "high"
    assert item.history.count() == 2
    assert item.history.first().history_change_reason == "Re-graded"


@pytest.mark.parametrize(("who", "status"), [("lead", 403), ("member", 403), ("outsider", 404)])
def test_it_refuses_to_change_an_item_to_others(client, as_user, board_item, who, status):
    as_user(who)
    for name in ("evidence-edit", "evidence-retire"):
        assert client.get(reverse(f"learning:{name}", args=[board_item.pk])).status_code == status
    response = client.post(
        reverse("learning:evidence-retire", args=[board_item.pk]), {"reason": "x"}
    )
    assert response.status_code == status
    board_item.refresh_from_db()
    assert board_item.is_active


def test_it_retires_and_restores_an_item(client, as_user, board_item, board_analyst):
    as_user("board_analyst")
    url = reverse("learning:evidence-retire", args=[board_item.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Replaced by NG249"}).status_code == 302
    board_item.refresh_from_db()
    assert not board_item.is_active
    assert "Replaced by NG249" in board_item.history.first().history_change_reason
    assert "(CG161)" not in client.get(reverse("learning:evidence-list")).content.decode()
    listed = client.get(reverse("learning:evidence-list"), {"retired": "on"}).content.decode()
    assert "CG161" in listed
    client.post(reverse("learning:evidence-restore", args=[board_item.pk]))
    board_item.refresh_from_db()
    assert board_item.is_active


@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_it_answers_404_for_ids_no_record_has(client, as_user, pk, board_item):
    as_user("admin")
    assert client.get(reverse("learning:evidence-detail", args=[pk])).status_code == 404
    url = reverse("learning:evidence-cite", args=["planning.priority", pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("learning:evidence-unlink", args=[pk])).status_code == 404


# Citing from each kind of record ---------------------------------------------------------------


@pytest.fixture(params=["change_idea", "package", "priority", "design"])
def record(request):
    return request.getfixturevalue(request.param)


def test_it_cites_and_stops_citing_from_each_kind_of_record(client, as_user, record, board_item):
    as_user("lead")
    response = client.post(
        cite_url(record), {"evidence": board_item.pk, "note": "Supports hourly rounding"}
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get()
    assert link.subject == record and link.note == "Supports hourly rounding"
    detail = client.get(board_item.get_absolute_url()).content.decode()
    assert "Supports hourly rounding" in detail
    assert client.get(cite_url(record)).status_code == 200
    response = client.post(reverse("learning:evidence-unlink", args=[link.pk]))
    assert response.status_code == 302
    assert not EvidenceLink.objects.exists()
    assert link.history.count() == 2  # cited, then no longer


def test_it_refuses_citing_to_those_who_may_not_change_the_record(
    client, as_user, record, board_item
):
    as_user("member")  # reads the ward's work, changes none of it here
    response = client.post(cite_url(record), {"evidence": board_item.pk})
    assert response.status_code == 403
    assert not EvidenceLink.objects.exists()


def test_it_hides_the_records_of_another_organisation(client, as_user, record, board_item):
    as_user("outsider")
    assert client.get(cite_url(record)).status_code == 404
    assert client.post(cite_url(record), {"evidence": board_item.pk}).status_code == 404


def test_it_refuses_to_cite_an_item_the_person_may_not_read(
    client, as_user, package, elsewhere_item
):
    as_user("lead")
    response = client.post(cite_url(package), {"evidence": elsewhere_item.pk})
    assert response.status_code == 400
    assert "Choose an item of the library" in response.content.decode()
    assert not EvidenceLink.objects.exists()


@pytest.mark.parametrize("value", ["", "abc", "-1", str(2**70), "1e3"])
def test_it_refuses_a_bad_choice_of_evidence(client, as_user, package, board_item, value):
    as_user("lead")
    response = client.post(cite_url(package), {"evidence": value, "note": "n" * 501})
    assert response.status_code == 400
    assert not EvidenceLink.objects.exists()


def test_it_refuses_citing_twice_or_a_retired_item(client, as_user, package, board_item):
    as_user("lead")
    client.post(cite_url(package), {"evidence": board_item.pk})
    response = client.post(cite_url(package), {"evidence": board_item.pk})
    assert response.status_code == 400
    assert "cites this item already" in response.content.decode()
    other = add_item(board_item.unit, title="Old guidance")
    services.evidence_retire(by=None, evidence=other, reason="Superseded")
    response = client.post(cite_url(package), {"evidence": other.pk})
    assert response.status_code == 400
    assert "retired" in response.content.decode()
    assert EvidenceLink.objects.count() == 1


def test_it_does_not_cite_from_a_driver_that_is_not_a_change_idea(
    client, as_user, change_idea, board_item
):
    as_user("lead")
    driver = change_idea.parent
    assert client.get(cite_url(driver)).status_code == 404
    assert client.get(reverse("learning:evidence-cite", args=["people.unit", 1])).status_code == 404
    assert client.get(reverse("learning:evidence-cite", args=["nonsense", 1])).status_code == 404


def test_it_goes_back_only_to_this_sites_pages(client, as_user, package, board_item):
    as_user("lead")
    response = client.post(
        cite_url(package), {"evidence": board_item.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == package.get_absolute_url()


# Everywhere it is used -------------------------------------------------------------------------


def test_it_lists_only_the_uses_the_reader_may_see_and_counts_the_others(
    client, as_user, org, board_item, package, priority, lead
):
    from qms.improvement import services as improvement_services
    from qms.improvement.models import DriverNode

    other_project = improvement_services.project_create(
        by=None, unit=org["other_service"], title="Secret surgical project", problem="p", aim="a"
    )
    surgical_idea = DriverNode.objects.create(
        project=other_project, parent=other_project.nodes.get(), kind="change_idea", text="Idea"
    )
    services.evidence_link(by=None, evidence=board_item, record=package, note="Bundle")
    services.evidence_link(by=None, evidence=board_item, record=priority, note="Priority")
    services.evidence_link(by=None, evidence=board_item, record=surgical_idea)
    as_user("member")  # reads Ward 7's draft package and priority, not Surgery's project
    body = client.get(board_item.get_absolute_url()).content.decode()
    assert "Night-time falls bundle" in body and "Falls at night" in body
    assert "Secret surgical project" not in body
    assert "1 other record you may not see" in body
    as_user("quality_lead")  # the division's quality lead sees all three
    body = client.get(board_item.get_absolute_url()).content.decode()
    assert "may not see" not in body


def test_a_partner_reads_only_the_items_cited_by_work_they_are_given(
    client, as_user, org, project, change_idea, team_partner, board_item
):
    cited = add_item(org["board"], title="Hourly rounding evaluation")
    services.evidence_link(by=None, evidence=cited, record=change_idea, note="Why rounding")
    as_user("team_partner")
    assert client.get(cited.get_absolute_url()).status_code == 200
    assert client.get(board_item.get_absolute_url()).status_code == 404
    body = client.get(reverse("learning:evidence-list")).content.decode()
    assert "Hourly rounding evaluation" in body and "(CG161)" not in body
    as_user("partner")  # a partner of the ward, not on the project
    assert client.get(cited.get_absolute_url()).status_code == 404


# "Cites no evidence", and the Learn home page ----------------------------------------------------


def test_a_package_or_priority_citing_nothing_says_so_on_its_page_and_in_its_list(
    client, as_user, org, package, priority, board_item
):
    as_user("lead")
    for record, kind in [(package, "change package"), (priority, "priority")]:
        body = client.get(record.get_absolute_url()).content.decode()
        assert f"This {kind} cites no evidence" in body
        assert "Cite evidence" in body  # the lead may change both
    listed = client.get(reverse("planning:priorities", args=[org["ward"].pk])).content.decode()
    assert "cites no evidence" in listed
    services.evidence_link(by=None, evidence=board_item, record=priority, note="Why")
    body = client.get(priority.get_absolute_url()).content.decode()
    assert "cites no evidence" not in body and "Falls in older people (CG161)" in body
    listed = client.get(reverse("planning:priorities", args=[org["ward"].pk])).content.decode()
    assert "cites no evidence" not in listed


def test_those_who_may_not_change_the_record_see_its_evidence_without_the_form(
    client, as_user, priority, board_item
):
    services.evidence_link(by=None, evidence=board_item, record=priority, note="Why")
    as_user("member")
    body = client.get(priority.get_absolute_url()).content.decode()
    assert "Falls in older people (CG161)" in body
    assert "Cite evidence" not in body and "Stop citing" not in body


def test_the_learn_home_page_shows_the_library_by_certainty(client, as_user, org, board_item):
    add_item(org["board"], title="A newer trial", kind="trial", certainty="high")
    as_user("member")
    body = client.get(reverse("learning:home")).content.decode()
    assert "The evidence library you read holds 2 items" in body
    assert "A newer trial" in body
    as_user("outsider")
    assert "No evidence you read yet" in client.get(reverse("learning:home")).content.decode()
