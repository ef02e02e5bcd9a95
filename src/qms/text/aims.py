"""A check of an improvement aim: does it say how much, and by when? (pure; no Django)

The Model for Improvement asks of an aim "what are we trying to accomplish?", answered with a
measurable target and a date (Langley et al., *The Improvement Guide*, 2009): "Reduce falls with
harm on Ward 3 by 30% by 31 March 2027". `aim_problems` says what such a statement lacks, as
messages a page shows as a prompt (never a refusal: a team may save an aim it will sharpen).

>>> aim_problems("Reduce falls with harm on Ward 3 by 30% by 31 March 2027")
[]
>>> aim_problems("Improve hand hygiene")  # doctest: +NORMALIZE_WHITESPACE
['The aim has no measurable target: say how much, e.g. “by 30%”, “from 12 to 6 a month” or
  “to zero”.', 'The aim has no date: say by when, e.g. “by 31 March 2027” or “within 6
  months”.']

Patterns are bounded (`\\s{1,3}`, fixed alternations) so the check stays linear in the text's
length, like the rest of `qms.text`.
"""

from __future__ import annotations

import re

__all__ = ["NO_DATE", "NO_TARGET", "aim_problems", "has_date", "has_target"]

NO_TARGET = (
    "The aim has no measurable target: say how much, e.g. “by 30%”, “from 12 to 6 a month” "
    "or “to zero”."
)
NO_DATE = "The aim has no date: say by when, e.g. “by 31 March 2027” or “within 6 months”."
EMPTY = "The aim is empty: say what will improve, by how much and by when."

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19|20)\d\d"
_NUMBER = r"\d+(?:[.,]\d+)?"
_WORD_NUMBERS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)
_PERIODS = r"(?:days?|weeks?|months?|quarters?|years?)"

# A date: "by March 2027", "by 31/03/2027", "by 2027-03-31", "within 6 months", "by the end
# of 2027", "in the next year", "by Q2 2027", "by spring 2027", "before 1 April 2027".
_DATE = re.compile(
    r"|".join(
        [
            # a day and month or a month and year, anywhere: "31 March 2027", "March 2027"
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s{{1,3}}(?:of\s{{1,3}})?{_MONTHS}\b",
            rf"\b{_MONTHS}\.?\s{{1,3}}(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s{{1,3}})?{_YEAR}\b",
            # numeric dates: 31/03/2027, 31-3-27, 31.03.2027, 2027-03-31, 03/2027
            r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d\d){1,2}\b",
            r"\b\d{4}-\d{1,2}-\d{1,2}\b",
            r"\b\d{1,2}/\d{4}\b",
            # a quarter, season or financial year with its year: Q2 2027, spring 2027, 2026/27
            rf"\bq[1-4]\s{{0,3}}(?:of\s{{1,3}})?{_YEAR}\b",
            rf"\b(?:spring|summer|autumn|fall|winter)\s{{1,3}}(?:of\s{{1,3}})?{_YEAR}\b",
            rf"\b{_YEAR}\s{{0,2}}[/-]\s{{0,2}}\d\d(?:\d\d)?\b",
            # a year after "by", "in", "before", "until", "end of", "during": "by 2027"
            rf"\b(?:by|in|before|until|till|during|end\s{{1,3}}of|within)\s{{1,3}}"
            rf"(?:the\s{{1,3}})?(?:end\s{{1,3}}of\s{{1,3}})?(?:year\s{{1,3}})?{_YEAR}\b",
            # a span: "within 6 months", "in the next 12 weeks", "over three months"
            rf"\b(?:within|in|over|after|for)\s{{1,3}}(?:the\s{{1,3}}(?:next|first)\s{{1,3}})?"
            rf"(?:{_NUMBER}|{_WORD_NUMBERS}|a|one)\s{{1,3}}(?:more\s{{1,3}})?{_PERIODS}\b",
            rf"\b(?:within|in|over)\s{{1,3}}the\s{{1,3}}next\s{{1,3}}{_PERIODS}\b",
            rf"\b(?:by|before)\s{{1,3}}the\s{{1,3}}end\s{{1,3}}of\s{{1,3}}(?:the\s{{1,3}})?"
            rf"(?:{_YEAR}|year|quarter|month|financial\s{{1,3}}year|{_MONTHS})\b",
            # a named month after "by": "by March", "by the end of March"
            rf"\b(?:by|before|until)\s{{1,3}}(?:the\s{{1,3}}end\s{{1,3}}of\s{{1,3}})?{_MONTHS}\b",
        ]
    ),
    re.IGNORECASE,
)

