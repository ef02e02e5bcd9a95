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
import functools
import itertools
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

# Every pattern here is linear in the length of the text: repeats are bounded ({0,3}, never a
# bare * or + over whitespace) and no two quantifiers can share the same characters, so the
# engine never backtracks over a long run of spaces (an unbounded `\s*[:]?\s*` took 12 s on
# "DOB" and 8,000 spaces).

# Between the digits of a number people write spaces (one or two, also non-breaking or thin)
# or a hyphen or dash, perhaps with a space either side: 943 476 5919, 943-476-5919,
# 943  476  5919, 9434 765 919.
_GAP = r"(?:[ \u00a0\u2000-\u200a\u202f]{1,2}|[ \u00a0]?[-\u2010-\u2013][ \u00a0]?)"
# A run of digit groups joined by such gaps; each group is a maximal run of digits.
_DIGIT_RUN = re.compile(rf"\d+(?:{_GAP}\d+)*")
_DIGITS = re.compile(r"\d+")
_GAPS = re.compile(r"\D+")
_NUMBER_LENGTH = 10

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_SPACE = r"\s{1,3}"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"  # 12/03/1954, 12.3.54, 12-03-1954
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 1954-03-12
    rf"|\d{{1,2}}(?:st|nd|rd|th)?{_SPACE}(?:of{_SPACE})?(?:{_MONTHS})\.?,?{_SPACE}\d{{2,4}}"
    rf"|(?:{_MONTHS})\.?{_SPACE}\d{{1,2}}(?:st|nd|rd|th)?,?{_SPACE}\d{{2,4}})"  # March 12, 1954
)
# A date of birth: the words that introduce one, followed by a date.
_DATE_OF_BIRTH = re.compile(
    rf"\b(?:d\.?\s?o\.?\s?b\.?|date{_SPACE}of{_SPACE}birth|birth\s?date|born(?:{_SPACE}on)?)"
    rf"\s{{0,3}}[:\-–]?\s{{0,3}}{_DATE}",
    re.IGNORECASE,
)
# A title and a name-like word: "Mrs Patel", "Dr. O'Neill", "MR SMITH", "Mr. smith",
# "Mr McDonald-Smith". Titles are matched in any case; which casings count, and which words are
# too ordinary to be a name ("miss the", "dr on call"), is decided in _is_title_and_name.
_LETTER = r"[^\W\d_]"
_TITLE_AND_NAME = re.compile(
    rf"\b(?P<title>mrs|mr|ms|miss|mx|dr)(?:\.\s{{0,3}}|\s{{1,3}})"
    rf"(?P<name>{_LETTER}(?:{_LETTER}|['’](?={_LETTER})){{1,40}}(?:-{_LETTER}{{2,40}})?)"
    rf"(?![\w'’-])",
    re.IGNORECASE,
)
# Written in lower case these are mostly something else: the verb "miss", milliseconds.
_LOWER_CASE_NOT_TITLES = {"miss", "ms"}
# In lower case text, "dr" is often any doctor ("the dr reviewed"): only these titles are taken
# before a lower case word.
_LOWER_CASE_TITLES = {"mr", "mrs", "mx"}
# Words that follow a title-like word in everyday text and are not surnames.
_NOT_NAMES = frozenset(
    """
    a about after all also am an and any are as at be been before but by call called can
    could day days did do does doing done each every for from further had has have he her him
    his how i if in into is it its me more most my next night no not now of off on once one
    only or other our out over own said same say says see seen she should so some such than
    that the their them then there these they this those through to today tomorrow too two
    under until up us very was we were what when where which while who whom why will with
    would yesterday you your
    access appointment appointments clinic clinics data deadline dose doses edge excel forms
    imaging meds medication nurse nurses office outlook patient patients powerpoint project
    review reviewed rota scan scanner scans service services sharepoint shift shifts society
    team teams visit visits ward word
    """.split()
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


# Cached: a text that repeats one candidate thousands of times ("1 1 1 1 ...") checks it once.
@functools.lru_cache(maxsize=4096)
def _passes_modulus_11(digits: str) -> bool:
    return nhs_check_digit(digits[:9]) == int(digits[9])


@functools.lru_cache(maxsize=4096)
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
    findings = _numbers(text)
    for match in _DATE_OF_BIRTH.finditer(text):
        findings.append(Finding("date_of_birth", match.group(), match.start(), match.end()))
    for match in _TITLE_AND_NAME.finditer(text):
        if _is_title_and_name(match.group("title"), match.group("name")):
            findings.append(Finding("title_and_name", match.group(), match.start(), match.end()))
    findings.sort(key=lambda finding: finding.start)
    return findings


def _numbers(text: str) -> list[Finding]:
    """NHS and CHI numbers: ten digits, written together or in groups, with a valid check digit.

    Within a run of digit groups ("Bed 7 943 476 5919"), every sequence of whole groups that
    holds exactly ten digits is a candidate; a group is never split, so ten digits inside a
    longer number are not read as one. A group that is the decimal part of a number (after
    "0.") cannot start a candidate, nor one followed by a decimal part end it."""
    findings: list[Finding] = []
    for run in _DIGIT_RUN.finditer(text):
        groups = [(group.start(), group.end()) for group in _DIGITS.finditer(run.group())]
        offset = run.start()
        first = 1 if _after_decimal_point(text, offset) else 0
        last = len(groups) - 1
        if _before_decimal_part(text, run.end()):
            last -= 1
        # The run's digits without gaps, and where each group's digits begin in them.
        digits = _GAPS.sub("", run.group())
        begins = list(itertools.accumulate((end - start for start, end in groups), initial=0))
        # Groups have at least one digit each: two pointers find every window of ten digits.
        low = first
        for high in range(first, last + 1):
            while begins[high + 1] - begins[low] > _NUMBER_LENGTH:
                low += 1
            if begins[high + 1] - begins[low] != _NUMBER_LENGTH:
                continue
            candidate = digits[begins[low] : begins[high + 1]]
            if not _passes_modulus_11(candidate):
                continue
            # Both schemes use the same check; one that starts with a date reads as CHI.
            kind = "chi_number" if _is_ddmmyy(candidate) else "nhs_number"
            start, end = offset + groups[low][0], offset + groups[high][1]
            findings.append(Finding(kind, text[start:end], start, end))
    return findings


def _after_decimal_point(text: str, start: int) -> bool:
    """Whether the digits at `start` follow "3." or "1,": the decimal part of a number."""
    return start >= 2 and text[start - 1] in ".," and text[start - 2].isdigit()


def _before_decimal_part(text: str, end: int) -> bool:
    """Whether the digits ending at `end` are followed by ".5" or ",5"."""
    return end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit()


def _is_title_and_name(title: str, name: str) -> bool:
    """Whether a title-like word and the word after it read as a person's title and name.

    The title as written (Mr, MR, mr; but "miss" and "ms" in lower case are the verb and
    milliseconds) and a name as written (Smith, SMITH, smith, O'Neill, McDonald), and not a
    word of everyday text ("Miss the", "Dr on call", "MS Teams", "dr reviewed")."""
    if title.islower() and (
        title in _LOWER_CASE_NOT_TITLES or (name.islower() and title not in _LOWER_CASE_TITLES)
    ):
        return False
    return name.lower() not in _NOT_NAMES


# --- Redaction ------------------------------------------------------------------------------
# Feedback is kept, its identifiers are not: an imported comment has NHS and CHI numbers,
# telephone numbers and e-mail addresses replaced by placeholders (and counted), where a note
# typed into QMS is refused instead (find_identifiers).

PLACEHOLDERS = {
    "nhs_number": "[NHS number]",
    "chi_number": "[CHI number]",
    "telephone_number": "[telephone number]",
    "email_address": "[e-mail address]",
}

# UK telephone numbers: +44 or 0044 and nine or ten digits ("+44 (0)20 7946 0958",
# "+447700900123"), or a national number of 0 and nine or ten more digits ("020 7946 0958",
# "07700-900123", "(0113) 496 0000"). Digits may be grouped by single spaces or hyphens; slashes,
# dots and commas are not taken (dates, prices). Repeats are bounded: linear in the text.
_SEPARATOR = r"[ \u00a0-]?"
_TELEPHONE = re.compile(
    r"(?<![\w+(])"
    r"(?:"
    rf"(?:\+|\b00){_SEPARATOR}44{_SEPARATOR}(?:\(0\){_SEPARATOR})?[1-9](?:{_SEPARATOR}\d){{8,9}}"
    rf"|\(0\d{{2,4}}\){_SEPARATOR}\d(?:{_SEPARATOR}\d){{5,7}}"
    rf"|\b0[1-9](?:{_SEPARATOR}\d){{8,9}}"
    r")"
    r"(?![\d/.,]\d|\d)",
    re.ASCII,
)
# E-mail addresses: a local part, @, and a domain of at least two labels. The local part cannot
# start in the middle of a word, so a long run of letters is tried from its start only.
_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w.+%-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}\b",
    re.ASCII | re.IGNORECASE,
)


