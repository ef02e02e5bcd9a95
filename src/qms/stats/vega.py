"""Vega-Lite charts of SPC results, in the style of NHS England's Making Data Count.

`chart_spec` turns one `SeriesResult` into a plain, JSON-ready Vega-Lite v5 specification;
`to_svg` and `to_png` render it offline through `vl_convert`, and `vega_embed_bundle` gives the
vega-embed JavaScript bundle shipped inside `vl_convert`, for web pages to serve themselves.

The module is pure: it needs numpy, and imports `vl_convert` only inside the functions that
render.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._results import SeriesResult
from .mdc import ASSURANCE_WORDS, POINT_TYPE_COLOURS, POINT_TYPE_WORDS, POINT_TYPES, VARIATION_WORDS

__all__ = [
    "chart_spec",
    "to_png",
    "to_svg",
    "vega_embed_bundle",
]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

_INK = "#231F20"  # centre line, titles
_MUTED = "#425563"  # NHS dark grey: axis labels, annotations
_LIMIT = "#4D5255"  # control limits
_SIGMA2 = "#8A9399"  # two-sigma lines
_DATA_LINE = "#A6A6A6"  # the line joining the points
_TARGET = "#DE1B1B"  # target line and label
# Markers of records linked to the chart (tests of change): NHS dark green, 7.0:1 on white and
# unlike every point colour, the target and plain annotations.
_MARKER = "#006747"
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"

_CL_DASH: list[float] = []  # solid
_LIMIT_DASH = [6, 4]
_SIGMA2_DASH = [1.5, 3]
_TARGET_DASH = [12, 3, 2, 3]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")


_TRIAL_TEST = {"test": "datum.limits === 'trial'", "value": 0.4}


def chart_spec(
    result: SeriesResult,
    *,
    title: str | None = None,
    y_title: str | None = None,
    show_2s: bool = False,
    target: float | None = None,
    annotations: Iterable[Mapping[str, Any]] = (),
    markers: Iterable[Mapping[str, Any]] = (),
    width: int | str = 600,
    height: int | str = 260,
) -> dict[str, Any]:
    """A Vega-Lite v5 specification of one SPC chart.

    The data are inline, one row per point. The points are joined by a grey line and coloured
    by their point type (Making Data Count palette); points excluded from the calculations are
    drawn hollow. The centre line is solid, the control limits dashed and the optional two-sigma
    lines dotted; each is drawn phase by phase, so a new phase starts a new line, and a line
    breaks where its value is missing (NaN) rather than dropping to zero.

    Parameters
    ----------
    result : SeriesResult
        One analysed series (for example ``analyse(...)[0]``).
    title : str, optional
        The chart title; also the start of the accessible description.
    y_title : str, optional
        The y-axis title.
    show_2s : bool, default False
        Draw the two-sigma lines (dotted).
    target : float, optional
        Draw a target as a horizontal red line (dash-dot) with a label.
    annotations : iterable of mappings, default ()
        Notes on individual points: ``{"position": 5, "text": "New rota"}`` (1-based point
        position) or ``{"x": "2024-03", "text": "New rota"}`` (an x label of the series).
        Each text is written above the plot, with a thin dotted vertical rule down to its
        point.
    markers : iterable of mappings, default ()
        Records marked on points, such as tests of change: ``{"x": "2024-03", "text": "PDSA 1:
        Hourly rounding", "href": "/improvement/cycles/4/"}`` (``position`` or ``x`` as for
        annotations; ``href`` optional). Each is a green triangle at the top of the plot with a
        dotted green rule down to its point; its tooltip is the text and, with an ``href``,
        selecting it opens that address. Markers on the same point stack downwards.
    width, height : int or str, default 600 and 260
        Size of the plotting area in pixels (or ``"container"``).

    Returns
    -------
    dict
        A JSON-serialisable Vega-Lite specification: only Python ``dict``, ``list``, ``str``,
        ``int``, ``float``, ``bool`` and ``None`` (NaN becomes ``None``).

    Raises
    ------
    ValueError
        When an annotation has no text, or names a position or x label the series lacks.

    Notes
    -----
    The x axis is temporal when every x label is an ISO date (``YYYY-MM-DD`` or ``YYYY-MM``),
    ordinal in the given order otherwise, and the 1-based point position when there are no x
    labels (or when labels repeat).

    Examples
    --------
    >>> import json
    >>> import numpy as np
    >>> from qms.stats._results import SeriesResult
    >>> y = np.array([5.0, 6.0, 5.5, 9.5])
    >>> result = SeriesResult(
    ...     series="ward 7", x=np.array(["2024-01", "2024-02", "2024-03", "2024-04"], dtype=object),
    ...     y=y, n=np.full(4, np.nan), phase=np.ones(4, dtype=int),
    ...     cl=np.full(4, 5.5), lcl=np.full(4, 4.0), ucl=np.full(4, 7.0),
    ...     lcl_2s=np.full(4, 4.5), ucl_2s=np.full(4, 6.5), included=np.ones(4, dtype=bool),
    ...     outside=y > 7.0, shift=np.zeros(4, dtype=bool), trend=np.zeros(4, dtype=bool),
    ...     two_of_three=np.zeros(4, dtype=bool), point_type_code=np.array([0, 0, 0, 1]),
    ...     phases=(), variation_icon="improvement_high", assurance_icon="none")
    >>> spec = chart_spec(result, title="Falls per 1,000 bed days", target=8)
    >>> spec["data"]["values"][3]["point_type"]
    'special_cause_improvement'
    >>> [layer["name"] for layer in spec["layer"]]
    ['cl', 'ucl', 'lcl', 'target', 'target_label', 'data_line', 'points']
    >>> spec["layer"][0]["encoding"]["x"]["type"], spec["layer"][0]["encoding"]["detail"]
    ('temporal', {'field': 'phase', 'type': 'nominal'})
    >>> "improvement (high values)" in spec["description"]
    True
    >>> json.loads(json.dumps(spec)) == spec
    True
    """
    count = len(result)
    labels = _labels(result.x, count)
    point_types = [str(t) for t in result.point_type]
    columns = {
        name: _floats(getattr(result, name), count)
        for name in ("y", "n", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s")
    }
    phases = np.asarray(result.phase).astype(int).tolist()
    included = np.asarray(result.included).astype(bool).tolist()
    rows: list[dict[str, Any]] = [
        {
            "position": i + 1,
            "x": labels[i] if labels is not None else None,
            **{name: column[i] for name, column in columns.items()},
            "phase": phases[i],
            "point_type": point_types[i],
            "point_type_label": POINT_TYPE_WORDS.get(point_types[i], point_types[i]),
            "included": included[i],
        }
        for i in range(count)
    ]
    # Phases whose baseline is not complete: their limits still move with each new point.
    trial_phases = {summary.phase for summary in result.phases if summary.trial}
    if trial_phases:
        for row in rows:
            row["limits"] = "trial" if row["phase"] in trial_phases else "held"

    x_encoding = _x_axis(rows, labels, width)
    y_values = [row[key] for row in rows for key in ("y", "cl", "lcl", "ucl")]
    number_format = _number_format(y_values + ([float(target)] if target is not None else []))

    y_encoding: dict[str, Any] = {
        "type": "quantitative",
        "scale": {"zero": False, "nice": True, "padding": 8},
        "axis": {"title": y_title, "grid": True, "tickCount": 6},
    }
    layers: list[dict[str, Any]] = []

    # Centre line, limits and (optionally) two-sigma lines: one layer each, split by phase.
    lines: list[tuple[str, str, str, Any, float]] = [("cl", "Centre line", _INK, _CL_DASH, 1.6)]
    if show_2s:
        lines += [
            ("ucl_2s", "Upper two-sigma line", _SIGMA2, _SIGMA2_DASH, 1.1),
            ("lcl_2s", "Lower two-sigma line", _SIGMA2, _SIGMA2_DASH, 1.1),
        ]
    lines += [
        ("ucl", "Upper control limit", _LIMIT, _LIMIT_DASH, 1.3),
        ("lcl", "Lower control limit", _LIMIT, _LIMIT_DASH, 1.3),
    ]
    for field, name, colour, dash, stroke_width in lines:
        if all(row[field] is None for row in rows):
            continue
        layers.append(
            {
                "name": field,
                "description": name,
                "mark": {
                    "type": "line",
                    "color": colour,
                    "strokeDash": dash,
                    "strokeWidth": stroke_width,
                    "interpolate": "step",
                    "aria": False,
                },
                "encoding": {
                    "x": x_encoding,
                    "y": {"field": field, **y_encoding},
                    "detail": {"field": "phase", "type": "nominal"},
                    "order": {"field": "position", "type": "quantitative"},
                    **(
                        {"opacity": {"condition": _TRIAL_TEST, "value": 1}}
                        if trial_phases and field != "cl"
                        else {}
                    ),
                },
            }
        )

    # The target, beneath the data.
    if target is not None:
        target = float(target)
        target_text = f"Target {_format_number(target, number_format)}"
        layers += [
            {
                "name": "target",
                "data": {"values": [{"target": target}]},
                "mark": {
                    "type": "rule",
                    "color": _TARGET,
                    "strokeDash": _TARGET_DASH,
                    "strokeWidth": 1.4,
                },
                "encoding": {"y": {"field": "target", **y_encoding}},
            },
            {
                "name": "target_label",
                "data": {"values": [{"target": target, "text": target_text}]},
                "mark": {
                    "type": "text",
                    "color": _TARGET,
                    "align": "left",
                    "baseline": "middle",
                    "x": {"expr": "width + 4"},
                    "fontSize": 11,
                    "fontWeight": "bold",
                },
                "encoding": {
                    "y": {"field": "target", **y_encoding},
                    "text": {"field": "text"},
                },
            },
        ]

    # The data line (continuous across phases, broken only by a missing value).
    layers.append(
        {
            "name": "data_line",
            "mark": {
                "type": "line",
                "color": _DATA_LINE,
                "strokeWidth": 1.6,
                "aria": False,
            },
            "encoding": {
                "x": x_encoding,
                "y": {"field": "y", **y_encoding},
                "order": {"field": "position", "type": "quantitative"},
            },
        }
    )

    # Points: filled when included, hollow when excluded; coloured by point type.
    present = [t for t in POINT_TYPES if t in point_types] or ["common_cause"]
    colour_encoding = {
        "field": "point_type",
        "type": "nominal",
        "scale": {"domain": present, "range": [POINT_TYPE_COLOURS[t] for t in present]},
        "legend": {
            "title": None,
            "orient": "bottom",
            "direction": "horizontal",
            "columns": min(len(present), 3),
            "labelExpr": _label_expression(POINT_TYPE_WORDS),
            "symbolType": "circle",
            "symbolStrokeWidth": 0,
            "labelFontSize": 12,
            "columnPadding": 18,
        },
    }
    tooltip = [
        {
            "field": "x" if labels is not None else "position",
            "type": "nominal",
            "title": "Date" if x_encoding["type"] == "temporal" else "Point",
        },
        {"field": "y", "type": "quantitative", "title": "Value", "format": number_format},
    ]
    if any(row["n"] is not None and row["n"] != 1 for row in rows):
        tooltip.append({"field": "n", "type": "quantitative", "title": "n", "format": ",~g"})
    tooltip += [
        {"field": "cl", "type": "quantitative", "title": "Centre line", "format": number_format},
        {"field": "lcl", "type": "quantitative", "title": "Lower limit", "format": number_format},
        {"field": "ucl", "type": "quantitative", "title": "Upper limit", "format": number_format},
        {"field": "point_type_label", "type": "nominal", "title": "Point type"},
    ]
    if trial_phases:
        tooltip.append({"field": "limits", "type": "nominal", "title": "Limits"})
    size = 46 if count <= 60 else 30 if count <= 150 else 16
    for included in (True, False):
        if not any(row["included"] is included for row in rows):
            continue
        layers.append(
            {
                "name": "points" if included else "excluded_points",
                "transform": [{"filter": "datum.included" if included else "!datum.included"}],
                "mark": {
                    "type": "point",
                    "shape": "circle",
                    "filled": included,
                    **({} if included else {"fill": "white"}),
                    "opacity": 1,
                    "size": size,
                    "strokeWidth": 0 if included else 1.8,
                    "tooltip": True,
                },
                "encoding": {
                    "x": x_encoding,
                    "y": {"field": "y", **y_encoding},
                    "color": colour_encoding,
                    "tooltip": tooltip,
                },
            }
        )

    notes = _annotations(annotations, rows, labels)
    if notes:
        # A dotted guide from the top of the plot down to the point, the text above the plot.
        layers += [
            {
                "name": "annotation_rules",
                "data": {"values": notes},
                "mark": {
                    "type": "rule",
                    "color": _MUTED,
                    "strokeWidth": 1,
                    "strokeDash": [2, 2],
                    "yOffset": -8,
                },
                "encoding": {
                    "x": x_encoding,
                    "y": {"field": "y", **y_encoding},
                    "y2": {"value": 0},
                },
            },
            {
                "name": "annotations",
                "data": {"values": notes},
                "mark": {
                    "type": "text",
                    "color": _MUTED,
                    "baseline": "bottom",
                    "y": -4,
                    "fontSize": 11,
                    "fontStyle": "italic",
                },
                "encoding": {
                    "x": x_encoding,
                    "text": {"field": "text"},
                },
            },
        ]

    marks = _markers(markers, rows, labels)
    if marks:
        layers += [
            {
                "name": "marker_rules",
                "data": {"values": marks},
                "mark": {
                    "type": "rule",
                    "color": _MARKER,
                    "strokeWidth": 1.2,
                    "strokeDash": [3, 3],
                    "aria": False,
                },
                "encoding": {
                    "x": x_encoding,
                    "y": {"field": "y", **y_encoding},
                    "y2": {"value": 6},
                },
            },
            {
                "name": "markers",
                "data": {"values": marks},
                "mark": {
                    "type": "point",
                    "shape": "triangle-down",
                    "filled": True,
                    "color": _MARKER,
                    "opacity": 1,
                    "size": 90,
                    "strokeWidth": 0,
                    "cursor": "pointer",
                    "tooltip": True,
                },
                "encoding": {
                    "x": x_encoding,
                    # Pixels from the top of the plot (no scale): stacked when they share a point.
                    "y": {"field": "top", "type": "quantitative", "scale": None},
                    "tooltip": [
                        {"field": "label", "type": "nominal", "title": "Date"},
                        {"field": "text", "type": "nominal", "title": "Marked"},
                    ],
                    "description": {"field": "description", "type": "nominal"},
                    **(
                        {"href": {"field": "href", "type": "nominal"}}
                        if any(m.get("href") for m in marks)
                        else {}
                    ),
                },
            },
        ]

    title_block: dict[str, Any] | None = None
    notes_below_title = []
    if marks:
        notes_below_title.append(
            "Green triangles mark tests of change; select one to open it."
            if any(m.get("href") for m in marks)
            else "Green triangles mark tests of change."
        )
    if any(not row["included"] for row in rows):
        notes_below_title.append("Hollow points are excluded from the calculations.")
    if trial_phases:
        notes_below_title.append(
            "Faint limits are trial limits: the baseline is not complete, so they move with "
            "each new point."
        )
    # One line is a string, more a list (one line each).
    subtitle = notes_below_title[0] if len(notes_below_title) == 1 else notes_below_title or None
    if title or subtitle:
        title_block = {"text": title or "", "anchor": "start", "offset": 12}
        if subtitle:
            title_block["subtitle"] = subtitle

    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": _description(result, rows, title, target, number_format),
        "width": width,
        "height": height,
        "padding": {"left": 6, "right": 12, "top": 8, "bottom": 6},
        "data": {"values": rows},
        "layer": layers,
        "config": _config(),
    }
    if title_block is not None:
        spec["title"] = title_block
    return spec


def to_svg(spec: Mapping[str, Any]) -> str:
    """Render a Vega-Lite specification to an SVG document, offline.

    Parameters
    ----------
    spec : mapping
        A Vega-Lite specification, such as one from `chart_spec`.

    Returns
    -------
    str
        The SVG markup.

    Examples
    --------
    >>> svg = to_svg({"mark": "point", "data": {"values": [{"a": 1}]},
    ...               "encoding": {"x": {"field": "a", "type": "quantitative"}}})
    >>> svg.lstrip().startswith("<svg")
    True
    """
    import vl_convert

    return vl_convert.vegalite_to_svg(dict(spec), **_render_options())


def to_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    """Render a Vega-Lite specification to a PNG image, offline.

    Parameters
    ----------
    spec : mapping
        A Vega-Lite specification, such as one from `chart_spec`.
    scale : float, default 2
        Pixel density: 2 gives an image twice the specification's size, sharp on high-density
        screens and in print.

    Returns
    -------
    bytes
        The PNG file's bytes.

    Examples
    --------
    >>> png = to_png({"mark": "point", "data": {"values": [{"a": 1}]},
    ...               "encoding": {"x": {"field": "a", "type": "quantitative"}}}, scale=1)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    import vl_convert

    return vl_convert.vegalite_to_png(dict(spec), scale=float(scale), **_render_options())


