"""Charts as pages send them: the Vega-Lite specification of `qms.stats.vega.chart_spec`, made
small enough to send inline.

`chart_spec` writes one row per point with every field, which for a daily measure (730 points)
is about 240 KB of repeated keys, labels and 17-digit numbers. `compact_spec` sends the same
chart with

* only the fields something in the specification reads (an encoding, a tooltip, a filter),
  plus `trial`, which marks trial limits;
* each field once, as a column: a `flatten` transform turns the columns back into rows;
  a field with one value a phase (the centre line and limits of most charts) once a phase,
  brought back by a `lookup` on the phase;
* fields that follow from others (the ISO label from the date, the words of a point type, the
  point's position) worked out in the browser by `calculate` and `window` transforms;
* repeated words (point types) as small numbers with their dictionary, yes/no as 1/0, dates as
  days;
* values rounded to the decimals the tooltip shows, so what is plotted is what is read.

The chart drawn is the same: `tests/control/test_charts.py` renders both specifications and
compares them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DAY_MS = 86_400_000
# Always sent when the points have them: trial limits are drawn and explained from it.
KEEP = frozenset({"trial"})
# Numbers shown with the value's format in the tooltip: rounded to its decimals.
VALUE_FIELDS = ("y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s")
_DATUM_FIELD = re.compile(r"datum\.([A-Za-z_]\w*)|datum\[['\"]([^'\"]+)['\"]\]")
_DECIMALS = re.compile(r"\.(\d+)~?f$")


def compact_spec(spec: dict[str, Any], *, rounded: bool = True) -> dict[str, Any]:
    """The same chart as `spec` (a `chart_spec` result), its data sent once, by column.

    Returns a new specification; `spec` is left as it was. A specification without inline row
    data is returned unchanged. `rounded=False` keeps every digit (tests compare drawings).
    """
    data = spec.get("data")
    rows = data.get("values") if isinstance(data, dict) else None
    if not rows or not isinstance(rows, list) or not isinstance(rows[0], dict):
        return spec
    body = {key: value for key, value in spec.items() if key != "data"}
    used = _fields_read(body) | (KEEP & rows[0].keys())
    fields = [name for name in rows[0] if name in used]
    columns = {name: [row.get(name) for row in rows] for name in fields}

    calculated: list[dict[str, Any]] = []
    decimals = _value_decimals(body)
    if rounded and decimals is not None:
        for name in VALUE_FIELDS:
            if name in columns:
                columns[name] = [_rounded(value, decimals) for value in columns[name]]
    if "position" in columns and columns["position"] == list(range(1, len(rows) + 1)):
        del columns["position"]
        calculated.append({"window": [{"op": "row_number", "as": "position"}]})
    if "date" in columns and all(_whole_days(value) for value in columns["date"]):
        days = [value // DAY_MS for value in columns.pop("date")]
        columns["date_days"] = days
        calculated.append({"calculate": f"datum.date_days * {DAY_MS}", "as": "date"})
        if "x" in columns and columns["x"] == [_iso_day(day) for day in days]:
            del columns["x"]
            calculated.append({"calculate": "utcFormat(datum.date, '%Y-%m-%d')", "as": "x"})
    if "point_type_label" in columns and "point_type" in rows[0]:
        words = _mapping(rows, "point_type", "point_type_label")
        if words is not None:
            del columns["point_type_label"]
            codes = columns.get("point_type") or [row["point_type"] for row in rows]
            columns["point_type"] = codes
            calculated.append(
                {"calculate": _lookup("datum.point_type", words), "as": "point_type_label"}
            )
    by_phase = _per_phase(columns)
    for name in list(columns):
        values = columns[name]
        if all(isinstance(value, bool) for value in values):
            columns[f"{name}_01"] = [int(value) for value in columns.pop(name)]
            calculated.append({"calculate": f"datum.{name}_01 === 1", "as": name})
        elif all(isinstance(value, str) for value in values) and len(set(values)) <= 16:
            dictionary = sorted(set(values))
            index = {word: k for k, word in enumerate(dictionary)}
            columns[f"{name}_code"] = [index[value] for value in columns.pop(name)]
            calculated.insert(
                0, {"calculate": f"{json.dumps(dictionary)}[datum.{name}_code]", "as": name}
            )

    compact = dict(spec)
    compact["data"] = {"values": [columns]}
    unpack = [{"flatten": list(columns)}]
    if by_phase:
        fields = [name for name in by_phase[0] if name != "phase"]
        unpack.append(
            {"lookup": "phase", "from": {"data": {"values": by_phase}, "key": "phase",
                                         "fields": fields}}
        )  # fmt: skip
    unpack += _ordered(calculated)
    compact["layer"] = [
        layer if "data" in layer else {**layer, "transform": unpack + layer.get("transform", [])}
        for layer in spec.get("layer", [])
    ]
    return compact


def spec_json(spec: dict[str, Any]) -> str:
    """JSON without spaces (`json_script` would add one after every comma), safe inside a
    `<script type="application/json">` element as `json_script` makes it: <, > and & escaped."""
    text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES)


_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# Helpers -------------------------------------------------------------------------------------


def _per_phase(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Columns that hold one value a phase (the centre line and limits of most charts, trial
    or held), taken out of `columns` and returned as one row a phase, for a lookup by phase."""
    phases = columns.get("phase")
    if not phases or len(set(phases)) * 4 > len(phases):
        return []
    order = list(dict.fromkeys(phases))
    table: dict[Any, dict[str, Any]] = {phase: {"phase": phase} for phase in order}
    for name in [name for name in columns if name != "phase"]:
        values: dict[Any, Any] = {}
        if all(values.setdefault(p, v) == v for p, v in zip(phases, columns[name], strict=True)):
            for phase, value in values.items():
                table[phase][name] = value
            del columns[name]
    rows = list(table.values())
    return rows if len(rows[0]) > 1 else []


