"""The Making Data Count vocabulary (NHS England): the codes the engine gives points and
icons, the palette, and the words a chart says them with. Defined here once; quality control's
icons (`qms.control.icons`: symbols, labels, ink) build on it.

>>> from qms.stats.mdc import POINT_TYPE_COLOURS, VARIATION_COLOURS
>>> POINT_TYPE_COLOURS["special_cause_concern"] == VARIATION_COLOURS["concern_high"] == ORANGE
True
"""

# Codes ---------------------------------------------------------------------------------------

# Point types, stored as small integer codes by the engine (their index here).
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
# Variation and assurance icons, by the code the engine returns (their index here).
VARIATION_ICONS = (
    "none",
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_ICONS = ("none", "pass", "fail", "hit_or_miss")

# The palette (Making Data Count; also NHSRplotthedots) ---------------------------------------

BLUE = "#289DE0"  # improvement; assurance pass
ORANGE = "#FAB428"  # concern; assurance fail
PURPLE = "#361475"  # special cause, neither better nor worse
GREY = "#7B7D7D"  # common cause; hit or miss
NO_ICON = "#e8edee"  # no icon: not enough data, or no target

POINT_TYPE_COLOURS = {
    "common_cause": GREY,
    "special_cause_improvement": BLUE,
    "special_cause_concern": ORANGE,
    "special_cause_neutral_high": PURPLE,
    "special_cause_neutral_low": PURPLE,
}
VARIATION_COLOURS = {
    "improvement_high": BLUE,
    "improvement_low": BLUE,
    "common_cause": GREY,
    "concern_high": ORANGE,
    "concern_low": ORANGE,
    "neutral_high": PURPLE,
    "neutral_low": PURPLE,
    "none": NO_ICON,
}
ASSURANCE_COLOURS = {"pass": BLUE, "hit_or_miss": GREY, "fail": ORANGE, "none": NO_ICON}

# Words ---------------------------------------------------------------------------------------

# A point's type in a chart's legend and tooltip.
POINT_TYPE_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause – improvement",
    "special_cause_concern": "Special cause – concern",
    "special_cause_neutral_high": "Special cause – neutral (high)",
    "special_cause_neutral_low": "Special cause – neutral (low)",
}
# A special cause point's type inside a sentence ("... above the upper control limit: ...").
POINT_TYPE_PHRASES = {
    "special_cause_improvement": "special cause improvement",
    "special_cause_concern": "special cause concern",
    "special_cause_neutral_high": "special cause variation (high)",
    "special_cause_neutral_low": "special cause variation (low)",
}
# The icons in a chart's description, read by screen readers.
VARIATION_WORDS = {
    "none": "no variation icon (not enough data)",
    "common_cause": "common cause variation",
    "improvement_high": "special cause variation – improvement (high values)",
    "improvement_low": "special cause variation – improvement (low values)",
    "concern_high": "special cause variation – concern (high values)",
    "concern_low": "special cause variation – concern (low values)",
    "neutral_high": "special cause variation – neither improvement nor concern (high values)",
    "neutral_low": "special cause variation – neither improvement nor concern (low values)",
}
ASSURANCE_WORDS = {
    "none": "no assurance icon",
    "pass": "the target will consistently be met (pass)",
    "fail": "the target will consistently be missed (fail)",
    "hit_or_miss": "the target will be hit or missed at random (hit and miss)",
}