@functools.lru_cache(maxsize=1)
def vega_embed_bundle() -> str:
    """The vega-embed JavaScript bundle (with Vega and Vega-Lite) shipped inside `vl_convert`.

    The bundle defines ``vegaEmbed``, ``vegaLite`` and ``vega`` on ``window``; web pages serve it
    themselves, so charts need no network access. Built once per process (about two seconds),
    then cached.

    Returns
    -------
    str
        The JavaScript source, for a ``<script>`` tag.

    Examples
    --------
    >>> bundle = vega_embed_bundle()
    >>> "vegaEmbed" in bundle
    True
    """
    import vl_convert

    version = _vegalite_version()
    if version is None:
        return vl_convert.javascript_bundle()  # type: ignore[call-arg]  # the stub omits the default
    return vl_convert.javascript_bundle(vl_version=version)  # type: ignore[call-arg]


# ---------------------------------------------------------------------------------------------
# Helpers


@functools.lru_cache(maxsize=1)
def _vegalite_version() -> str | None:
    """The newest Vega-Lite 5 that vl_convert ships (the specs are v5), or None for its default."""
    import vl_convert

    fives = [v for v in vl_convert.get_vegalite_versions() if v.startswith("5.")]
    if not fives:
        return None
    return max(fives, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))


def _render_options() -> dict[str, Any]:
    options: dict[str, Any] = {"allowed_base_urls": []}  # inline data only: never the network
    version = _vegalite_version()
    if version is not None:
        options["vl_version"] = version
    return options


