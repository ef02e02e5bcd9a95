"""The driver diagram's pages: the drawing and the list, its forms, the SVG and PNG downloads,
and who may read and who may change it."""

import json
import re

import pytest
from django.urls import reverse
from helpers import make_measure

from improvement import diagram_support as support
from improvement.diagram_support import aim_of, make_project, positions_are_contiguous, tree
from qms.improvement import services
from qms.improvement.models import DriverNode, NodeKind, PdsaCycle

project, teammate, coach, team_partner = support.FIXTURES

TEAM = ["lead", "teammate", "coach", "team_partner", "quality_lead"]
READ_ONLY = ["member"]  # staff of the unit, not on the team
REFUSED = [("partner", 403), ("outsider", 404)]  # the unit's partner is not on this project


@pytest.fixture
def diagram(project):
    aim = aim_of(project)
    mobility = services.node_add(by=None, parent=aim, kind=NodeKind.PRIMARY, text="Mobility")
    footwear = services.node_add(by=None, parent=mobility, kind=NodeKind.SECONDARY, text="Footwear")
    socks = services.node_add(by=None, parent=footwear, kind=NodeKind.CHANGE_IDEA, text="Socks")
    return {"aim": aim, "mobility": mobility, "footwear": footwear, "socks": socks}


def _diagram_url(project):
    return reverse("improvement:diagram", args=[project.pk])


