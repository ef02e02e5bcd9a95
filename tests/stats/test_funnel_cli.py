"""`qms funnel`: the command-line contract, run as a user would (through the `qms` script)."""

import json
import subprocess
import sys

import pytest


def qms_funnel(*args):
    return subprocess.run(
        [sys.executable, "-m", "qms", "funnel", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def write(tmp_path, text, name="in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_writes_the_json_contract(tmp_path):
    # FunnelPlotR's published Poisson limits at expected 15, 20, 30
    # (tests/testthat/test-poisson_limits.R): ll95 0.5596924, ul998 2.082907 ...
    source = write(tmp_path, "group,numerator,denominator\nA,30,15\nB,12,20\nC,5,30\n")
    out = tmp_path / "out.json"
    result = qms_funnel(source, "--kind", "ratio", "-o", out)
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert list(document) == ["target", "tau2", "groups"]
    assert document["target"] == 1.0 and document["tau2"] is None
    assert [list(group) for group in document["groups"]] == [
        ["group", "value", "lower95", "upper95", "lower998", "upper998", "flag"]
    ] * 3
    a, b, c = document["groups"]
    assert (a["group"], a["value"]) == ("A", 2.0)
    assert round(a["lower95"], 7) == 0.5596924 and round(a["upper998"], 6) == 2.082907
    assert round(b["upper95"], 6) == 1.544419 and round(c["lower998"], 7) == 0.5289724
    assert [group["flag"] for group in document["groups"]] == ["within", "within", "low"]


def test_it_prints_json_and_adjusts_for_overdispersion(tmp_path):
    # Observed 64..144 against 100 expected: tau2 = 0.0153 with 10% winsorising (worked in
    # tests/stats/test_funnel.py).
    rows = "".join(f"u{o},{o},100\n" for o in (64, 81, 100, 121, 144))
    source = write(tmp_path, "group,numerator,denominator\n" + rows)
    result = qms_funnel(source, "--kind", "ratio", "--overdispersion")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["tau2"] == pytest.approx(0.0153)


def test_it_takes_proportions_with_extra_columns_and_a_bom(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "\ufeffnote,Group,numerator,denominator\nx,Ward 7 — Ré,10,100\ny,b,30,200\nz,c,90,300\n",
        encoding="utf-8",
    )
    result = qms_funnel(source, "--kind", "proportion")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["groups"][0]["group"] == "Ward 7 — Ré"
    assert [g["flag"] for g in document["groups"]] == ["low", "within", "high"]


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("group,numerator,denominator\na,1,10\nb,2,0\n", "ratio", "line 3, column denominator"),
        ("group,numerator,denominator\na,x,10\n", "ratio", "line 2, column numerator"),
        ("group,numerator,denominator\na,11,10\n", "proportion", "more than the denominator"),
        ("group,numerator,denominator\na,1,-1\n", "proportion", "above 0"),
        ("group,numerator\na,1\n", "ratio", "no denominator column"),
        ("", "ratio", "empty"),
        ("group,numerator,denominator\n", "ratio", "no rows"),
        ("group,numerator,denominator\na,1\n", "ratio", "line 2"),
        ("group,numerator,denominator\na,1,1e999\n", "ratio", "not a finite number"),
    ],
)
def test_it_names_the_line_and_column_of_bad_input_and_fails(tmp_path, text, kind, words):
    out = tmp_path / "out.json"
    result = qms_funnel(write(tmp_path, text), "--kind", kind, "-o", out)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_it_refuses_a_missing_file_and_a_binary_file(tmp_path):
    missing = qms_funnel(tmp_path / "nope.csv", "--kind", "ratio")
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81group")
    result = qms_funnel(binary, "--kind", "ratio")
    assert result.returncode == 2 and "UTF-8" in result.stderr


def test_it_requires_a_kind(tmp_path):
    result = qms_funnel(write(tmp_path, "group,numerator,denominator\na,1,2\n"))
    assert result.returncode == 2 and "--kind" in result.stderr