def _label(value: Any) -> str | None:
    """An x value as a string label; None when missing."""
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        labels = _labels(np.asarray([value]), 1)
        return labels[0] if labels else None
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return str(bool(value))
    if isinstance(value, np.integer | int):
        return str(int(value))
    if isinstance(value, np.floating | float):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value)
    return text if text.strip() else None


def _floats(values: Any, count: int) -> list[float | None]:
    """A column as Python floats, NaN and infinity as None (all None when absent)."""
    array = np.asarray(values, dtype=float).ravel() if values is not None else np.empty(0)
    if len(array) != count:
        return [None] * count
    finite = np.isfinite(array)
    return [v if ok else None for v, ok in zip(array.tolist(), finite.tolist(), strict=True)]


def _labels(x: Any, count: int) -> list[str] | None:
    """The x labels, or None when the series has none (then the position is used)."""
    if x is None or count == 0:
        return None
    array = np.asarray(x)
    if array.ndim != 1 or len(array) != count:
        return None
    if array.dtype.kind == "M":  # numpy datetimes: days when every value is a midnight
        if np.isnat(array).any():
            return None
        days = array.astype("datetime64[D]")
        unit = "D" if (days == array).all() else "s"
        return [str(v) for v in np.datetime_as_string(array, unit=unit)]  # type: ignore[call-overload]
    labels = [_label(v) for v in array.astype(object).tolist()]
    if any(label is None for label in labels):
        return None
    return labels  # type: ignore[return-value]


