"""Making Data Count icons as pages show them: symbol, words, colour and the ink on it, and the
headings of the summary matrix. The codes, the palette and the chart's words are `qms.stats.mdc`;
this is the one place quality control's pages, reports and huddle boards take them from
(`control/_icons.html` draws an icon)."""

from __future__ import annotations

from dataclasses import dataclass

from qms.stats import mdc


@dataclass(frozen=True)
class Icon:
    """A Making Data Count icon as people read it: a symbol, words, and the MDC colour (with the
    ink that reads on it). The words carry the meaning; colour and symbol only repeat it."""

    code: str
    symbol: str
    words: str
    colour: str
    ink: str


_DARK, _WHITE = "#1d2b36", "#ffffff"  # ink that reads on each colour
_INK = {
    mdc.BLUE: _DARK,
    mdc.ORANGE: _DARK,
    mdc.PURPLE: _WHITE,
    mdc.GREY: _WHITE,
    mdc.NO_ICON: _DARK,
}


def _icons(colours: dict[str, str], *icons: tuple[str, str, str]) -> dict[str, Icon]:
    """Icons by code from (code, symbol, words), each in its Making Data Count colour."""
    return {
        code: Icon(code, symbol, words, colours[code], _INK[colours[code]])
        for code, symbol, words in icons
    }


VARIATION = _icons(
    mdc.VARIATION_COLOURS,
    ("improvement_high", "▲", "Improvement (high)"),
    ("improvement_low", "▼", "Improvement (low)"),
    ("common_cause", "●", "Common cause"),
    ("concern_high", "▲", "Concern (high)"),
    ("concern_low", "▼", "Concern (low)"),
    ("neutral_high", "▲", "Neutral (high)"),
    ("neutral_low", "▼", "Neutral (low)"),
    ("none", "–", "No variation icon"),
)
ASSURANCE = _icons(
    mdc.ASSURANCE_COLOURS,
    ("pass", "✓", "Pass"),
    ("hit_or_miss", "?", "Hit or miss"),
    ("fail", "✗", "Fail"),
    ("none", "–", "No assurance icon"),
)


@dataclass(frozen=True)
class Heading:
    """A row (variation) or column (assurance) of the summary matrix."""

    key: str
    icon: Icon
    title: str
    meaning: str


# The rows of the Making Data Count summary matrix: high and low share a row.
VARIATION_ROWS = (
    Heading(
        "improvement",
        VARIATION["improvement_high"],
        "Special cause improvement",
        "The latest point is part of a signal that things have got better: a point beyond a "
        "control limit, a run of points on the better side of the centre line, a trend in the "
        "better direction, or two of three points near the better limit.",
    ),
    Heading(
        "common_cause",
        VARIATION["common_cause"],
        "Common cause",
        "The latest point is within the usual variation of the process: nothing has changed "
        "that the data can show.",
    ),
    Heading(
        "concern",
        VARIATION["concern_high"],
        "Special cause concern",
        "The latest point is part of a signal that things have got worse. Look at it now.",
    ),
    Heading(
        "neutral",
        VARIATION["neutral_high"],
        "Special cause, neither better nor worse",
        "Something has changed, but the measure has no better direction (for example activity).",
    ),
    Heading(
        "none",
        VARIATION["none"],
        "No variation icon",
        "Not enough data yet for control limits, or a run chart.",
    ),
)
ASSURANCE_COLUMNS = (
    Heading(
        "pass",
        ASSURANCE["pass"],
        "Pass",
        "The target lies outside the control limits on the good side: the process will meet "
        "it consistently if nothing changes.",
    ),
    Heading(
        "hit_or_miss",
        ASSURANCE["hit_or_miss"],
        "Hit or miss",
        "The target lies between the control limits: the process will meet it some of the time "
        "and miss it some of the time, at random.",
    ),
    Heading(
        "fail",
        ASSURANCE["fail"],
        "Fail",
        "The target lies outside the control limits on the wrong side: the process will not "
        "meet it unless it changes.",
    ),
    Heading(
        "none",
        ASSURANCE["none"],
        "No assurance icon",
        "The measure has no target, or not enough data for control limits.",
    ),
)
ROW_OF = {
    "improvement_high": "improvement",
    "improvement_low": "improvement",
    "common_cause": "common_cause",
    "concern_high": "concern",
    "concern_low": "concern",
    "neutral_high": "neutral",
    "neutral_low": "neutral",
}
# The stored variation icons in each row of the matrix (the measure list filters by row).
VARIATION_CODES = {
    row.key: [code for code in VARIATION if ROW_OF.get(code, "none") == row.key]
    for row in VARIATION_ROWS
}
# Measures in these rows and columns need a look first: they get their charts in the PDF.
ATTENTION_ROWS = frozenset({"concern"})
ATTENTION_COLUMNS = frozenset({"fail"})


def variation_icon(code: str | None) -> Icon:
    return VARIATION.get(code or "none", VARIATION["none"])


def assurance_icon(code: str | None) -> Icon:
    return ASSURANCE.get(code or "none", ASSURANCE["none"])
