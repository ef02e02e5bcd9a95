"""Patient identifiers in free text.

A quality system holds aggregate data: counts, rates, notes about the process. A note that names
a patient or gives their NHS number turns the whole record into patient-identifiable data, with
the governance that brings. So free text is screened before it is stored:

- NHS numbers (England, Wales, Isle of Man) and CHI numbers (Scotland) are refused. Both are ten
  digits whose last digit is a modulus 11 check digit; a CHI number starts with the person's
  date of birth as ddmmyy. Ten digits that fail the check are not identifiers (a count, a
  phone number, a reference) and pass.
- A date of birth ("DOB 12/03/1954", "born 12 March 1954", "date of birth: 1954-03-12") and a
  title with a surname ("Mrs Patel", "Dr. Okafor") may identify a patient but often do not (a
  consultant named in a note, a date that is not a birth): they are reported as prompts, for a
  person to confirm.

Nothing here knows about Django; `qms.web.screening` turns findings into form and API errors.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass


class Action(enum.Enum):
    """What a finding asks for: refused outright, or a prompt a person may confirm."""

    REFUSE = "refuse"
    PROMPT = "prompt"


@dataclass(frozen=True)
class Finding:
    """Something in a text that identifies, or may identify, a patient.

    `kind` is one of "nhs_number", "chi_number", "date_of_birth", "title_and_name"; `text` is
    the matched text and `start`, `end` its position."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def action(self) -> Action:
        return Action.REFUSE if self.kind in _REFUSED else Action.PROMPT

    @property
    def description(self) -> str:
        """What was found, in words for the person who wrote it."""
        return _DESCRIPTIONS[self.kind]


_REFUSED = {"nhs_number", "chi_number"}
_DESCRIPTIONS = {
    "nhs_number": "an NHS number",
    "chi_number": "a CHI number",
    "date_of_birth": "a date of birth",
    "title_and_name": "a person's title and name",
}

# NHS Data Dictionary, "NHS Number": weights 10 down to 2 on the first nine digits.
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

# Ten digits, written together or as 3-3-4 with spaces (also non-breaking) or hyphens, and not
# part of a longer number or a decimal.
_TEN_DIGITS = re.compile(r"(?<![\d.,])(?<!\d[.,])(\d{3})([ \u00a0-]?)(\d{3})\2(\d{4})(?!\d|[.,]\d)")

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"  # 12/03/1954, 12.3.54, 12-03-1954
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 1954-03-12
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{2,4}}"  # 12 March 1954
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})"  # March 12, 1954
)
# A date of birth: the words that introduce one, followed by a date.
_DATE_OF_BIRTH = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|born(?:\s+on)?)"
    rf"\s*[:\-–]?\s*{_DATE}",
    re.IGNORECASE,
)
# A title and a capitalised surname: "Mrs Patel", "Dr. O'Neill", "Mr McDonald-Smith". The title
# must be capitalised too, so "dr" in running text and "miss" the verb do not count.
_TITLE_AND_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+(?:[A-Z][a-z]?['’]?[A-Z]?[a-z]+)(?:-[A-Z][a-z]+)?\b"
)


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit of the first nine digits, or None when there is none (a
    remainder giving 10: no valid number starts with these digits).

    >>> nhs_check_digit("943476591")
    9
    """
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def _passes_modulus_11(digits: str) -> bool:
    return nhs_check_digit(digits[:9]) == int(digits[9])


def _is_ddmmyy(digits: str) -> bool:
    """Whether the first six digits are a date as ddmmyy, in either century."""
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    for century in (1900, 2000):
        try:
            dt.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def find_identifiers(text: str) -> list[Finding]:
    """Every patient identifier, or likely one, in `text`, in order of position.

    >>> [(f.kind, f.action.value) for f in find_identifiers("NHS no 943 476 5919")]
    [('nhs_number', 'refuse')]
    >>> find_identifiers("943 476 5918")  # the check digit fails: not an NHS number
    []
    >>> [f.kind for f in find_identifiers("Mrs Patel, DOB 12/03/1954")]
    ['title_and_name', 'date_of_birth']
    """
    if not text:
        return []
    findings: list[Finding] = []
    for match in _TEN_DIGITS.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        if _passes_modulus_11(digits):
            # Both schemes use the same check; one that starts with a date reads as CHI.
            kind = "chi_number" if _is_ddmmyy(digits) else "nhs_number"
            findings.append(Finding(kind, match.group(), match.start(), match.end()))
    for pattern, kind in ((_DATE_OF_BIRTH, "date_of_birth"), (_TITLE_AND_NAME, "title_and_name")):
        for match in pattern.finditer(text):
            findings.append(Finding(kind, match.group(), match.start(), match.end()))
    findings.sort(key=lambda finding: finding.start)
    return findings
