"""The shell builds the navigation and home from the areas apps register (qms.web.areas)."""

import re

import pytest

from qms.web import areas
from qms.web.areas import Area, HomeCard


def nav_links(html):
    nav = re.search(r'<nav class="areas".*?</ul>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_it_lists_the_areas_the_apps_register_in_order():
    assert [area.slug for area in areas.registered()] == [
        "plan",
        "control",
        "issues",
        "improve",
        "learn",
        "inbox",
        "people",
    ]


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("lead", ["Plan", "Control", "Issues", "Improve", "Learn", "People"]),
        ("member", ["Plan", "Control", "Issues", "Improve", "Learn", "People"]),
        ("partner", ["Plan", "Improve", "Learn", "People"]),
    ],
)
def test_it_builds_the_navigation_from_the_registered_areas(client, as_user, who, links):
    as_user(who)
    assert nav_links(client.get("/").content.decode()) == links


def test_it_shows_a_registered_areas_link_and_cards(client, as_user, monkeypatch):
    partners = Area(
        slug="partners",
        name="Partners",
        summary="co-design",
        order=60,
        url_name="people:unit-tree",
        work_card=HomeCard("people/_home_units.html", lambda user: []),
    )
    monkeypatch.setitem(areas._registered, "partners", partners)
    as_user("member")
    html = client.get("/").content.decode()
    assert nav_links(html) == [
        "Plan",
        "Control",
        "Issues",
        "Improve",
        "Learn",
        "Partners",
        "People",
    ]
    # Built now: no longer among the areas to come, and with none left the section goes.
    assert "Coming to QMS" not in html and "<strong>Partners</strong>" not in html


def test_it_leaves_out_a_card_whose_selector_gives_nothing(admin):
    card = HomeCard("people/_home_units.html", lambda user: None)
    assert card.for_user(admin) is None
    assert HomeCard("people/_home_units.html").for_user(admin).data is None


def test_it_reads_the_planned_areas_from_its_data_file():
    assert [area.slug for area in areas.planned()] == ["partners"]
    assert all(area.name and area.purpose for area in areas.planned())


def test_it_refuses_two_apps_declaring_one_area(monkeypatch):
    monkeypatch.setattr(areas, "_registered", dict(areas._registered))
    control = areas._registered["control"]
    areas.register(control)  # again, from a second ready(): harmless
    with pytest.raises(ValueError, match="control"):
        areas.register(Area(slug="control", name="Other", order=1))
