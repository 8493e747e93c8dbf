"""The console's one way out: what it prints comes partly from users and files, made safe first.

A terminal obeys control characters wherever they come from: an export whose header holds
`ESC ] 0 ; title BEL` retitles the window, `ESC [ 2 J` clears the screen, a bare carriage return
lets a later text overwrite an earlier one. Everything the console prints passes through
`printable`, which drops whole escape sequences (so no stray `]0;title` remains) and then every
other control character, keeping newlines and tabs. Values shown in replies are escaped the same
way when rendered (the TERMINAL dialect): the plain dialect drops the control bytes alone, which
leaves a sequence's readable remains behind.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TextIO

from bot.conversation.rendering import PLAIN

# ECMA-48: CSI (ESC [ … final byte), OSC/DCS/SOS/PM/APC strings (ESC ] … ended by BEL or ST),
# and two-byte escapes (ESC and one character); CSI and the strings also have one-byte C1 forms.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]?                            # CSI: parameters, final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)?  # a string, to its end
  | \x1b [ -/]* [0-~]?                                             # any other: ESC ( B, ESC 7, …
    """,
    re.VERBOSE,
)
# C0 but newline and tab, DEL, and C1 (8-bit forms of ESC sequences, which some terminals obey).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


TERMINAL = dataclasses.replace(PLAIN, name="terminal", escape=printable)


def write(out: TextIO, text: str) -> None:
    """Print `text` as printable text, at once (a reminder may arrive while the user types)."""
    out.write(printable(text))
    out.flush()
