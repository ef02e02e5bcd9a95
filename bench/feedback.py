"""Scores and speed of the feedback classifier: `python bench/feedback.py [--seed 11]
[--comments 10000] [--skip-fresh]`.

Trains on the TRAIN split of the bundled data (qms.text.feedback.DATA_FILE), scores the TEST
split, and times:

- training from scratch (threshold tuning by cross-validation within TRAIN included);
- classifying COMMENTS comments (TEST comments repeated) with a model loaded from the cache,
  the load included, in a new process;
- the first classify of a fresh install: `qms feedback classify` in a new process with an empty
  model cache (it trains, caches, then classifies 100 comments).

Scores: themes micro-F1 and macro-F1 on every TEST comment (placeholders included: "Did not
answer" is labelled "Labelling not possible" by the labellers too) and on the TEST comments with
content only; macro-F1 averages over the labels with at least one TEST comment. Sentiment
accuracy and within-one accuracy over the TEST comments the labellers gave a sentiment.
Targets (issue 11): micro-F1 >= 0.72 (aim past 0.77), sentiment >= 0.60 (aim 0.70), 10,000
comments in under 10 s on two cores.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qms.text import feedback


def scores(classifier: feedback.Classifier, rows: list[feedback.Labelled]) -> dict[str, float]:
    """Micro- and macro-F1 of the themes, sentiment accuracy and within-one accuracy."""
    predictions = classifier.predict([r.text for r in rows])
    true_positive = {t: 0 for t in feedback.THEMES}
    predicted = dict.fromkeys(feedback.THEMES, 0)
    actual = dict.fromkeys(feedback.THEMES, 0)
    for row, prediction in zip(rows, predictions, strict=True):
        for theme in prediction.themes:
            predicted[theme] += 1
            true_positive[theme] += theme in row.themes
        for theme in row.themes:
            actual[theme] += 1
    tp, pp, ap = sum(true_positive.values()), sum(predicted.values()), sum(actual.values())
    micro = 2 * tp / (pp + ap) if pp + ap else 0.0
    present = [t for t in feedback.THEMES if actual[t]]
    macro = sum(2 * true_positive[t] / (predicted[t] + actual[t]) for t in present) / len(present)
    rated = [(r, p) for r, p in zip(rows, predictions, strict=True) if r.sentiment is not None]
    exact = sum(p.sentiment == r.sentiment for r, p in rated) / len(rated)
    within = sum(abs(p.sentiment - r.sentiment) <= 1 for r, p in rated) / len(rated)
    return {"micro_f1": micro, "macro_f1": macro, "sentiment": exact, "within_one": within}


def classify_time(cache_dir: Path, texts: list[str]) -> tuple[float, float]:
    """Seconds (wall clock, and CPU time, which a busy shared machine does not distort) for a
    new process to load the cached model and classify `texts`."""
    code = (
        "import sys, time, json\n"
        "from pathlib import Path\n"
        "start, cpu = time.perf_counter(), time.process_time()\n"
        "from qms.text import feedback\n"
        "texts = json.load(open(sys.argv[2]))\n"
        "feedback.load(Path(sys.argv[1])).predict(texts)\n"
        "print(time.perf_counter() - start, time.process_time() - cpu)\n"
    )
    import json

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(texts, file)
    try:
        result = subprocess.run(
            [sys.executable, "-c", code, str(cache_dir), file.name],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(file.name)
    wall, cpu = result.stdout.split()
    return float(wall), float(cpu)


def fresh_classify_time(texts: list[str]) -> float:
    """Seconds for `qms feedback classify` with an empty model cache and no database."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.csv"
        with source.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["id", "text"])
            writer.writerows(enumerate(texts))
        environment = {**os.environ, "QMS_DATA_DIR": str(Path(folder) / "data")}
        qms = Path(sys.executable).with_name("qms")
        start = time.perf_counter()
        subprocess.run(
            [str(qms), "feedback", "classify", str(source), "-o", str(Path(folder) / "out.jsonl")],
            check=True,
            env=environment,
            capture_output=True,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--skip-fresh", action="store_true")
    arguments = parser.parse_args()

    train, test = feedback.train_split(), feedback.test_split()
    print(f"TRAIN {len(train)} comments, TEST {len(test)} comments")
    start = time.perf_counter()
    classifier = feedback.train(train, seed=arguments.seed)
    trained = time.perf_counter() - start
    print(f"train from scratch: {trained:.1f} s ({len(classifier.themes)} labels learnt)")

    for name, rows in (
        ("all TEST comments", test),
        ("TEST comments with content", [r for r in test if not feedback.is_placeholder(r.text)]),
    ):
        result = scores(classifier, rows)
        print(
            f"{name} ({len(rows)}): themes micro-F1 {result['micro_f1']:.3f}, "
            f"macro-F1 {result['macro_f1']:.3f}; sentiment accuracy {result['sentiment']:.3f}, "
            f"within one {result['within_one']:.3f}"
        )

    texts = [test[i % len(test)].text for i in range(arguments.comments)]
    with tempfile.TemporaryDirectory() as cache:
        feedback.save(classifier, Path(cache))
        seconds, cpu = classify_time(Path(cache), texts)
    print(
        f"classify {len(texts)} comments, cached model loaded in a new process: {seconds:.1f} s "
        f"({cpu:.1f} s CPU)"
    )
    if not arguments.skip_fresh:
        seconds = fresh_classify_time(texts[:100])
        print(f"fresh install, first `qms feedback classify` of 100 comments: {seconds:.1f} s")


if __name__ == "__main__":
    main()
