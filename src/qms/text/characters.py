"""Control and invisible characters in text people or systems send.

A NUL cannot be stored by PostgreSQL at all, and the other C0 and C1 control characters
(escape, backspace, form feed, ...) have no place in a note or a name: they come from binary
files pasted as text or from probing, and they break exports (XML forbids them in an .xlsx).

Invisible format characters (Unicode category Cf: zero-width spaces and joiners, bidirectional
controls, the soft hyphen, the byte order mark) show as nothing, so text holding them is not
what a reader sees: "943\u200b476\u200b5919" reads as an NHS number and matches no pattern,
and a bidirectional override shows text in another order than it is stored.
"""

from __future__ import annotations

import re
import unicodedata

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


def find_format_characters(text: str) -> list[str]:
    """Names of the invisible format characters (Unicode category Cf) in `text`, each once, in
    order of appearance.

    >>> find_format_characters("943\u200b476\u200b5919")
    ['U+200B zero width space']
    >>> find_format_characters("Ward 7 – café")
    []
    """
    if text.isascii():  # every format character is beyond ASCII
        return []
    # Each distinct character once: a long text has few distinct ones.
    found = [char for char in set(text) if unicodedata.category(char) == "Cf"]
    found.sort(key=text.index)
    return [f"U+{ord(char):04X} {unicodedata.name(char, '').lower()}".rstrip() for char in found]
