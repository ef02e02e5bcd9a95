"""Turning what the caller gives into clean numpy columns, or a clear message naming the row."""

from __future__ import annotations

from typing import Any

import numpy as np

_MAX_LISTED = 5


class SpcInputError(ValueError):
    """Input that cannot be analysed. `problems` lists (row, column, message): row is the 0-based
    input row (None for a problem with the whole input or an option); str() counts rows from 1."""

    def __init__(self, problems: list[tuple[int | None, str, str]]):
        self.problems = problems
        lines = [_describe(row, column, message) for row, column, message in problems]
        if len(lines) > _MAX_LISTED:
            lines = [*lines[:_MAX_LISTED], f"... and {len(lines) - _MAX_LISTED} more"]
        super().__init__("; ".join(lines))


def _describe(row: int | None, column: str, message: str) -> str:
    if row is None:
        return f"{column}: {message}"
    return f"row {row + 1}, column {column}: {message}"


def problem(column: str, message: str, row: int | None = None) -> SpcInputError:
    return SpcInputError([(row, column, message)])


def as_array(values: Any) -> np.ndarray:
    """A numpy array from a sequence, an array, or a pandas or polars column."""
    if hasattr(values, "to_numpy"):  # pandas and polars Series
        values = values.to_numpy()
    array = np.asarray(values)
    if array.ndim != 1:
        array = array.reshape(-1) if array.ndim == 0 else array
        if array.ndim != 1:
            raise problem("input", f"columns must be one-dimensional, not shape {array.shape}")
    return array


def numeric_column(values: Any, column: str) -> np.ndarray:
    """Float64 values; None and NaN mean missing; anything else non-numeric is an error."""
    array = as_array(values)
    if array.dtype.kind in "fiub":
        return array.astype(np.float64, copy=False)
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError):
        pass
    bad: list[tuple[int | None, str, str]] = []
    for row, value in enumerate(array.tolist()):
        if value is None:
            continue
        if isinstance(value, str) and value.strip() == "":
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            bad.append((row, column, f"{value!r} is not a number"))
    if not bad:  # only blanks and None: treat them as missing
        return np.array(
            [
                np.nan if v is None or (isinstance(v, str) and not v.strip()) else float(v)
                for v in array.tolist()
            ],
            dtype=np.float64,
        )
    raise SpcInputError(bad)


def first_rows(mask: np.ndarray, column: str, message: str) -> SpcInputError:
    rows = np.flatnonzero(mask)
    return SpcInputError([(int(row), column, message) for row in rows])


def factorise(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes for labels, numbered in order of first appearance, and the labels.

    Grouped input (each series in one block, the usual long table) is recognised in one pass;
    only interleaved input pays for a sort.
    """
    size = len(labels)
    if size == 0:
        return np.zeros(0, dtype=np.int64), labels[:0]
    change = np.empty(size, dtype=bool)
    change[0] = True
    np.not_equal(labels[1:], labels[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    block_labels = labels[starts]
    if len(_unique(block_labels)) == len(starts):
        return np.cumsum(change) - 1, block_labels
    _, first_index, inverse = _unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first_index, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse.reshape(-1)], labels[first_index[order]]


def _unique(values: np.ndarray, **kwargs):
    if values.dtype == object:
        # Mixed or string labels: compare as strings so sorting never meets None against str.
        values = values.astype(str)
    return np.unique(values, **kwargs)
