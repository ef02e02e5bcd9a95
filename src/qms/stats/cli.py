"""`qms spc`: control charts from a CSV file, without a database.

    qms spc INPUT.csv --chart CHART [options] -o OUT.json|OUT.csv

See the README for the full contract. Errors name the line of the file and the column.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from qms.stats._engine import analyse
from qms.stats._input import SpcInputError
from qms.stats._results import DIRECTIONS, POINT_FIELDS, RULE_SETS
from qms.stats.charts import CHARTS

_COLUMNS = ("y", "n", "x", "series")


def _positions(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of whole numbers"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qms spc",
        description="Control charts (and run charts) from a CSV file with a y column and "
        "optional n, x and series columns.",
    )
    parser.add_argument("input", type=Path, help="CSV file with a header row")
    parser.add_argument("--chart", required=True, choices=CHARTS)
    parser.add_argument("--freeze", type=int, metavar="K", help="limits from the first K points")
    parser.add_argument("--part", type=_positions, metavar="P1,P2", help="new phases begin here")
    parser.add_argument("--exclude", type=_positions, metavar="E1,E2", help="points left out")
    parser.add_argument("--multiply", type=float, default=1.0, metavar="M")
    parser.add_argument("--screen-mr", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--rules", choices=RULE_SETS, default="mdc")
    parser.add_argument("--direction", choices=DIRECTIONS, default="neutral")
    parser.add_argument("--target", type=float)
    parser.add_argument("--shift-length", type=int, default=7, metavar="L")
    parser.add_argument("--trend-length", type=int, default=7, metavar="L")
    parser.add_argument(
        "-o", "--output", type=Path, help="OUT.json or OUT.csv (default: JSON on stdout)"
    )
    return parser


def read_columns(path: Path) -> dict[str, list[str]]:
    """The y, n, x and series columns of a CSV file, as text; other columns are ignored."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise SpcInputError([(None, "y", f"{path} is empty: it needs a header row")])
        names = [name.strip() for name in header]
        if "y" not in names:
            raise SpcInputError(
                [(None, "y", f"{path} has no y column (its columns: {', '.join(names)})")]
            )
        wanted = {name: names.index(name) for name in _COLUMNS if name in names}
        columns: dict[str, list[str]] = {name: [] for name in wanted}
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) < len(names):
                raise SpcInputError(
                    [
                        (
                            None,
                            "row",
                            f"line {line} has {len(row)} fields; the header has {len(names)}",
                        )
                    ]
                )
            for name, index in wanted.items():
                columns[name].append(row[index])
    return columns


def _line_numbers(error: SpcInputError) -> str:
    """The error's rows as lines of the file (the header is line 1)."""
    messages = []
    for row, column, message in error.problems[:5]:
        where = f"line {row + 2}, column {column}" if row is not None else column
        messages.append(f"{where}: {message}")
    if len(error.problems) > 5:
        messages.append(f"... and {len(error.problems) - 5} more")
    return "; ".join(messages)


def write_csv(analysis, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("series", *POINT_FIELDS))
        for record in analysis.to_records():
            writer.writerow(_csv_value(record[field]) for field in ("series", *POINT_FIELDS))


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        columns = read_columns(args.input)
        x = columns.get("x")
        analysis = analyse(
            [value if value.strip() else None for value in columns["y"]],
            n=None if "n" not in columns else [v if v.strip() else None for v in columns["n"]],
            x=None if x is None else [value.strip() or None for value in x],
            series=columns.get("series"),
            chart=args.chart,
            freeze=args.freeze,
            part=args.part,
            exclude=args.exclude,
            multiply=args.multiply,
            screen_mr=args.screen_mr,
            rules=args.rules,
            direction=args.direction,
            target=args.target,
            shift_length=args.shift_length,
            trend_length=args.trend_length,
        )
    except SpcInputError as error:
        print(f"qms spc: {args.input}: {_line_numbers(error)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"qms spc: cannot read {args.input}: {error.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"qms spc: {args.input} is not a UTF-8 text file", file=sys.stderr)
        return 2
    output = args.output
    if output is not None and output.suffix.lower() == ".csv":
        write_csv(analysis, output)
    elif output is None or output.suffix.lower() == ".json":
        text = json.dumps(analysis.to_dict(), allow_nan=False)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            output.write_text(text, encoding="utf-8")
    else:
        print(f"qms spc: the output must end in .json or .csv, not {output.name}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
