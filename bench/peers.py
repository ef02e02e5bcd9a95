"""Peer SPC libraries for bench/spc.py, each doing our engine's per-series workload through its
public API, called the way its README and docstrings show.

Our engine's workload for every series: an individuals (XmR) chart; the Making Data Count rules
(a point outside the limits, a shift of 7, a trend of 7, two of three beyond 2 sigma); the Anhøj
runs analysis; the variation and assurance icons. Each adapter takes `values` of shape
(n_series, n_points) and charts every row as a separate series, one library call (or two) a row.

pycontrolcharts (`pip install pycontrolcharts`): one `calc_xmr(row, run_tests=...)` a row, with
    Nelson tests 1, 2, 3 and 5 set to the MDC rules: beyond the limits, 7 on one side, a trend
    (test3_n counts rises, so 6 is 7 points, though a trend from a series' first point can flag
    at 6) and 2 of 3 beyond 2 sigma; test 6 (4 of 5 beyond 1 sigma) off.
    Lacks: the Anhøj runs analysis and the icons. Does more: runs the same tests on the moving
    range chart too (not separable) and returns a DataFrame of per-point dicts.
qikit (`pip install clinical-qikit`): two `qic(y=row, chart="i", method=...)` a row, each
    computing the limits and the points beyond them. method="anhoej" gives the Anhøj runs
    analysis; method="ihi" is its closest to the MDC rules: a shift of 8 and a trend of 6 (no way
    to set 7). Lacks: two of three beyond 2 sigma (only bundled into "weco" and "nelson" with
    other rules) and the icons. Its limits screen moving ranges above 3.267 x their mean, as our
    engine does only with screen_mr=True.

Neither peer has a direction of improvement (so no improvement or concern point types) or a
target to assure against (qikit's target= only draws a line).

`PEERS` lists only the peers that import; nothing here needs them installed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import numpy as np


def _pycontrolcharts(values: np.ndarray) -> None:
    from pycontrolcharts import RunTestConfig, calc_xmr

    # MDC rules as Nelson tests 1, 2, 3, 5. Missing: Anhøj runs analysis, icons (no such API).
    mdc = RunTestConfig(test2_n=7, test3_n=6, test6=False)
    for row in values.tolist():  # calc_xmr takes a list, Series or DataFrame, not an ndarray
        calc_xmr(row, run_tests=mdc)


def _qikit(values: np.ndarray) -> None:
    from qikit import qic

    # No MDC rule set: "ihi" is the nearest (shift 8, trend 6). Missing: 2 of 3 beyond 2 sigma,
    # icons. Two calls, as one qic() runs one method.
    for row in values:
        qic(y=row, chart="i", method="anhoej")
        qic(y=row, chart="i", method="ihi")


_ADAPTERS = {  # name: (module to import, adapter)
    "pycontrolcharts": ("pycontrolcharts", _pycontrolcharts),
    "qikit": ("qikit", _qikit),
}


def available_peers() -> dict[str, Callable[[np.ndarray], None]]:
    """The adapters whose library imports here."""
    peers = {}
    for name, (module, adapter) in _ADAPTERS.items():
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        peers[name] = adapter
    return peers


PEERS: dict[str, Callable[[np.ndarray], None]] = available_peers()
