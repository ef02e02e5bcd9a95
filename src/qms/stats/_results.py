"""Frozen, typed results of an analysis: one `Analysis` holding every series, column-wise."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qms.stats.mdc import ASSURANCE_ICONS, POINT_TYPES, VARIATION_ICONS

RULE_SETS = ("mdc", "ptd", "anhoej")
DIRECTIONS = ("increase", "decrease", "neutral")

POINT_FIELDS = (
    "x",
    "y",
    "n",
    "phase",
    "cl",
    "lcl",
    "ucl",
    "lcl_2s",
    "ucl_2s",
    "included",
    "outside",
    "shift",
    "trend",
    "two_of_three",
    "point_type",
)
PHASE_FIELDS = (
    "phase",
    "n_useful",
    "longest_run",
    "longest_run_max",
    "crossings",
    "crossings_min",
    "runs_signal",
    "baseline",
    "trial",
)


_INF = float("inf")


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _scalar(value: Any) -> Any:
    """A JSON-ready Python value: NaN and missing become None."""
    if value is None:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value) if np.isfinite(value) else None
    return value


@dataclass(frozen=True, slots=True)
class PhaseSummary:
    """Anhøj runs analysis of one phase, and where its limits came from.

    `n_useful` is 0 when every point lies on the centre line; then, and for the mr chart
    (where runs analysis does not apply), the other counts are None. `baseline` is the number
    of points the centre line and limits were computed from; `trial` says the phase has fewer
    than the `freeze` asked for, so its limits are trial limits that later points still move.
    """

    phase: int
    n_useful: int | None
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    runs_signal: bool
    baseline: int = 0
    trial: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {name: _scalar(getattr(self, name)) for name in PHASE_FIELDS}


@dataclass(frozen=True, slots=True)
class SeriesResult:
    """One chart: per-point arrays (read-only views into the analysis) and summaries.

    Limits that do not exist (a run chart, a phase too short) are NaN in the arrays and None in
    `to_records()` and `to_dict()`.
    """

    series: Any
    x: np.ndarray
    y: np.ndarray
    n: np.ndarray
    phase: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_2s: np.ndarray
    ucl_2s: np.ndarray
    included: np.ndarray
    outside: np.ndarray
    shift: np.ndarray
    trend: np.ndarray
    two_of_three: np.ndarray
    point_type_code: np.ndarray
    phases: tuple[PhaseSummary, ...]
    variation_icon: str
    assurance_icon: str

    @property
    def point_type(self) -> np.ndarray:
        """The point types as strings (see `POINT_TYPES`)."""
        return np.asarray(POINT_TYPES, dtype=object)[self.point_type_code]

    def __len__(self) -> int:
        return len(self.y)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per plotted point, with the fields of `POINT_FIELDS` plus `series`."""
        columns = {name: getattr(self, name) for name in POINT_FIELDS if name != "point_type"}
        columns["point_type"] = self.point_type_code
        return _records(columns, [self.series] * len(self))

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure of `qms spc` for this series."""
        points = self.to_records()
        for point in points:
            del point["series"]
        return {
            "series": _scalar(self.series),
            "points": points,
            "phases": [phase.to_dict() for phase in self.phases],
            "variation_icon": self.variation_icon,
            "assurance_icon": self.assurance_icon,
        }


@dataclass(frozen=True, slots=True)
class Analysis(Sequence):
    """The result of `analyse`: every series, stored column-wise and sliced on access.

    `analysis[i]` or `analysis["ward 7"]` gives one `SeriesResult`; iterating gives them in the
    order the series first appear in the input. `points` holds the columns for all series at
    once (for vectorised use); `offsets[k]:offsets[k + 1]` are series k's rows in them.
    """

    chart: str
    names: tuple[Any, ...]
    offsets: np.ndarray
    points: dict[str, np.ndarray]
    phase_offsets: np.ndarray
    phase_table: dict[str, np.ndarray]
    variation_codes: np.ndarray
    assurance_codes: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[SeriesResult]:
        for index in range(len(self)):
            yield self._series(index)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, slice):
            return [self._series(i) for i in range(*key.indices(len(self)))]
        if isinstance(key, int | np.integer):
            index = int(key)
            if index < 0:
                index += len(self)
            if not 0 <= index < len(self):
                raise IndexError(f"series index {key} out of range ({len(self)} series)")
            return self._series(index)
        try:
            return self._series(self.names.index(key))
        except ValueError:
            raise KeyError(f"no series named {key!r}") from None

    @property
    def variation_icons(self) -> np.ndarray:
        """The variation icon of every series, as strings."""
        return np.asarray(VARIATION_ICONS, dtype=object)[self.variation_codes]

    @property
    def assurance_icons(self) -> np.ndarray:
        """The assurance icon of every series, as strings."""
        return np.asarray(ASSURANCE_ICONS, dtype=object)[self.assurance_codes]

    def _series(self, index: int) -> SeriesResult:
        start, stop = int(self.offsets[index]), int(self.offsets[index + 1])
        p_start, p_stop = int(self.phase_offsets[index]), int(self.phase_offsets[index + 1])
        table = self.phase_table
        phases = tuple(
            PhaseSummary(
                phase=int(table["phase"][k]),
                n_useful=_count(table["n_useful"][k]),
                longest_run=_count(table["longest_run"][k]),
                longest_run_max=_count(table["longest_run_max"][k]),
                crossings=_count(table["crossings"][k]),
                crossings_min=_count(table["crossings_min"][k]),
                runs_signal=bool(table["runs_signal"][k]),
                baseline=int(table["baseline"][k]),
                trial=bool(table["trial"][k]),
            )
            for k in range(p_start, p_stop)
        )
        columns = {
            name: _frozen(self.points[name][start:stop])
            for name in POINT_FIELDS
            if name != "point_type"
        }
        return SeriesResult(
            series=self.names[index],
            point_type_code=_frozen(self.points["point_type"][start:stop]),
            phases=phases,
            variation_icon=VARIATION_ICONS[self.variation_codes[index]],
            assurance_icon=ASSURANCE_ICONS[self.assurance_codes[index]],
            **columns,
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per plotted point of every series: `series` plus the point fields.

        Examples
        --------
        >>> from qms.stats import analyse
        >>> records = analyse([4, 5, 6, 5], series=["a", "a", "b", "b"], chart="run").to_records()
        >>> [(r["series"], r["y"], r["cl"]) for r in records]
        [('a', 4.0, 4.5), ('a', 5.0, 4.5), ('b', 6.0, 5.5), ('b', 5.0, 5.5)]
        """
        names = np.repeat(np.asarray(self.names, dtype=object), np.diff(self.offsets)).tolist()
        return _records(self.points, names)

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure of `qms spc`: {"series": [...]}.

        Examples
        --------
        >>> from qms.stats import analyse
        >>> document = analyse([3, 4, 3, 5, 4], chart="i").to_dict()
        >>> sorted(document["series"][0])
        ['assurance_icon', 'phases', 'points', 'series', 'variation_icon']
        """
        return {"series": [series.to_dict() for series in self]}

    def to_pandas(self):
        """All points as a pandas DataFrame (pandas must be installed).

        Examples
        --------
        >>> from qms.stats import analyse
        >>> analyse([3, 4, 3, 5, 4], chart="c").to_pandas().shape
        (5, 16)
        """
        import pandas as pd

        return pd.DataFrame(self._columns())

    def to_polars(self):
        """All points as a polars DataFrame (polars must be installed).

        Examples
        --------
        >>> from qms.stats import analyse
        >>> analyse([3, 4, 3, 5, 4], chart="c").to_polars().shape
        (5, 16)
        """
        import polars as pl

        return pl.DataFrame(self._columns())

    def _columns(self) -> dict[str, Any]:
        lengths = np.diff(self.offsets)
        names = np.asarray(self.names, dtype=object)
        columns: dict[str, Any] = {"series": np.repeat(names, lengths)}
        for name in POINT_FIELDS:
            columns[name] = self.points[name]
        columns["point_type"] = np.asarray(POINT_TYPES, dtype=object)[self.points["point_type"]]
        return columns


def _plain(column: np.ndarray) -> list[Any]:
    """A column as Python values, NaN and infinity as None (JSON has neither; far faster than
    converting value by value)."""
    values = column.tolist()
    if column.dtype.kind == "f":
        return [value if -_INF < value < _INF else None for value in values]
    return values


def _records(columns: dict[str, np.ndarray], series: list[Any]) -> list[dict[str, Any]]:
    plain = {name: _plain(columns[name]) for name in POINT_FIELDS}
    plain["point_type"] = [POINT_TYPES[code] for code in plain["point_type"]]
    fields = ("series", *POINT_FIELDS)
    return [
        dict(zip(fields, row, strict=True)) for row in zip(series, *plain.values(), strict=True)
    ]


def _count(value) -> int | None:
    return None if value < 0 else int(value)