def _iso_date(label: str) -> _dt.date | None:
    try:
        if _ISO_DAY.match(label):
            return _dt.date.fromisoformat(label)
        if _ISO_MONTH.match(label):
            return _dt.date.fromisoformat(label + "-01")
    except ValueError:
        return None
    return None


def _epoch_ms(day: _dt.date) -> int:
    return (day - _dt.date(1970, 1, 1)).days * 86_400_000


def _x_axis(
    rows: list[dict[str, Any]], labels: list[str] | None, width: int | str
) -> dict[str, Any]:
    """The shared x encoding; adds a `date` column (epoch milliseconds, UTC) when temporal."""
    axis: dict[str, Any] = {"title": None, "grid": False, "labelOverlap": "greedy"}
    if labels is not None:
        dates = [_iso_date(label) for label in labels]
        if all(d is not None for d in dates):
            for row, day in zip(rows, dates, strict=True):
                row["date"] = _epoch_ms(day)  # type: ignore[arg-type]
            # Months written as 2025-03, or as their first days (how periods are stored).
            monthly = all(_ISO_MONTH.match(label) for label in labels) or all(
                day is not None and day.day == 1 for day in dates
            )
            years = {day.year for day in dates}  # type: ignore[union-attr]
            if monthly:
                axis["format"] = "%b %Y"
                label_width = 60
            elif len(years) == 1:
                axis["format"] = "%-d %b"
                axis["title"] = str(years.pop())
                label_width = 46
            else:
                axis["format"] = "%-d %b %Y"
                label_width = 76
            # Ticks on the points' own dates (every k-th), not on calendar boundaries.
            room = width if isinstance(width, int | float) else 600
            most = max(2, int(room // (label_width + 14)))
            ticks = sorted({row["date"] for row in rows})
            step = max(1, math.ceil(len(ticks) / most))
            axis["values"] = ticks[::step]
            axis["labelAngle"] = 0
            return {
                "field": "date",
                "type": "temporal",
                "scale": {"type": "utc", "padding": 12},
                "axis": axis,
            }
        if len(set(labels)) == len(labels):
            longest = max(len(label) for label in labels)
            room = width if isinstance(width, int | float) else 600
            fits = longest <= 10 or longest * 7 * len(labels) <= room
            axis["labelAngle"] = 0 if fits else -45
            axis["labelLimit"] = 120
            return {
                "field": "x",
                "type": "ordinal",
                "sort": None,
                "scale": {"domain": list(labels)},
                "axis": axis,
            }
    axis["title"] = "Point"
    axis["labelAngle"] = 0
    return {
        "field": "position",
        "type": "quantitative",
        "scale": {"nice": False, "padding": 12},
        "axis": {**axis, "tickMinStep": 1, "format": "d"},
    }


def _number_format(values: Iterable[float | None]) -> str:
    """A d3 format showing about three significant figures of the typical value."""
    magnitudes = [abs(v) for v in values if v is not None and v != 0 and math.isfinite(v)]
    if not magnitudes:
        return ",.2~f"
    typical = float(np.median(magnitudes))
    if not math.isfinite(typical):  # the middle of two huge values
        return ",.0f"
    decimals = min(6, max(0, 2 - math.floor(math.log10(typical))))
    return f",.{decimals}~f"


def _format_number(value: float, number_format: str) -> str:
    """Python's rendering of a `_number_format` string (",.Nf" with trailing zeros trimmed)."""
    decimals = int(re.search(r"\.(\d+)", number_format).group(1))  # type: ignore[union-attr]
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _label_expression(words: Mapping[str, str]) -> str:
    """A Vega expression turning a legend's code label into words."""
    expression = "datum.label"
    for code, text in reversed(list(words.items())):
        expression = f"datum.label === {_js_string(code)} ? {_js_string(text)} : ({expression})"
    return expression


def _js_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _annotations(
    annotations: Iterable[Mapping[str, Any]],
    rows: list[dict[str, Any]],
    labels: list[str] | None,
) -> list[dict[str, Any]]:
    """Rows for the annotation layers: the annotated point's x fields, a height and the text."""
    notes = []
    known = [row[key] for row in rows for key in ("y", "ucl", "cl") if row[key] is not None]
    top = max(known) if known else 0.0
    for note in annotations:
        text = note.get("text")
        if not text:
            raise ValueError(f"annotation {dict(note)!r} has no text")
        if note.get("position") is not None:
            position = int(note["position"])
            if not 1 <= position <= len(rows):
                raise ValueError(
                    f"annotation position {position} is outside the series (1..{len(rows)})"
                )
        elif note.get("x") is not None:
            label = _label(note["x"])
            if labels is None or label not in labels:
                raise ValueError(f"annotation x {note['x']!r} is not an x label of the series")
            position = labels.index(label) + 1
        else:
            raise ValueError(f"annotation {dict(note)!r} needs a 'position' or an 'x'")
        row = rows[position - 1]
        height = row["y"] if row["y"] is not None else row["cl"] if row["cl"] is not None else top
        notes.append(
            {
                "position": position,
                "x": row["x"],
                **({"date": row["date"]} if "date" in row else {}),
                "y": height,
                "text": str(text),
            }
        )
    return notes


def _markers(
    markers: Iterable[Mapping[str, Any]],
    rows: list[dict[str, Any]],
    labels: list[str] | None,
) -> list[dict[str, Any]]:
    """Rows for the marker layers: the point's x fields and value, the marker's height in
    pixels from the top of the plot (stacked when several mark one point), its text, address
    and words for screen readers."""
    located = _annotations(
        [{k: v for k, v in marker.items() if k in ("position", "x", "text")} for marker in markers],
        rows,
        labels,
    )
    given = list(markers)
    stacked: dict[int, int] = {}
    marks = []
    for marker, note in zip(given, located, strict=True):
        level = stacked.get(note["position"], 0)
        stacked[note["position"]] = level + 1
        row = rows[note["position"] - 1]
        label = row["x"] if row["x"] is not None else f"point {note['position']}"
        href = marker.get("href") or None
        marks.append(
            {
                **note,
                "top": 6 + 12 * level,
                "label": label,
                "description": f"Marker at {label}: {note['text']}" + (" (a link)" if href else ""),
                **({"href": str(href)} if href else {}),
            }
        )
    return marks


def _description(
    result: SeriesResult,
    rows: list[dict[str, Any]],
    title: str | None,
    target: float | None,
    number_format: str,
) -> str:
    """A sentence or three for screen readers (vega-embed uses it as the chart's aria label)."""
    phases = len({row["phase"] for row in rows})
    parts = [f"{title}. " if title else ""]
    parts.append(
        f"Statistical process control chart of {len(rows)} point{'s' if len(rows) != 1 else ''}"
        + (f" in {phases} phases" if phases > 1 else "")
        + "."
    )
    last = next((row for row in reversed(rows) if row["y"] is not None), None)
    if last is not None:
        when = f" ({last['x']})" if last["x"] is not None else f" (point {last['position']})"
        parts.append(f" Last value {_format_number(last['y'], number_format)}{when}.")
    if target is not None:
        parts.append(f" Target {_format_number(float(target), number_format)}.")
    variation = VARIATION_WORDS.get(result.variation_icon, result.variation_icon)
    assurance = ASSURANCE_WORDS.get(result.assurance_icon, result.assurance_icon)
    parts.append(f" Variation: {variation}. Assurance: {assurance}.")
    if rows and rows[-1].get("limits") == "trial":
        parts.append(" The latest limits are trial limits: the baseline is not complete.")
    return "".join(parts)


def _config() -> dict[str, Any]:
    return {
        "font": _FONT,
        "view": {"stroke": None},
        "background": "white",
        "title": {
            "fontSize": 15,
            "fontWeight": "bold",
            "color": _INK,
            "subtitleFontSize": 11,
            "subtitleColor": _MUTED,
            "subtitleFontStyle": "italic",
        },
        "axis": {
            "labelColor": _MUTED,
            "titleColor": _INK,
            "labelFontSize": 11,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
            "domainColor": "#AEB7BD",
            "tickColor": "#AEB7BD",
            "gridColor": "#E8EDEE",
            "gridWidth": 1,
        },
        "legend": {"labelColor": _INK, "symbolSize": 70},
        "line": {"strokeCap": "butt"},
    }
