"""`qms feedback train` (with the corrections people made) and `qms feedback classify`."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qms.learning import classifier
from qms.learning.models import Feedback, FeedbackTheme
from qms.text import feedback


def _feedback(unit, text, *, reference="", themes=(), sentiment=None, corrected=True):
    item = Feedback.objects.create(
        unit=unit,
        received_on=dt.date(2026, 5, 1),
        text=text,
        reference=reference,
        sentiment=sentiment,
        corrected_at=timezone.now() if corrected else None,
    )
    for label in themes:
        FeedbackTheme.objects.create(feedback=item, label=label)
    return item


@pytest.mark.django_db
def test_it_retrains_with_corrections_leaving_test_comments_out(
    org, settings, tmp_path, monkeypatch
):
    settings.QMS_MODEL_DIR = tmp_path
    test_texts = {r.text.strip() for r in feedback.test_split()}
    train_row = next(
        r for r in feedback.train_split() if len(r.text) > 40 and r.text.strip() not in test_texts
    )
    test_row = next(r for r in feedback.test_split() if not feedback.is_placeholder(r.text))
    ward = org["ward"]
    _feedback(ward, train_row.text, reference=train_row.comment_id, themes=["Parking"], sentiment=5)
    _feedback(ward, test_row.text, reference=test_row.comment_id, themes=["Discharge"], sentiment=4)
    _feedback(ward, "The car park costs too much", themes=["Parking"], sentiment=4)
    _feedback(ward, "Uncorrected comment", themes=["Discharge"], sentiment=4, corrected=False)
    given = []
    real_train = feedback.train

    def train(rows, *, seed):
        # What the command trains on is checked in full; the model is fitted on a sample of
        # it and the added correction (a full fit takes a minute on a busy machine).
        given.extend(rows)
        return real_train(rows[:300] + rows[-1:], seed=seed)

    monkeypatch.setattr(feedback, "train", train)
    out = StringIO()

    call_command("feedback", "train", "--with-corrections", "--seed", "5", stdout=out)

    assert "1 added, 1 replacing the labels of TRAIN comments, 1 left out" in out.getvalue()
    assert len(given) == len(feedback.train_split()) + 1
    assert not any(feedback.is_test(r.comment_id) for r in given if r.comment_id)
    assert test_row.text not in {r.text for r in given}
    by_id = {r.comment_id: r for r in given}
    assert by_id[train_row.comment_id].themes == ("Parking",)
    assert by_id[train_row.comment_id].sentiment == 5
    added = [r for r in given if r.text == "The car park costs too much"]
    assert added == [feedback.Labelled("", "The car park costs too much", ("Parking",), 4)]
    trained = classifier.get()
    assert trained.version.endswith("-s5")
    assert trained.version in out.getvalue()


@pytest.mark.django_db
def test_it_retrains_from_the_train_split_without_corrections(settings, tmp_path, monkeypatch):
    settings.QMS_MODEL_DIR = tmp_path
    given = []
    real_train = feedback.train
    monkeypatch.setattr(
        feedback, "train", lambda rows, *, seed: given.extend(rows) or real_train(rows[:300])
    )
    call_command("feedback", "train", stdout=StringIO())
    assert [r.comment_id for r in given] == [r.comment_id for r in feedback.train_split()]
    assert feedback.cache_path(tmp_path).exists()


def test_it_merges_a_correction_of_a_train_comment_into_its_row():
    row = feedback.train_split()[3]
    fixed = feedback.Labelled(row.comment_id, row.text, ("Parking",), 5)
    merged = feedback.merge_corrections([fixed])
    assert merged.replaced == 1
    assert [r for r in merged.rows if r.comment_id == row.comment_id] == [fixed]
    assert not any(feedback.is_test(r.comment_id) for r in merged.rows if r.comment_id)


def test_it_leaves_out_a_test_comment_corrected_under_another_reference():
    row = next(r for r in feedback.test_split() if not feedback.is_placeholder(r.text))
    merged = feedback.merge_corrections([feedback.Labelled("QMS-1", row.text, ("Discharge",), 4)])
    assert (merged.added, merged.left_out) == (0, 1)


def test_it_classifies_a_file_with_the_settings_model(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n9,Great care from the district nurses\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    call_command("feedback", "classify", str(source), "-o", str(target))
    record = json.loads(target.read_text(encoding="utf-8"))
    assert record["id"] == "9"
    assert record["sentiment"] in feedback.SENTIMENTS


def test_it_fails_with_the_files_problem(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,words\n1,hello\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no text column"):
        call_command("feedback", "classify", str(source))
