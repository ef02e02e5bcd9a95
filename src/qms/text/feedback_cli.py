"""`qms feedback classify`: themes and sentiment of comments in a CSV file, without a database.

    qms feedback classify INPUT.csv [-o OUTPUT.jsonl]

INPUT.csv is UTF-8 with a header row holding `id` and `text` (other columns are ignored). Each
comment becomes one JSON object a line, in the file's order:
`{"id": "...", "themes": ["...", ...], "sentiment": 1..5}`. The model comes from the cache in
QMS_MODEL_DIR (default: QMS_DATA_DIR/models, QMS_DATA_DIR defaulting to ./data); with none
there, it is trained from the bundled data first (seconds) and cached.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from qms.text import feedback

_REQUIRED = ("id", "text")
# A comment may be long (a pasted letter), but a field larger than this is a broken file.
_FIELD_LIMIT = 10 * 1024 * 1024 + 1024
_MAX_BAD_ROWS_SHOWN = 10


class ClassifyInputError(ValueError):
    """The input file cannot be classified: the message says why, naming rows."""


def model_dir() -> Path:
    """The model cache of a QMS installation, from the environment as the settings read it."""
    if os.environ.get("QMS_MODEL_DIR"):
        return Path(os.environ["QMS_MODEL_DIR"]).resolve()
    return Path(os.environ.get("QMS_DATA_DIR", Path.cwd() / "data")).resolve() / "models"


def build_parser(prog: str = "qms feedback classify") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Themes and sentiment (1 very positive ... 5 very negative) of each comment "
        "of a UTF-8 CSV file with columns id and text, as JSON lines.",
    )
    parser.add_argument("input", type=Path, help="UTF-8 CSV file with columns id and text")
    parser.add_argument("-o", "--output", type=Path, help="OUTPUT.jsonl (default: stdout)")
    return parser


def read_comments(path: Path) -> list[tuple[str, str]]:
    """The (id, text) of every row of a CSV file, or ClassifyInputError naming what is wrong:
    no such file, not UTF-8, no header, a missing column, rows without an id or with a broken
    number of fields (by line number)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ClassifyInputError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ClassifyInputError(
            f"{path} is not UTF-8 text (line {line}, byte {error.start}): save it as UTF-8 CSV"
        ) from None
    previous_limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        return _rows(path, content)
    finally:
        csv.field_size_limit(previous_limit)


def _rows(path: Path, content: str) -> list[tuple[str, str]]:
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ClassifyInputError(f"{path} is empty: it needs a header row with id and text")
        names = [name.strip().lower() for name in header]
        missing = [name for name in _REQUIRED if name not in names]
        if missing:
            raise ClassifyInputError(
                f"{path} has no {' and no '.join(missing)} column "
                f"(its columns: {', '.join(header) or 'none'})"
            )
        id_at, text_at = names.index("id"), names.index("text")
        comments: list[tuple[str, str]] = []
        bad: list[str] = []
        for row in reader:
            line = reader.line_num
            if not any(field.strip() for field in row):
                continue  # a blank line
            if len(row) <= max(id_at, text_at):
                bad.append(f"line {line} has {len(row)} fields; the header has {len(header)}")
            elif not row[id_at].strip():
                bad.append(f"line {line} has no id")
            else:
                comments.append((row[id_at].strip(), row[text_at]))
    except csv.Error as error:
        raise ClassifyInputError(f"{path} line {reader.line_num}: {error}") from None
    if bad:
        shown = "; ".join(bad[:_MAX_BAD_ROWS_SHOWN])
        more = f" (and {len(bad) - _MAX_BAD_ROWS_SHOWN} more)" if len(bad) > 10 else ""
        raise ClassifyInputError(f"{path}: {len(bad)} bad rows: {shown}{more}")
    return comments


def write_predictions(
    comments: Sequence[tuple[str, str]], classifier: feedback.Classifier, out: TextIO
) -> None:
    """One JSON object a line for each comment: its id, themes and sentiment."""
    predictions = classifier.predict([text for _, text in comments])
    for (identifier, _), prediction in zip(comments, predictions, strict=True):
        record = {
            "id": identifier,
            "themes": list(prediction.themes),
            "sentiment": prediction.sentiment,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def classify(input_path: Path, output: Path | None, cache_dir: Path) -> int:
    """Classify a file (see the module's docstring); the number of comments."""
    comments = read_comments(input_path)
    classifier = feedback.load(cache_dir)
    if output is None:
        write_predictions(comments, classifier, sys.stdout)
    else:
        temporary = output.with_name(f".{output.name}.tmp")
        try:
            with temporary.open("w", encoding="utf-8") as out:
                write_predictions(comments, classifier, out)
            os.replace(temporary, output)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise ClassifyInputError(f"cannot write {output}: {error.strerror or error}") from None
    return len(comments)


def main(argv: Sequence[str] | None = None, *, cache_dir: Path | None = None) -> int:
    """The command; its exit status (0 done, 2 bad input or arguments)."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        count = classify(arguments.input, arguments.output, cache_dir or model_dir())
    except ClassifyInputError as error:
        print(f"qms feedback classify: error: {error}", file=sys.stderr)
        return 2
    if arguments.output is not None:
        print(f"{count} comments classified into {arguments.output}", file=sys.stderr)
    return 0
