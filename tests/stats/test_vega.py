"""The Vega-Lite chart builder: specifications built from hand-made results, two renders."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qms.stats._results import POINT_TYPES, SeriesResult
from qms.stats.mdc import POINT_TYPE_COLOURS, VARIATION_WORDS
from qms.stats.vega import (
    chart_spec,
    to_png,
    to_svg,
    vega_embed_bundle,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CODE = {name: code for code, name in enumerate(POINT_TYPES)}


def make_result(
    y,
    *,
    x=None,
    phase=None,
    cl=None,
    sigma=1.0,
    point_types=None,
    included=None,
    variation_icon="common_cause",
    assurance_icon="none",
):
    """A SeriesResult as the engine would give for an I chart with the given centre line."""
    y = np.asarray(y, dtype=float)
    count = len(y)
    cl = np.full(count, np.nanmean(y)) if cl is None else np.asarray(cl, dtype=float)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), (count,))
    codes = np.zeros(count, dtype=np.int8)
    for position, name in (point_types or {}).items():
        codes[position - 1] = CODE[name]
    return SeriesResult(
        series="ward 7",
        x=np.full(count, None, dtype=object) if x is None else np.asarray(x),
        y=y,
        n=np.full(count, np.nan),
        phase=np.ones(count, dtype=np.int64) if phase is None else np.asarray(phase),
        cl=cl,
        lcl=cl - 3 * sigma,
        ucl=cl + 3 * sigma,
        lcl_2s=cl - 2 * sigma,
        ucl_2s=cl + 2 * sigma,
        included=np.ones(count, dtype=bool) if included is None else np.asarray(included),
        outside=np.zeros(count, dtype=bool),
        shift=np.zeros(count, dtype=bool),
        trend=np.zeros(count, dtype=bool),
        two_of_three=np.zeros(count, dtype=bool),
        point_type_code=codes,
        phases=(),
        variation_icon=variation_icon,
        assurance_icon=assurance_icon,
    )


def months(count, start_year=2023):
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def two_phase_result():
    """24 monthly points, rebased after point 12, with special causes of every colour."""
    rng = np.random.default_rng(7)
    y = np.r_[rng.normal(40, 3, 12), rng.normal(30, 2, 12)].round(1)
    y[3], y[9], y[20], y[23] = 52.0, np.nan, 23.0, 29.0
    sigma = np.r_[np.full(12, 3.0), np.full(12, 2.0)]
    cl = np.r_[np.full(12, 40.0), np.full(12, 30.0)]
    sigma[0] = np.nan  # one-point phase start: no moving range yet, no limits
    return make_result(
        y,
        x=months(24),
        phase=np.r_[np.ones(12, dtype=int), np.full(12, 2)],
        cl=cl,
        sigma=sigma,
        point_types={
            4: "special_cause_concern",
            15: "special_cause_improvement",
            16: "special_cause_improvement",
            21: "special_cause_improvement",
        },
        included=np.arange(1, 25) != 7,
        variation_icon="improvement_low",
        assurance_icon="hit_or_miss",
    )


def layer(spec, name):
    matches = [each for each in spec["layer"] if each.get("name") == name]
    assert len(matches) == 1, f"{name}: {[each.get('name') for each in spec['layer']]}"
    return matches[0]


def layer_names(spec):
    return [each.get("name") for each in spec["layer"]]


def plain_types(value):
    """Every type in a nested structure (to prove there is nothing but JSON types)."""
    if isinstance(value, dict):
        assert all(isinstance(key, str) for key in value)
        return {type(value)}.union(*(plain_types(v) for v in value.values()))
    if isinstance(value, list):
        return {type(value)}.union(*(plain_types(v) for v in value))
    return {type(value)}


def test_it_builds_plain_json_without_numpy_or_nan():
    spec = chart_spec(
        two_phase_result(),
        title="Falls",
        show_2s=True,
        target=np.float64(35),
        annotations=[{"position": 13, "text": "New rota"}],
    )

    assert plain_types(spec) <= {dict, list, str, int, float, bool, type(None)}
    text = json.dumps(spec, allow_nan=False)
    assert json.loads(text) == spec
    assert spec["$schema"].endswith("/vega-lite/v5.json")


def test_it_renders_to_svg_and_png():
    spec = chart_spec(
        two_phase_result(),
        title="Inpatient falls per 1,000 bed days",
        y_title="Falls per 1,000 bed days",
        target=33,
        annotations=[{"x": "2024-01", "text": "Falls bundle launched"}],
    )

    svg = to_svg(spec)
    png = to_png(spec)

    assert svg.lstrip().startswith("<svg")
    assert "Inpatient falls per 1,000 bed days" in svg
    assert "Falls bundle launched" in svg
    assert "Special cause – improvement" in svg  # the legend, in words
    for colour in ("#289DE0", "#FAB428", "#7B7D7D"):
        assert colour.lower() in svg.lower()
    assert png.startswith(PNG_MAGIC)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "spc_chart.png").write_bytes(png)


def test_it_holds_one_row_per_point():
    result = two_phase_result()
    rows = chart_spec(result)["data"]["values"]

    assert len(rows) == 24
    assert [row["position"] for row in rows] == list(range(1, 25))
    assert [row["x"] for row in rows] == months(24)
    assert rows[3] == {
        "position": 4,
        "x": "2023-04",
        "y": 52.0,
        "n": None,
        "cl": 40.0,
        "lcl": 31.0,
        "ucl": 49.0,
        "lcl_2s": 34.0,
        "ucl_2s": 46.0,
        "phase": 1,
        "point_type": "special_cause_concern",
        "point_type_label": "Special cause – concern",
        "included": True,
        "date": 1680307200000,  # 2023-04-01T00:00:00Z
    }
    assert rows[9]["y"] is None  # a missing value
    assert rows[6]["included"] is False
    assert rows[20]["point_type"] == "special_cause_improvement"


def test_it_colours_points_by_point_type_with_the_mdc_palette():
    result = make_result(
        [1, 2, 3, 4, 5],
        point_types={
            2: "special_cause_improvement",
            3: "special_cause_concern",
            4: "special_cause_neutral_high",
            5: "special_cause_neutral_low",
        },
    )
    colour = layer(chart_spec(result), "points")["encoding"]["color"]

    assert colour["field"] == "point_type"
    mapping = dict(zip(colour["scale"]["domain"], colour["scale"]["range"], strict=True))
    assert mapping == {
        "common_cause": "#7B7D7D",
        "special_cause_improvement": "#289DE0",
        "special_cause_concern": "#FAB428",
        "special_cause_neutral_high": "#361475",
        "special_cause_neutral_low": "#361475",
    }
    assert mapping == POINT_TYPE_COLOURS
    label_expr = colour["legend"]["labelExpr"]
    assert "'Special cause – improvement'" in label_expr
    assert "'Common cause'" in label_expr


def test_it_lists_only_the_point_types_present_in_the_legend():
    result = make_result([1, 2, 3], point_types={3: "special_cause_concern"})
    colour = layer(chart_spec(result), "points")["encoding"]["color"]

    assert colour["scale"]["domain"] == ["common_cause", "special_cause_concern"]
    assert colour["scale"]["range"] == ["#7B7D7D", "#FAB428"]


def test_it_draws_excluded_points_hollow():
    spec = chart_spec(two_phase_result())
    filled, hollow = layer(spec, "points"), layer(spec, "excluded_points")

    assert filled["mark"]["filled"] is True
    assert filled["transform"] == [{"filter": "datum.included"}]
    assert hollow["mark"]["filled"] is False
    assert hollow["mark"]["fill"] == "white"  # the line does not show through
    assert hollow["transform"] == [{"filter": "!datum.included"}]
    assert "excluded" in spec["title"]["subtitle"]
    assert "excluded_points" not in layer_names(chart_spec(make_result([1, 2, 3])))


def test_it_breaks_the_centre_line_and_limits_between_phases():
    spec = chart_spec(two_phase_result())
    rows = spec["data"]["values"]

    assert {row["phase"] for row in rows[:12]} == {1}
    assert {row["phase"] for row in rows[12:]} == {2}
    for name in ("cl", "ucl", "lcl"):
        encoding = layer(spec, name)["encoding"]
        assert encoding["y"]["field"] == name
        assert encoding["detail"] == {"field": "phase", "type": "nominal"}
        assert encoding["order"]["field"] == "position"
    assert layer(spec, "cl")["mark"]["strokeDash"] == []
    assert layer(spec, "ucl")["mark"]["strokeDash"] == layer(spec, "lcl")["mark"]["strokeDash"]
    assert len(layer(spec, "ucl")["mark"]["strokeDash"]) == 2
    assert "detail" not in layer(spec, "data_line")["encoding"]  # the data run on


def test_it_draws_two_sigma_lines_only_when_asked():
    result = two_phase_result()
    plain, with_2s = chart_spec(result), chart_spec(result, show_2s=True)

    assert not {"ucl_2s", "lcl_2s"} & set(layer_names(plain))
    for name in ("ucl_2s", "lcl_2s"):
        drawn = layer(with_2s, name)
        assert drawn["encoding"]["y"]["field"] == name
        assert drawn["encoding"]["detail"]["field"] == "phase"
        dash = drawn["mark"]["strokeDash"]
        assert dash not in (layer(with_2s, "ucl")["mark"]["strokeDash"], [])
        assert dash[0] < dash[1]  # dotted: short dashes, longer gaps


def test_it_turns_nan_into_null_and_breaks_lines_there():
    import vl_convert

    result = two_phase_result()
    spec = chart_spec(result)
    first = spec["data"]["values"][0]

    assert first["ucl"] is None and first["lcl"] is None and first["ucl_2s"] is None
    assert first["cl"] == 40.0
    compiled = vl_convert.vegalite_to_vega(spec)
    marks = {}
    groups = list(compiled["marks"])
    while groups:
        mark = groups.pop()
        marks[mark["name"]] = mark
        groups += mark.get("marks", [])
    for name in ("cl", "ucl", "lcl"):
        assert marks[f"{name}_pathgroup"]["type"] == "group"  # one path per phase
        defined = marks[f"{name}_marks"]["encode"]["update"]["defined"]["signal"]
        assert f'isValid(datum["{name}"])' in defined  # a null breaks the path


def test_it_leaves_out_lines_that_do_not_exist():
    nan = np.full(4, np.nan)
    result = make_result([3, 4, 3, 5], cl=np.full(4, 3.5), sigma=nan)  # a run chart
    names = layer_names(chart_spec(result, show_2s=True))

    assert "cl" in names
    assert not {"ucl", "lcl", "ucl_2s", "lcl_2s"} & set(names)


@pytest.mark.parametrize(
    ("x", "kind", "field"),
    [
        (["2024-01-31", "2024-02-29", "2024-03-31"], "temporal", "date"),
        (["2024-01", "2024-02", "2024-03"], "temporal", "date"),
        (
            np.array(["2024-01-01", "2024-01-08", "2024-01-15"], dtype="datetime64[ns]"),
            "temporal",
            "date",
        ),
        (["Week 10", "Week 9", "Week 11"], "ordinal", "x"),
        (["2024-01", "2024-02", "next month"], "ordinal", "x"),
        (["2024-01", "2024-13", "2024-02"], "ordinal", "x"),
        (["2024-02-30", "2024-03-01", "2024-03-02"], "ordinal", "x"),
        ([None, None, None], "quantitative", "position"),
        (["a", "a", "b"], "quantitative", "position"),  # repeated labels: by position
    ],
)
def test_it_chooses_temporal_ordinal_or_position_x(x, kind, field):
    result = make_result([1.0, 2.0, 3.0], x=x)
    spec = chart_spec(result)
    encoding = layer(spec, "points")["encoding"]["x"]

    assert encoding["type"] == kind
    assert encoding["field"] == field
    assert all(field in row for row in spec["data"]["values"])
    for name in ("cl", "data_line", "points"):
        assert layer(spec, name)["encoding"]["x"] == encoding


def test_it_keeps_the_given_order_on_an_ordinal_axis():
    labels = ["Week 10", "Week 9", "Week 11", "Week 1"]
    encoding = layer(chart_spec(make_result([1, 2, 3, 4], x=labels)), "points")["encoding"]["x"]

    assert encoding["sort"] is None
    assert encoding["scale"]["domain"] == labels


def test_it_puts_temporal_ticks_on_the_points_own_dates():
    spec = chart_spec(make_result(np.arange(24.0), x=months(24)))
    encoding = layer(spec, "points")["encoding"]["x"]
    dates = [row["date"] for row in spec["data"]["values"]]

    assert encoding["scale"]["type"] == "utc"
    assert encoding["axis"]["format"] == "%b %Y"
    assert set(encoding["axis"]["values"]) <= set(dates)
    assert encoding["axis"]["values"][0] == dates[0]


def test_it_draws_annotations_at_a_position_or_an_x_label():
    spec = chart_spec(
        two_phase_result(),
        annotations=[
            {"position": 13, "text": "Rebased: new rota"},
            {"x": "2023-10", "text": "Data lost"},  # a missing value: placed at the centre line
        ],
    )
    texts = layer(spec, "annotations")
    rules = layer(spec, "annotation_rules")

    assert texts["mark"]["type"] == "text"
    assert rules["mark"]["type"] == "rule"
    assert texts["data"]["values"] == rules["data"]["values"]
    notes = texts["data"]["values"]
    assert [(n["position"], n["x"], n["text"]) for n in notes] == [
        (13, "2024-01", "Rebased: new rota"),
        (10, "2023-10", "Data lost"),
    ]
    assert notes[1]["y"] == 40.0
    assert texts["encoding"]["text"] == {"field": "text"}
    assert texts["encoding"]["x"] == layer(spec, "points")["encoding"]["x"]
    assert "annotations" not in layer_names(chart_spec(two_phase_result()))


@pytest.mark.parametrize(
    "note",
    [
        {"position": 25, "text": "late"},
        {"x": "2030-01", "text": "?"},
        {"position": 1},
        {"text": "?"},
    ],
)
def test_it_rejects_annotations_it_cannot_place(note):
    with pytest.raises(ValueError, match="annotation"):
        chart_spec(two_phase_result(), annotations=[note])


def test_it_draws_a_target_as_a_labelled_rule_with_its_own_dash():
    spec = chart_spec(two_phase_result(), target=33.5)
    rule, label = layer(spec, "target"), layer(spec, "target_label")

    assert rule["mark"]["type"] == "rule"
    assert rule["data"]["values"] == [{"target": 33.5}]
    assert rule["encoding"]["y"]["field"] == "target"
    assert rule["mark"]["strokeDash"] not in (
        layer(spec, "ucl")["mark"]["strokeDash"],
        layer(spec, "cl")["mark"]["strokeDash"],
    )
    assert label["data"]["values"][0]["text"] == "Target 33.5"
    assert "target" not in layer_names(chart_spec(two_phase_result()))


def test_it_describes_the_chart_and_its_icons_in_words():
    description = chart_spec(two_phase_result(), title="Falls", target=33)["description"]

    assert description.startswith("Falls.")
    assert "24 points in 2 phases" in description
    assert "Last value 29 (2024-12)" in description
    assert "improvement (low values)" in description
    assert "hit or missed at random" in description
    assert "Target 33" in description

    plain = chart_spec(make_result([1, 2], variation_icon="none"))["description"]
    assert "no variation icon" in plain and "no assurance icon" in plain


def test_it_puts_the_point_type_in_words_in_the_tooltip():
    tooltip = layer(chart_spec(two_phase_result()), "points")["encoding"]["tooltip"]
    fields = [item["field"] for item in tooltip]

    assert fields == ["x", "y", "cl", "lcl", "ucl", "point_type_label"]
    assert all(not item.get("format") or "~" in item["format"] for item in tooltip)


def test_it_charts_the_engines_results():
    from qms.stats import analyse

    y = [5, 6, 5, 7, 6, 5, 6, 9, 10, 11, 12, 11, 13, 12]
    result = analyse(y, x=months(14), chart="i", part=[8], direction="increase", target=8)[0]
    spec = chart_spec(result, target=8)
    rows = spec["data"]["values"]

    assert [row["phase"] for row in rows] == [1] * 7 + [2] * 7
    assert rows[0]["cl"] == pytest.approx(40 / 7)
    assert all(math.isfinite(row["ucl"]) for row in rows)
    assert VARIATION_WORDS[result.variation_icon] in spec["description"]


def test_it_serves_the_vega_embed_bundle_from_vl_convert():
    bundle = vega_embed_bundle()

    assert isinstance(bundle, str)
    assert "vegaEmbed" in bundle and len(bundle) > 100_000
    assert vega_embed_bundle() is bundle  # cached


def test_it_marks_trial_limits_faint_and_says_so():
    from qms.stats import analyse

    result = analyse([5.0, 6, 5, 7, 6], chart="i", freeze=20)[0]
    spec = chart_spec(result, title="Falls")
    assert "trial limits" in spec["title"]["subtitle"]
    assert {row["limits"] for row in spec["data"]["values"]} == {"trial"}
    ucl = next(layer for layer in spec["layer"] if layer["name"] == "ucl")
    assert ucl["encoding"]["opacity"]["condition"]["value"] < 1
    assert "trial limits" in spec["description"]
    held = chart_spec(analyse([5.0, 6, 5, 7, 6], chart="i", freeze=3)[0], title="Falls")
    assert "title" not in held or "subtitle" not in held["title"]
    assert "opacity" not in next(lay for lay in held["layer"] if lay["name"] == "ucl")["encoding"]
