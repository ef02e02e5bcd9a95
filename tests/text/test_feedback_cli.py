"""`qms feedback classify` without Django: the contract of its input and output."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from qms.text import feedback
from qms.text.feedback_cli import main


@pytest.fixture
def run(classifier, capsys):
    def run(*argv):
        code = main([str(a) for a in argv], cache_dir=settings.QMS_MODEL_DIR)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_it_writes_one_json_object_a_line_with_ids_kept(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "rating,id,text\n5,a-1,The staff were rude and I waited all day\n"
        '1,0042,"Lovely, caring nurses.\nThank you"\n,x 3,Did not answer\n',
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    code, _, err = run(source, "-o", target)
    assert code == 0, err
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a-1", "0042", "x 3"]
    for record in records:
        assert set(record) == {"id", "themes", "sentiment"}
        assert record["themes"] and set(record["themes"]) <= set(feedback.THEMES)
        assert record["sentiment"] in {1, 2, 3, 4, 5}
    assert records[0]["sentiment"] >= 4 and records[1]["sentiment"] <= 2
    assert records[2]["themes"] == ["Labelling not possible"]


def test_it_writes_to_stdout_without_an_output_file(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("\ufeffid,text\n1,Très bien 👍\n", encoding="utf-8")
    code, out, _ = run(source)
    assert code == 0
    assert json.loads(out)["id"] == "1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"id,comment\n1,hello\n", "no text column"),
        (b"text\nhello\n", "no id column"),
        (b"id,text\n1,caf\xe9\n", "not UTF-8 text (line 2"),
        (b"id,text\n1,fine\n,no id here\n3,ok\n4\n", "2 bad rows: line 3 has no id; line 5 has 1"),
        (b'id,text\n1,"never closed\n', "line"),
    ],
)
def test_it_names_the_problem_of_a_bad_file(run, tmp_path, content, message):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    target = tmp_path / "out.jsonl"
    code, out, err = run(source, "-o", target)
    assert code != 0
    assert message in err
    assert not target.exists()


def test_it_says_when_the_file_is_missing(run, tmp_path):
    code, _, err = run(tmp_path / "nope.csv")
    assert code == 2
    assert "cannot read" in err


def test_it_classifies_a_long_comment(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1," + "waiting " * 400_000 + "\n", encoding="utf-8")
    code, out, _ = run(source)
    assert code == 0
    assert json.loads(out)["sentiment"] in {1, 2, 3, 4, 5}


def test_it_runs_as_qms_feedback_classify_with_no_database(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n7,The ambulance was late\n", encoding="utf-8")
    environment = {
        "QMS_DATA_DIR": str(tmp_path / "data"),  # no database there
        "QMS_MODEL_DIR": str(settings.QMS_MODEL_DIR),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from qms.cli import main; main()",
            "feedback",
            "classify",
            str(source),
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "7"
    assert not (tmp_path / "data" / "qms.sqlite3").exists()
