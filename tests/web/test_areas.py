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
        "culture",
        "partners",
        "skills",
        "inbox",
        "people",
    ]


STAFF_LINKS = [
    "Plan",
    "Control",
    "Issues",
    "Improve",
    "Learn",
    "Culture",
    "Partners",
    "Skills",
    "People",
]


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("lead", STAFF_LINKS),
        ("member", STAFF_LINKS),
        # Partners have nothing in Control, Issues, Culture or Skills: no link to a 403.
        ("partner", ["Plan", "Improve", "Learn", "Partners", "People"]),
    ],
)
def test_it_builds_the_navigation_from_the_registered_areas(client, as_user, who, links):
    as_user(who)
    assert nav_links(client.get("/").content.decode()) == links


def test_it_shows_a_registered_areas_link_and_names_planned_areas_until_built(
    client, as_user, monkeypatch
):
    planned = areas.PlannedArea(slug="audit", name="Audit", purpose="Clinical audit cycles.")
    monkeypatch.setattr(areas, "_planned", lambda: (planned,))
    as_user("member")
    html = client.get("/").content.decode()
    assert "Coming to QMS" in html and "<strong>Audit</strong>" in html
    audit = Area(
        slug="audit",
        name="Audit",
        summary="clinical audit",
        order=72,
        url_name="people:unit-tree",
        work_card=HomeCard("people/_home_units.html", lambda user: []),
    )
    monkeypatch.setitem(areas._registered, "audit", audit)
    html = client.get("/").content.decode()
    assert nav_links(html) == [*STAFF_LINKS[:7], "Audit", *STAFF_LINKS[7:]]
    # Built now: no longer among the areas to come, and with none left the section goes.
    assert "Coming to QMS" not in html and "<strong>Audit</strong>" not in html


def test_it_leaves_out_a_card_whose_selector_gives_nothing(admin):
    card = HomeCard("people/_home_units.html", lambda user: None)
    assert card.for_user(admin) is None
    assert HomeCard("people/_home_units.html").for_user(admin).data is None


def test_it_reads_the_planned_areas_from_its_data_file_which_lists_none_now():
    areas._planned.cache_clear()
    assert areas.planned() == []


def test_it_refuses_two_apps_declaring_one_area(monkeypatch):
    monkeypatch.setattr(areas, "_registered", dict(areas._registered))
    control = areas._registered["control"]
    areas.register(control)  # again, from a second ready(): harmless
    with pytest.raises(ValueError, match="control"):
        areas.register(Area(slug="control", name="Other", order=1))
