"""The feedback classifier: its contract, TRAIN-only fitting, reproducibility and its scores on
the TEST split (the floors of issue 11; bench/feedback.py prints the figures)."""

import re
import threading

import pytest

from qms.text import feedback


def test_it_lists_the_files_theme_columns_as_labels():
    import csv

    with feedback.DATA_FILE.open(encoding="utf-8") as file:
        header = next(csv.reader(file))
    assert tuple(header[11:]) == feedback.THEMES
    assert sorted(feedback.SENTIMENTS) == [1, 2, 3, 4, 5]


def test_it_splits_by_the_hash_of_the_comment_id():
    rows = feedback.read_labelled()
    test = [r for r in rows if feedback.is_test(r.comment_id)]
    assert len(rows) == 7908
    assert 0.18 < len(test) / len(rows) < 0.22
    assert {r.comment_id for r in feedback.test_split()} == {r.comment_id for r in test}
    assert not any(feedback.is_test(r.comment_id) for r in feedback.train_split())


def test_it_refuses_to_train_on_a_test_row():
    rows = feedback.train_split()[:50] + feedback.test_split()[:1]
    with pytest.raises(ValueError, match="TEST split"):
        feedback.train(rows)


def test_it_never_saw_a_word_only_the_test_split_has(classifier):
    """Words in two or more TEST comments and in no TRAIN comment: had a TEST row reached the
    fit, the vocabulary (min_df 2) would hold them."""

    def words(rows):
        return [set(re.findall(r"(?u)\b\w\w+\b", r.text.lower())) for r in rows]

    train_words = set().union(*words(feedback.train_split()))
    seen: dict[str, int] = {}
    for found in words(feedback.test_split()):
        for word in found - train_words:
            seen[word] = seen.get(word, 0) + 1
    only_in_test = {word for word, count in seen.items() if count >= 2}
    assert len(only_in_test) > 20
    assert not only_in_test & set(classifier.vocabulary())


def test_it_gives_known_labels_and_a_sentiment_to_every_comment(classifier):
    texts = [
        "The nurses were kind and explained everything",
        "Waited 5 hours in A&E, nobody told us anything",
        "",
        "Did not answer",
        "Ça va 😀",
        "x" * 100_000,
        "   ",
    ]
    predictions = classifier.predict(texts)
    assert len(predictions) == len(texts)
    for prediction in predictions:
        assert prediction.themes
        assert set(prediction.themes) <= set(feedback.THEMES)
        assert prediction.sentiment in feedback.SENTIMENTS
    assert predictions[2] == feedback.Prediction(("Labelling not possible",), 3)
    assert predictions[3] == feedback.Prediction(("Labelling not possible",), 3)
    assert predictions[0].sentiment <= 2 < predictions[1].sentiment
    assert "Timeliness of care" in predictions[1].themes
    assert classifier.predict([]) == []


def test_it_predicts_only_labels_with_enough_training_examples(classifier):
    counts = {t: 0 for t in feedback.THEMES}
    for row in feedback.train_split():
        if not feedback.is_placeholder(row.text):
            for theme in row.themes:
                counts[theme] += 1
    assert set(classifier.themes) == {t for t, n in counts.items() if n >= feedback.MIN_EXAMPLES}
    assert "Parking" not in classifier.themes


def test_it_reaches_the_floors_on_the_test_split(classifier):
    test = feedback.test_split()
    predictions = classifier.predict([r.text for r in test])
    tp = sum(len(set(p.themes) & set(r.themes)) for r, p in zip(test, predictions, strict=True))
    predicted = sum(len(p.themes) for p in predictions)
    actual = sum(len(r.themes) for r in test)
    micro_f1 = 2 * tp / (predicted + actual)
    rated = [(r, p) for r, p in zip(test, predictions, strict=True) if r.sentiment]
    accuracy = sum(r.sentiment == p.sentiment for r, p in rated) / len(rated)
    assert micro_f1 >= 0.72
    assert accuracy >= 0.60


def test_it_trains_the_same_model_from_the_same_rows_and_seed():
    rows = [r for r in feedback.train_split() if not feedback.is_placeholder(r.text)][:600]
    first, second = feedback.train(rows, seed=3), feedback.train(rows, seed=3)
    texts = [r.text for r in feedback.test_split()[:300]]
    assert first.version == second.version
    assert first.predict(texts) == second.predict(texts)
    assert feedback.train(rows[:-1], seed=3).version != first.version


def test_it_refuses_rows_with_nothing_to_learn():
    with pytest.raises(ValueError, match="nothing to learn"):
        feedback.train([feedback.Labelled("", "Did not answer", ("Labelling not possible",), None)])


def test_it_caches_the_model_and_reads_one_saved_by_another_process(tmp_path, monkeypatch):
    rows = [r for r in feedback.train_split() if not feedback.is_placeholder(r.text)][:400]
    small = feedback.train(rows)
    calls = []
    monkeypatch.setattr(feedback, "train_split", lambda: calls.append(1) or rows)
    loaded = [None, None]

    def load(i):
        loaded[i] = feedback.load(tmp_path)

    threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]  # trained once, though two asked at once
    assert loaded[0].version == loaded[1].version == small.version
    assert feedback.load(tmp_path) is feedback.load(tmp_path)  # kept per process
    assert [p.name for p in tmp_path.glob("*.tmp")] == []

    other = feedback.train(rows[:-5])
    feedback.save(other, tmp_path)
    assert feedback.load(tmp_path).version == other.version


def test_it_trains_afresh_when_the_cached_file_is_broken(tmp_path, monkeypatch):
    rows = [r for r in feedback.train_split() if not feedback.is_placeholder(r.text)][:300]
    monkeypatch.setattr(feedback, "train_split", lambda: rows)
    feedback.cache_path(tmp_path).write_bytes(b"not a pickle")
    assert feedback.load(tmp_path).trained_on["comments"] == 300
