"""`qms funnel`: a funnel plot's numbers from a CSV file, without a database.

    qms funnel INPUT.csv --kind proportion|ratio [--overdispersion] [-o OUTPUT.json]

The file has a header row and the columns group, numerator and denominator (for ratios the
numerator is the observed count and the denominator the expected count); other columns are
ignored. The output is JSON: {"target", "tau2", "groups": [{"group", "value", "lower95",
"upper95", "lower998", "upper998", "flag"}, ...]}. Errors name the line of the file (the header
is line 1) and the column, and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from qms.stats.funnel import DEFAULT_TRIM, KINDS, FunnelInputError, funnel

_COLUMNS = ("group", "numerator", "denominator")
_OUTPUT_FIELDS = ("group", "value", "lower95", "upper95", "lower998", "upper998", "flag")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qms funnel",
        description="Funnel plot limits (95%% and 99.8%%) and flags for units in a CSV file "
        "with group, numerator and denominator columns.",
    )
    parser.add_argument("input", type=Path, help="CSV file with a header row")
    parser.add_argument("--kind", required=True, choices=KINDS)
    parser.add_argument(
        "--overdispersion",
        action="store_true",
        help="widen the limits by Spiegelhalter's random-effects method when needed",
    )
    parser.add_argument(
        "--trim",
        type=float,
        default=DEFAULT_TRIM,
        help="share of z-scores winsorised at each end (default 0.1)",
    )
    parser.add_argument("-o", "--output", type=Path, help="OUTPUT.json (default: stdout)")
    return parser


def read_rows(path: Path) -> dict[str, list[str]]:
    """The group, numerator and denominator columns of a CSV file, as text."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise FunnelInputError([(None, "header", "the file is empty: it needs a header row")])
        names = [name.strip().lower() for name in header]
        missing = [name for name in _COLUMNS if name not in names]
        if missing:
            raise FunnelInputError(
                [
                    (
                        None,
                        "header",
                        f"no {', '.join(missing)} column (its columns: {', '.join(names)})",
                    )
                ]
            )
        wanted = {name: names.index(name) for name in _COLUMNS}
        columns: dict[str, list[str]] = {name: [] for name in _COLUMNS}
        lines: list[int] = []
        for line, row in enumerate(reader, start=2):
            if not any(field.strip() for field in row):
                continue
            if len(row) < len(names):
                raise FunnelInputError(
                    [(None, f"line {line}", f"has {len(row)} fields; the header has {len(names)}")]
                )
            for name, index in wanted.items():
                columns[name].append(row[index])
            lines.append(line)
    columns["_line"] = [str(line) for line in lines]
    return columns


def _where(problems: list[tuple[int | None, str, str]], lines: list[str]) -> str:
    messages = []
    for row, column, message in problems[:5]:
        where = f"line {lines[row]}, column {column}" if row is not None else column
        messages.append(f"{where}: {message}")
    if len(problems) > 5:
        messages.append(f"... and {len(problems) - 5} more")
    return "; ".join(messages)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lines: list[str] = []
    try:
        columns = read_rows(args.input)
        lines = columns["_line"]
        result = funnel(
            columns["numerator"],  # type: ignore[arg-type]  # text is parsed and checked
            columns["denominator"],  # type: ignore[arg-type]
            kind=args.kind,
            groups=columns["group"],
            overdispersion=args.overdispersion,
            trim=args.trim,
        )
    except FunnelInputError as error:
        print(f"qms funnel: {args.input}: {_where(error.problems, lines)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"qms funnel: cannot read {args.input}: {error.strerror}", file=sys.stderr)
        return 2
    except (UnicodeDecodeError, csv.Error):
        print(f"qms funnel: {args.input} is not a UTF-8 CSV file", file=sys.stderr)
        return 2
    document = {
        "target": result.target,
        "tau2": result.tau2,
        "groups": [
            {field: getattr(group, field) for field in _OUTPUT_FIELDS} for group in result.groups
        ],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"qms funnel: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    return 0
