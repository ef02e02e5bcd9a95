"""`qms spc`: the command-line contract, run as a user would (through the `qms` script)."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def spc(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "qms", "spc", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_it_writes_the_json_contract(tmp_path):
    out = tmp_path / "out.json"
    result = spc(DATA / "montgomery_mortgage_i_mr.csv", "--chart", "i", "--freeze", "20", "-o", out)
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    (chart,) = document["series"]
    assert set(chart) == {"series", "points", "phases", "variation_icon", "assurance_icon"}
    point = chart["points"][0]
    assert list(point) == [
        "x", "y", "n", "phase", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s",
        "included", "outside", "shift", "trend", "two_of_three", "point_type",
    ]  # fmt: skip
    assert point["cl"] == pytest.approx(300.5)
    assert point["ucl"] == pytest.approx(321.22, abs=0.005)
    assert point["n"] is None  # an I chart has no denominator: null, not NaN
    assert [p["x"] for p in chart["points"] if p["outside"]] == ["39", "40"]
    assert set(chart["phases"][0]) == {
        "phase", "n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min",
        "runs_signal", "baseline", "trial",
    }  # fmt: skip
    assert chart["phases"][0]["baseline"] == 20  # --freeze 20: the limits come from 20 weeks
    assert chart["phases"][0]["trial"] is False


def test_it_writes_one_csv_row_per_point_with_the_series(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "series,x,y,n,comment\n"
        + "".join(f"ward-7,2026-{m:02d},{3 + m % 3},{40 + m},ok\n" for m in range(1, 13))
        + "".join(f"ward-8,2026-{m:02d},{5 + m % 2},{50 + m},ok\n" for m in range(1, 13))
    )
    out = tmp_path / "out.csv"
    result = spc(source, "--chart", "p", "--multiply", "100", "-o", out)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 24
    assert {row["series"] for row in rows} == {"ward-7", "ward-8"}
    first = rows[0]
    assert first["x"] == "2026-01"
    assert float(first["y"]) == pytest.approx(100 * 4 / 41)
    assert first["included"] == "true"
    assert "comment" not in first


def test_it_names_the_line_and_column_of_bad_input(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("y,n\n3,10\n12,10\n4,20\n")
    result = spc(source, "--chart", "p")
    assert result.returncode == 2
    assert "line 3, column n" in result.stderr
    assert "smaller than the count" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("value\n1\n", ["--chart", "i"], "no y column"),
        ("", ["--chart", "i"], "is empty"),
        ("y\n1\nabc\n", ["--chart", "i"], "line 3, column y: 'abc' is not a number"),
        ("y\n1\n2\n", ["--chart", "i", "--shift-length", "21"], "shift_length"),
        ("y\n1\n2\n", ["--chart", "xbar"], "needs x"),
        ("y\n", ["--chart", "i"], "no data"),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(tmp_path, content, args, message):
    source = tmp_path / "in.csv"
    source.write_text(content)
    result = spc(source, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_an_unknown_chart_and_a_missing_file(tmp_path):
    unknown = spc(DATA / "montgomery_circuit_c.csv", "--chart", "zz")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
    missing = spc(tmp_path / "nope.csv", "--chart", "c")
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_it_needs_no_database_or_settings(tmp_path):
    result = spc(
        DATA / "montgomery_circuit_c.csv", "--chart", "c", "-o", tmp_path / "o.json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.json"]  # no data/ folder made