@dataclass(frozen=True)
class Redaction:
    """A text with its identifiers replaced: `count` replacements, `kinds` the kind of each
    ("nhs_number", "chi_number", "telephone_number", "email_address"), in order."""

    text: str
    count: int
    kinds: tuple[str, ...]


def redact(text: str) -> Redaction:
    """Replace NHS and CHI numbers (valid check digit), UK telephone numbers and e-mail
    addresses with placeholders. Linear in the text's length.

    >>> redact("NHS 943 476 5919, ring 07700 900123 or a.b@nhs.net")
    Redaction(text='NHS [NHS number], ring [telephone number] or [e-mail address]', count=3, kinds=('nhs_number', 'telephone_number', 'email_address'))
    >>> redact("Paid £1,200.00 on 12/03/2024 for 943 476 5918").count
    0
    """  # noqa: E501
    if not text:
        return Redaction(text, 0, ())
    spans = [(f.start, f.end, f.kind) for f in _numbers(text)]
    spans += [(m.start(), m.end(), "email_address") for m in _EMAIL.finditer(text)]
    spans += [(m.start(), m.end(), "telephone_number") for m in _TELEPHONE.finditer(text)]
    # Earliest first, and of two that overlap the one found first by the order above (a valid
    # NHS number is not also read as a telephone number).
    order = {kind: rank for rank, kind in enumerate(PLACEHOLDERS)}
    spans.sort(key=lambda span: (span[0], order[span[2]]))
    parts: list[str] = []
    kinds: list[str] = []
    position = 0
    for start, end, kind in spans:
        if start < position:
            continue
        parts += [text[position:start], PLACEHOLDERS[kind]]
        kinds.append(kind)
        position = end
    parts.append(text[position:])
    return Redaction("".join(parts), len(kinds), tuple(kinds))
