"""qms.stats.diagrams: the driver diagram's Vega specification and its rendering."""

import json
import subprocess
import sys

import pytest

from qms.stats.diagrams import KINDS, driver_diagram_spec, to_png, to_svg

NODES = [
    {"id": 1, "parent": None, "kind": "aim", "text": "Halve falls with harm by March 2027"},
    {"id": 2, "parent": 1, "kind": "primary", "text": "Safe mobility"},
    {"id": 3, "parent": 1, "kind": "primary", "text": "Reliable risk assessment"},
    {"id": 4, "parent": 2, "kind": "secondary", "text": "Footwear and aids"},
    {"id": 5, "parent": 4, "kind": "change_idea", "text": "Non-slip socks", "cycles": 3},
    {"id": 6, "parent": 4, "kind": "change_idea", "text": "Walking aid in reach", "cycles": 1},
    {"id": 7, "parent": 3, "kind": "change_idea", "text": "Falls huddle", "href": "/n/7"},
]


def _data(spec, name):
    return next(d for d in spec["data"] if d["name"] == name)


def test_it_lays_the_tree_out_with_stratify_tree_and_linkpath():
    spec = driver_diagram_spec(NODES)
    assert spec["$schema"].endswith("/vega/v6.json")
    transforms = [t["type"] for t in _data(spec, "tree")["transform"]]
    assert transforms[:2] == ["stratify", "tree"]
    assert _data(spec, "tree")["transform"][1]["as"][:2] == ["y", "depth_x"]  # left to right
    links = [t["type"] for t in _data(spec, "links")["transform"]]
    assert links == ["treelinks", "linkpath"]
    assert _data(spec, "links")["transform"][1]["orient"] == "horizontal"
    json.dumps(spec)  # JSON-ready


def test_it_has_every_node_with_its_text_kind_link_and_cycles():
    values = _data(driver_diagram_spec(NODES), "tree")["values"]
    assert [v["id"] for v in values] == [n["id"] for n in NODES]
    by_id = {v["id"]: v for v in values}
    assert by_id[1]["kindLabel"] == "Aim" and by_id[1]["column"] == 0
    # A change idea sits in the change ideas' column even straight under a primary driver.
    assert by_id[7]["column"] == by_id[5]["column"] == 3
    assert by_id[5]["cyclesText"] == "3 PDSA cycles"
    assert by_id[6]["cyclesText"] == "1 PDSA cycle"
    assert by_id[7]["cyclesText"] == "No PDSA cycles yet"
    assert by_id[2]["cyclesText"] == ""
    assert by_id[5]["href"] == "#node-5" and by_id[7]["href"] == "/n/7"
    assert by_id[5]["tooltip"] == {
        "title": "Change idea",
        "Text": "Non-slip socks",
        "PDSA cycles": 3,
    }


def test_it_wraps_long_text_and_keeps_all_of_it_in_the_tooltip():
    long = "word " * 60
    spec = driver_diagram_spec([{"id": 1, "parent": None, "kind": "aim", "text": long}])
    value = _data(spec, "tree")["values"][0]
    assert len(value["lines"]) == 3
    assert value["lines"][-1].endswith("…")
    assert all(len(line) <= 27 for line in value["lines"])
    assert value["tooltip"]["Text"] == long.strip()
    compact = driver_diagram_spec(
        [{"id": 1, "parent": None, "kind": "aim", "text": long}], compact=True
    )
    assert len(_data(compact, "tree")["values"][0]["lines"]) == 1


def test_it_colours_nodes_by_kind_with_a_legend():
    spec = driver_diagram_spec(NODES)
    fill = next(s for s in spec["scales"] if s["name"] == "fill")
    assert fill["domain"] == ["Aim", "Primary driver", "Secondary driver", "Change idea"]
    assert len(set(fill["range"])) == 4
    assert spec["legends"][0]["fill"] == "fill"


def test_it_grows_wider_with_depth_and_taller_with_leaves():
    aim = NODES[:1]
    two_columns = NODES[:3]
    full = driver_diagram_spec(NODES)
    assert driver_diagram_spec(aim)["width"] < driver_diagram_spec(two_columns)["width"]
    assert driver_diagram_spec(two_columns)["width"] < full["width"]
    more_leaves = NODES + [
        {"id": 100 + i, "parent": 4, "kind": "change_idea", "text": f"Idea {i}"} for i in range(20)
    ]
    taller = driver_diagram_spec(more_leaves)
    assert taller["height"] == full["height"] * (3 + 20) / 3  # one row per leaf
    assert taller["width"] == full["width"]
    # Never shrunk to fit a phone: the boxes keep their size, the page scrolls.
    assert full["autosize"] == "pad"
    assert full["signals"][0] == {"name": "boxWidth", "value": 196}


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ([], "at least its aim"),
        ([{"id": 1, "parent": None, "kind": "aim", "text": "a"}] * 2, "appears twice"),
        (
            [
                {"id": 1, "parent": None, "kind": "aim", "text": "a"},
                {"id": 2, "parent": None, "kind": "aim", "text": "b"},
            ],
            "one root",
        ),
        (
            [
                {"id": 1, "parent": None, "kind": "aim", "text": "a"},
                {"id": 2, "parent": 9, "kind": "primary", "text": "b"},
            ],
            "not in the diagram",
        ),
        (
            [
                {"id": 1, "parent": None, "kind": "aim", "text": "a"},
                {"id": 2, "parent": 3, "kind": "primary", "text": "b"},
                {"id": 3, "parent": 2, "kind": "primary", "text": "c"},
            ],
            "its own ancestor",
        ),
        ([{"id": 1, "parent": None, "kind": "goal", "text": "a"}], "Unknown kind"),
        ([{"parent": None, "kind": "aim", "text": "a"}], "needs 'id'"),
    ],
)
def test_it_refuses_nodes_that_are_not_one_tree(nodes, message):
    with pytest.raises(ValueError, match=message):
        driver_diagram_spec(nodes)


def test_it_renders_to_svg_with_every_node_text():
    svg = to_svg(driver_diagram_spec(NODES, title="Falls"))
    assert svg.lstrip().startswith("<svg")
    for node in NODES:
        assert node["text"] in svg
    assert "3 PDSA cycles" in svg
    assert "Secondary driver" in svg  # the legend
    # Links in a file work only when absolute; a relative one is left out (vl_convert would
    # resolve it against Vega's website).
    assert "/n/7" not in svg and "vega.github.io" not in svg
    absolute = [*NODES[:-1], {**NODES[-1], "href": "https://qms.example/n/7"}]
    assert 'href="https://qms.example/n/7"' in to_svg(driver_diagram_spec(absolute))


def test_it_renders_to_png():
    png = to_png(driver_diagram_spec(NODES), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width >= driver_diagram_spec(NODES)["width"]


def test_it_names_the_kinds_in_column_order():
    assert KINDS == ("aim", "primary", "secondary", "change_idea")


def test_it_imports_without_django(tmp_path):
    script = (
        "import sys; import qms.stats.diagrams; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
