"""Control characters in text people or systems send.

A NUL cannot be stored by PostgreSQL at all, and the other C0 and C1 control characters
(escape, backspace, form feed, ...) have no place in a note or a name: they come from binary
files pasted as text or from probing, and they break exports (XML forbids them in an .xlsx).
"""

from __future__ import annotations

import re

# C0 controls, DEL and the C1 controls. Tab, line feed and carriage return are whitespace that
# multi-line text (a note, a description) legitimately holds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_OR_LINE_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_NAMES = {0x00: "NUL", 0x09: "tab", 0x0A: "line break", 0x0D: "carriage return", 0x1B: "escape"}


def find_control_characters(text: str, *, multiline: bool = True) -> list[str]:
    """Names of the control characters in `text`, each once, in order of appearance.

    With `multiline`, tab, line feed and carriage return are allowed; without it (a name, a
    title, a code) they are reported too.

    >>> find_control_characters("ward\\x00 7")
    ['NUL']
    >>> find_control_characters("line one\\nline two")
    []
    >>> find_control_characters("line one\\nline two", multiline=False)
    ['line break']
    """
    pattern = _CONTROL if multiline else _CONTROL_OR_LINE_BREAK
    names: list[str] = []
    for match in pattern.finditer(text):
        code = ord(match.group())
        name = _NAMES.get(code, f"U+{code:04X}")
        if name not in names:
            names.append(name)
    return names
