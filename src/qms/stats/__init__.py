"""Statistical process control for health care: every common chart, the Making Data Count and
Anhøj rules, for one series or thousands at once. Pure numpy and scipy; no Django.

>>> from qms.stats import analyse
>>> analyse([3, 4, 3, 5, 4], chart="run")[0].cl[0]
np.float64(4.0)
"""

from qms.stats._engine import analyse
from qms.stats._input import SpcInputError
from qms.stats._results import (
    DIRECTIONS,
    PHASE_FIELDS,
    POINT_FIELDS,
    RULE_SETS,
    Analysis,
    PhaseSummary,
    SeriesResult,
)
from qms.stats._rules import assurance_icon
from qms.stats.charts import CHARTS
from qms.stats.mdc import ASSURANCE_ICONS, POINT_TYPES, VARIATION_ICONS
from qms.stats.vega import chart_spec, to_png, to_svg

__all__ = [
    "ASSURANCE_ICONS",
    "CHARTS",
    "DIRECTIONS",
    "PHASE_FIELDS",
    "POINT_FIELDS",
    "POINT_TYPES",
    "RULE_SETS",
    "VARIATION_ICONS",
    "Analysis",
    "PhaseSummary",
    "SeriesResult",
    "SpcInputError",
    "analyse",
    "assurance_icon",
    "chart_spec",
    "to_png",
    "to_svg",
]