@pytest.mark.parametrize("who", TEAM + READ_ONLY)
def test_it_shows_the_drawing_and_the_list_to_readers(client, as_user, project, diagram, who):
    as_user(who)
    response = client.get(_diagram_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    spec = json.loads(
        re.search(r'<script id="diagram-spec" type="application/json">(.*?)</script>', html, re.S)[
            1
        ]
    )
    texts = {row["text"] for row in spec["data"][0]["values"]}
    assert texts == {diagram["aim"].text, "Mobility", "Footwear", "Socks"}
    assert f'id="node-{diagram["socks"].pk}"' in html
    editable = reverse("improvement:node-add", args=[diagram["aim"].pk]) in html
    assert editable == (who in TEAM)


@pytest.mark.parametrize(("who", "status"), REFUSED)
def test_it_hides_the_diagram_from_others(client, as_user, project, diagram, who, status):
    as_user(who)
    for name in ("improvement:diagram", "improvement:diagram-svg", "improvement:diagram-png"):
        assert client.get(reverse(name, args=[project.pk])).status_code == status


def test_it_sends_people_not_logged_in_to_log_in(client, project):
    response = client.get(_diagram_url(project))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_downloads_the_drawing_as_svg_and_png(client, as_user, project, diagram):
    as_user("member")
    svg = client.get(reverse("improvement:diagram-svg", args=[project.pk]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"] == 'attachment; filename="driver-diagram-fewer-falls.svg"'
    body = svg.content.decode()
    assert "Footwear" in body and "Socks" in body
    # The boxes link back to QMS with full addresses, so the file works away from it.
    assert f'href="http://testserver{diagram["socks"].get_absolute_url()}"' in body
    png = client.get(reverse("improvement:diagram-png", args=[project.pk]))
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"


def _post(client, name, node, data):
    return client.post(reverse(f"improvement:{name}", args=[node.pk]), data)


@pytest.mark.parametrize("who", TEAM)
def test_it_lets_the_team_change_the_diagram_by_forms(client, as_user, project, diagram, who):
    as_user(who)
    response = _post(client, "node-add", diagram["aim"], {"kind": "primary", "text": "Staffing"})
    staffing = DriverNode.objects.get(text="Staffing")
    assert response.status_code == 302 and response["Location"] == staffing.get_absolute_url()
    _post(client, "node-add", staffing, {"kind": "change_idea", "text": "Float nurse"})
    idea = DriverNode.objects.get(text="Float nurse")
    _post(client, "node-rename", idea, {"text": "Float nurse at night"})
    move_page = client.get(reverse("improvement:node-move", args=[idea.pk])).content.decode()
    assert "Secondary driver: Footwear" in move_page and "Primary driver: Staffing" in move_page
    _post(client, "node-move", idea, {"parent": diagram["footwear"].pk, "position": "1"})
    measure = make_measure(project.unit, "falls")
    measures_page = client.get(reverse("improvement:node-measures", args=[idea.pk]))
    assert f'value="{measure.pk}"' in measures_page.content.decode()
    _post(client, "node-measures", idea, {"measures": [measure.pk]})
    assert tree(project) == (
        diagram["aim"].text,
        [
            ("Mobility", [("Footwear", [("Float nurse at night", []), ("Socks", [])])]),
            ("Staffing", []),
        ],
    )
    assert list(DriverNode.objects.get(pk=idea.pk).measures.all()) == [measure]
    response = client.post(reverse("improvement:node-remove", args=[staffing.pk]))
    assert response.status_code == 302
    assert not DriverNode.objects.filter(pk=staffing.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_changes_from_people_not_on_the_team(
    client, as_user, project, diagram, who, status
):
    as_user(who)
    before = tree(project)
    aim, socks = diagram["aim"], diagram["socks"]
    assert _post(client, "node-add", aim, {"kind": "primary", "text": "X"}).status_code == status
    assert _post(client, "node-rename", socks, {"text": "X"}).status_code == status
    moved = _post(client, "node-move", socks, {"parent": diagram["mobility"].pk})
    assert moved.status_code == status
    assert _post(client, "node-measures", socks, {"measures": []}).status_code == status
    assert client.get(reverse("improvement:node-measures", args=[socks.pk])).status_code == status
    assert client.get(reverse("improvement:node-move", args=[socks.pk])).status_code == status
    assert client.get(reverse("improvement:node-remove", args=[socks.pk])).status_code == status
    assert _post(client, "node-remove", socks, {}).status_code == status
    assert tree(project) == before


def test_it_says_what_is_wrong_and_changes_nothing(client, as_user, project, diagram):
    as_user("lead")
    before = tree(project)
    cases = [
        ("node-add", diagram["aim"], {"kind": "change_idea", "text": "Idea"}, "cannot sit under"),
        ("node-add", diagram["aim"], {"kind": "primary", "text": ""}, "Text"),
        ("node-add", diagram["aim"], {"kind": "primary", "text": "x" * 301}, "Text"),
        ("node-add", diagram["aim"], {"kind": "primary", "text": "A", "position": "9"}, "place"),
        ("node-add", diagram["aim"], {"kind": "primary", "text": "A", "position": "x"}, "Place"),
        ("node-rename", diagram["aim"], {"text": "Aim"}, "charter"),
        ("node-move", diagram["mobility"], {"parent": diagram["footwear"].pk}, "below it"),
        ("node-move", diagram["socks"], {"parent": diagram["aim"].pk}, "cannot sit under"),
        ("node-move", diagram["socks"], {"parent": ""}, "Choose where"),
        ("node-measures", diagram["socks"], {"measures": ["999999"]}, "Measures"),
    ]
    for name, node, data, message in cases:
        response = _post(client, name, node, data)
        assert response.status_code == 302, name
        shown = [str(m) for m in response.wsgi_request._messages]
        assert any(message in m and m.startswith("Nothing was changed") for m in shown), (
            name,
            shown,
        )
    assert tree(project) == before
    assert positions_are_contiguous(project)


def test_it_answers_404_for_a_parent_from_another_project(client, as_user, org, diagram):
    other = make_project(org["ward"], title="Another")
    as_user("lead")
    response = _post(client, "node-move", diagram["mobility"], {"parent": aim_of(other).pk})
    assert response.status_code == 404
    assert DriverNode.objects.get(pk=diagram["mobility"].pk).parent_id == diagram["aim"].pk


def test_it_answers_404_for_a_node_of_a_project_out_of_sight(client, as_user, org):
    hidden = make_project(org["elsewhere"], title="Elsewhere")
    as_user("lead")
    aim = aim_of(hidden)
    assert _post(client, "node-add", aim, {"kind": "primary", "text": "X"}).status_code == 404
    assert client.get(_diagram_url(hidden)).status_code == 404
    assert client.post(reverse("improvement:node-add", args=[999999]), {}).status_code == 404


def test_it_asks_for_patient_identifiers_to_be_checked(client, as_user, project, diagram):
    as_user("lead")
    response = _post(
        client, "node-add", diagram["aim"], {"kind": "primary", "text": "Mrs Smith's falls"}
    )
    assert response.status_code == 400
    assert "may identify a patient" in response.content.decode()
    assert not DriverNode.objects.filter(text="Mrs Smith's falls").exists()


def test_it_asks_more_firmly_before_removing_cycles(client, as_user, project, diagram):
    import datetime as dt

    services.cycle_create(
        by=None,
        change_idea=diagram["socks"],
        title="Try socks",
        objective="See",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
    )
    as_user("lead")
    url = reverse("improvement:node-remove", args=[diagram["mobility"].pk])
    page = client.get(url).content.decode()
    assert "1 PDSA cycle will be removed too" in page
    assert "Socks" in page  # what goes with it
    refused = client.post(url, {})
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert PdsaCycle.objects.count() == 1
    done = client.post(url, {"confirm_cycles": "on"})
    assert done.status_code == 302 and done["Location"] == diagram["aim"].get_absolute_url()
    assert PdsaCycle.objects.count() == 0
    assert tree(project) == (diagram["aim"].text, [])


def test_it_never_removes_the_aim(client, as_user, project, diagram):
    as_user("lead")
    response = client.post(reverse("improvement:node-remove", args=[diagram["aim"].pk]))
    assert response.status_code == 302
    assert DriverNode.objects.filter(pk=diagram["aim"].pk).exists()


def test_it_reads_the_page_in_the_same_queries_whatever_the_diagram(
    client, as_user, project, diagram
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user("lead")
    make_measure(project.unit, "falls")
    url = _diagram_url(project)
    client.get(url)  # warm caches of the session and roles
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(10):
        primary = services.node_add(
            by=None, parent=diagram["aim"], kind=NodeKind.PRIMARY, text=f"P{i}"
        )
        for j in range(3):
            services.node_add(by=None, parent=primary, kind=NodeKind.CHANGE_IDEA, text=f"I{i}.{j}")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def _queries(call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_it_reads_the_project_page_sections_in_fixed_queries(project, diagram, lead):
    from qms.improvement import selectors

    def sections():
        small = selectors.diagram_section(project, lead)
        assert json.loads(small["spec_json"])["data"][0]["values"]
        selectors.prototypes_section(project, lead)

    sections()  # the lead's roles are read once per request: not counted
    before = _queries(sections)
    for i in range(8):
        primary = services.node_add(
            by=None, parent=diagram["aim"], kind=NodeKind.PRIMARY, text=f"P{i}"
        )
        services.node_add(by=None, parent=primary, kind=NodeKind.CHANGE_IDEA, text=f"I{i}")
        services.prototype_create(by=None, project=project, title=f"T{i}", description="d")
    assert _queries(sections) == before
    counts = selectors.diagram_section(project, lead)["counts"]
    assert (counts["primary"], counts["change_idea"]) == (9, 9)
    assert selectors.prototypes_section(project, lead)["counts"]["open"] == 8


@pytest.mark.parametrize("first", ["qms.improvement.selectors", "qms.improvement.services"])
def test_it_imports_each_module_first_without_a_loop(first, tmp_path):
    """The pages import the selectors first and the services import them back (a circular
    import once broke `qms check` on main while the tests, importing in another order, passed)."""
    import os
    import subprocess
    import sys

    script = f"import django; django.setup(); import {first}; import qms.improvement.urls"
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "qms.config.settings", "DEBUG": "1"},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_it_keeps_a_node_text_inside_the_drawing_data(client, as_user, project, diagram):
    text = "</script><script>alert(1)</script> & <b>"
    services.node_rename(by=None, node=diagram["socks"], text=text)
    as_user("lead")
    html = client.get(_diagram_url(project)).content.decode()
    data = re.search(
        r'<script id="diagram-spec" type="application/json">(.*?)</script>', html, re.S
    )
    assert "<" not in data[1] and text in json.dumps(json.loads(data[1]), ensure_ascii=False)
    assert "<script>alert(1)" not in html