# A measurable target: a percentage, "from X to Y", "to zero", "halve", "double", "by 20",
# "fewer than 5", "at least 95", "90% of", "1 in 10".
_TARGET = re.compile(
    r"|".join(
        [
            rf"{_NUMBER}\s{{0,2}}(?:%|per\s{{0,2}}cent\b|percent\b|pc\b)",
            rf"\bfrom\s{{1,3}}{_NUMBER}\b.{{0,40}}?\bto\s{{1,3}}{_NUMBER}",
            r"\b(?:to|at|of|reach|achieve|maintain)\s{1,3}(?:zero|nil|none)\b",
            r"\bzero\b",
            r"\b(?:halve|halving|halved|double|doubling|doubled|triple|tripled|eliminate"
            r"|eliminating|eliminated)\b",
            r"\bby\s{1,3}(?:a\s{1,3})?(?:half|third|quarter|two[\s-]thirds|three[\s-]quarters)\b",
            rf"\b(?:to|by|below|under|above|over|at\s{{1,3}}least|at\s{{1,3}}most|fewer\s{{1,3}}"
            rf"than|less\s{{1,3}}than|more\s{{1,3}}than|no\s{{1,3}}more\s{{1,3}}than|reach"
            rf"|achieve|maintain|within)\s{{1,3}}(?:an?\s{{1,3}}(?:average|median|rate)\s{{1,3}}of"
            rf"\s{{1,3}})?{_NUMBER}\b(?!\s{{0,3}}(?:{_PERIODS}|{_MONTHS})\b)(?![/.-]\d)",
            rf"\b{_NUMBER}\s{{1,3}}(?:in|out\s{{1,3}}of)\s{{1,3}}{_NUMBER}\b",
        ]
    ),
    re.IGNORECASE,
)

# Text a target's number must not be read from: a date's numbers ("by 31 March", "by 2027").
_YEAR_ONLY = re.compile(rf"^{_YEAR}$")


def has_date(text: str) -> bool:
    """Whether the aim says by when (a date, a month and year, a span such as "within 6
    months")."""
    return bool(_DATE.search(text or ""))


def has_target(text: str) -> bool:
    """Whether the aim says how much (a number or percentage, "from X to Y", "zero",
    "halve"...), leaving aside the numbers of its dates ("by 2027" is a date, not a target)."""
    text = _DATE.sub(" ", text or "")
    for match in _TARGET.finditer(text):
        numbers = re.findall(_NUMBER, match.group(0))
        if numbers and all(_YEAR_ONLY.match(n) for n in numbers):
            continue
        return True
    return False


def aim_problems(text: str) -> list[str]:
    """What an aim statement lacks, as messages naming it: no measurable target, no date (an
    empty list when it has both).

    >>> aim_problems("Halve pressure ulcers within 6 months")
    []
    >>> aim_problems("Reduce waiting times to 4 hours")
    ['The aim has no date: say by when, e.g. “by 31 March 2027” or “within 6 months”.']
    """
    if not (text or "").strip():
        return [EMPTY]
    problems = []
    if not has_target(text):
        problems.append(NO_TARGET)
    if not has_date(text):
        problems.append(NO_DATE)
    return problems
