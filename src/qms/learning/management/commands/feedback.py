"""`qms feedback train [--with-corrections] [--seed N]` and `qms feedback classify INPUT.csv
[-o OUTPUT.jsonl]`: the feedback classifier's model and a file's comments classified.

`classify` is also run by `qms` itself without Django (src/qms/cli.py), so it works before a
database exists; here it is the same code with the model directory of the settings.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.learning import classifier
from qms.text import feedback
from qms.text.feedback_cli import ClassifyInputError
from qms.text.feedback_cli import classify as classify_file


class Command(BaseCommand):
    help = "Train the feedback classifier, or classify the comments of a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        train = commands.add_parser(
            "train", help="Retrain the model from the bundled TRAIN split into the model cache."
        )
        train.add_argument(
            "--with-corrections",
            action="store_true",
            help="Add the comments people corrected in QMS, with their corrected labels.",
        )
        train.add_argument("--seed", type=int, default=feedback.DEFAULT_SEED)
        classify = commands.add_parser(
            "classify", help="Themes and sentiment of each comment of a CSV with id and text."
        )
        classify.add_argument("input", type=Path)
        classify.add_argument("-o", "--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "train":
            self._train(with_corrections=options["with_corrections"], seed=options["seed"])
        else:
            self._classify(options["input"], options["output"])

    def _train(self, *, with_corrections: bool, seed: int) -> None:
        if with_corrections:
            merged = feedback.merge_corrections(classifier.corrections())
            rows = merged.rows
            self.stdout.write(
                f"Corrections: {merged.added} added, {merged.replaced} replacing the labels "
                f"of TRAIN comments, {merged.left_out} left out (TEST comments or no themes)."
            )
        else:
            rows = feedback.train_split()
        start = time.perf_counter()
        trained = feedback.train(rows, seed=seed)
        path = feedback.save(trained, classifier.model_dir())
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained {trained.version} on {trained.trained_on['comments']} comments "
                f"({trained.trained_on['with_sentiment']} with a sentiment; "
                f"{len(trained.themes)} themes learnt) in {time.perf_counter() - start:.1f} s: "
                f"{path}"
            )
        )

    def _classify(self, source: Path, output: Path | None) -> None:
        try:
            count = classify_file(source, output, classifier.model_dir())
        except ClassifyInputError as error:
            raise CommandError(str(error)) from None
        if output is not None:
            self.stderr.write(f"{count} comments classified into {output}")
