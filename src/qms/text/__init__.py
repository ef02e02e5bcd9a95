"""Pure checks of free text (no Django): characters a database or a page must not receive,
patient identifiers that must not be stored in a quality system, and language that blames a
person where an analysis should be about the system (`find_blame`).

>>> from qms.text import find_identifiers
>>> [finding.kind for finding in find_identifiers("Seen by Dr Smith, NHS 943 476 5919")]
['title_and_name', 'nhs_number']
"""

from qms.text.blame import SYSTEM_DOMAINS, SYSTEM_QUESTION, find_blame
from qms.text.blame import Finding as BlameFinding
from qms.text.characters import find_control_characters, find_format_characters
from qms.text.identifiers import Action, Finding, find_identifiers, nhs_check_digit

__all__ = [
    "Action",
    "BlameFinding",
    "SYSTEM_DOMAINS",
    "SYSTEM_QUESTION",
    "Finding",
    "find_blame",
    "find_control_characters",
    "find_format_characters",
    "find_identifiers",
    "nhs_check_digit",
]
