"""The chart a page sends (charts.compact_spec) draws what chart_spec draws, in a fraction of
the bytes; the measure page never shows a chart older than its results."""

import datetime as dt
import json
import re

import numpy as np
import pytest
from helpers import record

from qms.control import services
from qms.control.charts import compact_spec, spec_json
from qms.stats import analyse
from qms.stats.vega import chart_spec, to_svg

# Every field chart_spec writes, as the browser sees it once the data are unpacked: a text mark
# per point spells them out, so comparing two drawings compares the fields too.
PROBE_FIELDS = ("position", "x", "date", "y", "cl", "lcl", "ucl", "phase", "point_type",
                "point_type_label", "included", "limits")  # fmt: skip


def _series(days: int = 120):
    rng = np.random.default_rng(7)
    y = rng.normal(40, 6, days).round(3)
    y[days - 9 :] += 15  # a shift: special cause points
    y[30] = 90.0  # beyond the limits
    x = [(dt.date(2025, 1, 1) + dt.timedelta(days=k)).isoformat() for k in range(days)]
    return analyse(y, x=x, chart="i", part=[60], exclude=[10], direction="decrease", rules="mdc")[0]


def _spec(series):
    return chart_spec(
        series,
        title="Admissions",
        y_title="patients",
        target=45.5,
        annotations=[{"x": "2025-03-02", "text": "New limits: new rota"}],
        width=760,
        height=300,
    )


def _with_probe(spec, unpack=()):
    """The spec with a layer writing every point's fields as text."""
    words = " + '|' + ".join(f"datum.{name}" for name in PROBE_FIELDS)
    probe = {
        "name": "probe",
        "transform": [*unpack, {"calculate": words, "as": "probe"}],
        "mark": {"type": "text", "fontSize": 4},
        "encoding": {
            "x": {"field": "position", "type": "quantitative"},
            "y": {"field": "y", "type": "quantitative"},
            "text": {"field": "probe"},
        },
    }
    return {**spec, "layer": [*spec["layer"], probe]}


@pytest.mark.parametrize("freeze", [None, 200], ids=["held limits", "trial limits"])
def test_it_draws_the_same_chart_with_every_field_the_same(freeze):
    series = _series()
    if freeze:  # a baseline longer than the data: the limits are trial limits, drawn faint
        series = analyse(series.y, x=series.x, chart="i", freeze=freeze, direction="decrease")[0]
        assert any(phase.trial for phase in series.phases)
    spec = _spec(series)
    compact = compact_spec(spec, rounded=False)
    unpack = next(layer["transform"] for layer in compact["layer"] if layer["name"] == "cl")
    original = to_svg(_with_probe(spec))
    assert "|special_cause_concern|" in original  # the probe writes the fields
    assert to_svg(_with_probe(compact, unpack)) == original


def test_it_sends_each_field_once_by_column_with_only_what_the_chart_reads():
    spec = _spec(_series())
    compact = compact_spec(spec)
    (columns,) = compact["data"]["values"]
    assert set(columns) == {"y", "phase", "date_days", "point_type_code", "included_01"}
    assert all(len(values) == 120 for values in columns.values())
    # The centre line and limits, one value a phase, are sent once a phase.
    lookup = next(step for step in compact["layer"][0]["transform"] if "lookup" in step)
    assert lookup["from"]["key"] == "phase" and lookup["from"]["fields"] == ["cl", "lcl", "ucl"]
    assert [row["phase"] for row in lookup["from"]["data"]["values"]] == [1, 2]
    # The target and the annotations keep their own small data.
    assert {layer["name"] for layer in compact["layer"] if "data" in layer} == {
        "target", "target_label", "annotation_rules", "annotations"
    }  # fmt: skip
    assert spec["data"]["values"][0]["point_type_label"]  # the original is left as it was


def _unpacked(compact) -> dict[str, list]:
    """The columns as rows would have them, with the per-phase fields looked up."""
    (columns,) = compact["data"]["values"]
    columns = dict(columns)
    for step in compact["layer"][0]["transform"]:
        if "lookup" in step:
            table = {row["phase"]: row for row in step["from"]["data"]["values"]}
            for name in step["from"]["fields"]:
                columns[name] = [table[phase].get(name) for phase in columns["phase"]]
    return columns


