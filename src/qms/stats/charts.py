"""The kinds of chart, and the sets of them that share a rule, named once for every layer.

The engine checks input and draws limits with these; quality control checks values on the way
in and chooses what a page asks for with the same sets.

>>> from qms.stats.charts import NEEDS_DENOMINATOR, PROPORTIONS
>>> sorted(PROPORTIONS), "u" in NEEDS_DENOMINATOR
(['p', 'pp'], True)
"""

CHARTS = ("run", "i", "mr", "xbar", "s", "p", "pp", "u", "up", "c", "g", "t")

# A count over a denominator: a proportion (p, p′) or a rate (u, u′).
NEEDS_DENOMINATOR = frozenset({"p", "pp", "u", "up"})
# A share of the denominator: never above it, and its limits never above one.
PROPORTIONS = frozenset({"p", "pp"})
# Events per unit of exposure (per 1,000 bed days).
RATES = frozenset({"u", "up"})
# Values that count events or cases: never negative.
COUNTED = frozenset({"p", "pp", "u", "up", "c", "g"})
# Counts that are whole numbers as entered (events, or cases between events).
WHOLE_COUNTS = frozenset({"c", "g"})
# Several values a period, each row's x naming its subgroup.
SUBGROUPED = frozenset({"xbar", "s"})
# Days or cases between rare events: a value when an event happens, not every period.
EVENT_CHARTS = frozenset({"g", "t"})
# Charts whose lower limit cannot go below zero.
FLOOR_ZERO = frozenset({"p", "pp", "u", "up", "c", "g", "t", "mr", "s"})