def _fields_read(node: Any) -> set[str]:
    """Every data field a specification reads: `field` of encodings and tooltips, and
    `datum.NAME` in expressions (filters, calculations, label expressions)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "field" and isinstance(value, str):
                found.add(value)
            elif key == "data":
                continue  # a layer's own data (the target, annotations) is not the points'
            else:
                found |= _fields_read(value)
    elif isinstance(node, list):
        for item in node:
            found |= _fields_read(item)
    elif isinstance(node, str) and "datum" in node:
        for dotted, quoted in _DATUM_FIELD.findall(node):
            found.add(dotted or quoted)
    return found


def _value_decimals(body: dict[str, Any]) -> int | None:
    """The decimals of the value's tooltip format (",.1~f" gives 1), or None."""
    for layer in body.get("layer", []):
        for item in layer.get("encoding", {}).get("tooltip", []) or []:
            if isinstance(item, dict) and item.get("field") == "y":
                match = _DECIMALS.search(str(item.get("format", "")))
                if match:
                    return int(match.group(1))
    return None


def _rounded(value: Any, decimals: int) -> Any:
    """The value to `decimals` places, a half rounded away from zero as the browser's toFixed
    (and so the tooltip's d3 format) does, so the tooltip reads as it did unrounded."""
    if not isinstance(value, float):
        return value
    number = float(Decimal(value).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP))
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _whole_days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value % DAY_MS == 0


def _iso_day(days: int) -> str:
    import datetime as dt

    return (dt.date(1970, 1, 1) + dt.timedelta(days=days)).isoformat()


def _mapping(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, Any] | None:
    """`value` as a function of `key` over the rows, or None when it is not one."""
    mapping: dict[str, Any] = {}
    for row in rows:
        if mapping.setdefault(row[key], row[value]) != row[value]:
            return None
    return mapping


def _lookup(expression: str, mapping: dict[str, Any]) -> str:
    """A Vega expression giving mapping[expression]."""
    return f"{json.dumps(mapping, ensure_ascii=False)}[{expression}]"


def _ordered(steps: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decoding first (dictionary codes, yes/no), then what is worked out from the decoded
    fields, then the row numbers."""
    steps = list(steps)

    def rank(step: dict[str, Any]) -> int:
        if "window" in step:
            return 3
        target = step.get("as", "")
        return 2 if target in ("point_type_label", "x") else 1

    return sorted(steps, key=rank)