def test_it_keeps_trial_marks_of_the_points():
    spec = _spec(_series())
    for row in spec["data"]["values"]:
        row["trial"] = row["phase"] == 2  # the second phase has trial limits
    columns = _unpacked(compact_spec(spec))
    assert columns["trial"] == [row["trial"] for row in spec["data"]["values"]]
    assert any(columns["trial"]) and not all(columns["trial"])
    for row in spec["data"]["values"][:5]:
        row["trial"] = not row["trial"]  # not one value a phase: sent with every point
    (columns,) = compact_spec(spec)["data"]["values"]
    assert columns["trial_01"] == [int(row["trial"]) for row in spec["data"]["values"]]


def test_it_rounds_values_to_what_the_tooltip_shows():
    spec = _spec(_series())
    (tooltip_format,) = {
        item["format"]
        for layer in spec["layer"]
        for item in layer.get("encoding", {}).get("tooltip", [])
        if item["field"] == "y"
    }
    decimals = int(re.search(r"\.(\d+)", tooltip_format).group(1))
    columns = _unpacked(compact_spec(spec))
    for name in ("y", "cl", "lcl", "ucl"):
        for before, after in zip(
            (row[name] for row in spec["data"]["values"]), columns[name], strict=True
        ):
            if before is None:
                assert after is None
            else:
                assert f"{before:.{decimals}f}" == f"{after:.{decimals}f}", name
                assert len(repr(after)) <= len(repr(round(before, decimals)))


def test_it_rounds_a_half_away_from_zero_as_the_browser_does():
    from qms.control.charts import _rounded

    assert _rounded(0.125, 2) == 0.13  # exactly half: toFixed goes up, Python's round down
    assert _rounded(-0.125, 2) == -0.13
    assert _rounded(2.675, 2) == 2.67  # 2.675 is stored just below the half
    assert _rounded(41.0, 1) == 41 and isinstance(_rounded(41.0, 1), int)


def test_it_writes_json_that_cannot_close_its_script_element():
    spec = _spec(_series(70))
    spec["title"] = {"text": "</script><b>&"}
    text = spec_json(compact_spec(spec))
    assert "</" not in text and "&" not in text and " " not in text.split('"layer"')[0][-5:]
    assert json.loads(text)["title"]["text"] == "</script><b>&"


def test_it_leaves_a_spec_without_inline_rows_alone():
    spec = {"mark": "point", "data": {"url": "x.json"}}
    assert compact_spec(spec) is spec


# The measure page --------------------------------------------------------------------------


def _page_chart(client, measure) -> dict:
    html = client.get(f"/control/measures/{measure.pk}/").content.decode()
    found = re.search(r'<script id="spc-spec" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_it_never_shows_a_chart_older_than_the_results(client, as_user, measure):
    record(measure, [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7])
    as_user("lead")
    first = _page_chart(client, measure)
    assert len(first["data"]["values"][0]["y"]) == 12
    record(measure, [9], start=dt.date(2025, 1, 1))  # results refreshed: a new computed_at
    assert len(_page_chart(client, measure)["data"]["values"][0]["y"]) == 13
    services.annotation_add(
        by=as_user("lead"), measure=measure, period=dt.date(2024, 3, 1), text="New rota"
    )  # no new results, but the chart shows the note at once
    notes = [layer for layer in _page_chart(client, measure)["layer"] if "data" in layer]
    assert any(v.get("text") == "New rota" for layer in notes for v in layer["data"]["values"])


@pytest.mark.django_db
def test_it_sends_the_busiest_measure_page_in_under_60_kb(client, as_user, org):
    measure = services.measure_create(
        by=None, unit=org["ward"], name="Admissions", code="adm-daily", kind="structure",
        domain="efficient", operational_definition="Admissions a day.", frequency="day",
        chart="c", direction="neutral", unit_label=" patients", multiply=1,
    )  # fmt: skip
    rng = np.random.default_rng(3)
    start = dt.date(2024, 12, 1)
    rows = [
        services.ObservationInput(
            measure=measure, period=start + dt.timedelta(days=k), value=float(v)
        )
        for k, v in enumerate(rng.poisson(40, 730))
    ]
    services.observations_save(by=None, rows=rows, refresh=False)
    services.results_refresh([measure.pk])
    as_user("lead")
    html = client.get(f"/control/measures/{measure.pk}/").content
    assert len(_page_chart(client, measure)["data"]["values"][0]["y"]) == 730
    assert len(html) < 60 * 1024, len(html)
