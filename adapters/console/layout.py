"""Text laid out for the terminal it is printed in: wrapped at its width, whole words only."""

from __future__ import annotations

import shutil
import textwrap
from typing import TextIO


def terminal_width(stream: TextIO) -> int | None:
    """The width of the terminal `stream` writes to, asked each time (windows get resized); None
    for a file or a pipe, which get whole lines for the program reading them to lay out."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return None
    return shutil.get_terminal_size().columns


def fill(text: str, width: int | None, *, first: str = "", rest: str = "") -> str:
    """Wrap each line of `text` to `width` columns without breaking a word or a URL (one longer
    than the line stays whole). `first` starts the text (a bullet), `rest` indents its other
    lines. In a text of several lines (a list of commands, Why/Example) a line's continuation is
    indented under it, so each entry still starts at the margin."""
    lines = text.split("\n")
    hang = "  " if len(lines) > 1 else ""
    out = []
    for number, line in enumerate(lines):
        lead = first if number == 0 else rest
        own = line[: len(line) - len(line.lstrip(" "))]
        if width is None or not line.strip():
            out.append((lead + line).rstrip())
            continue
        out += textwrap.wrap(
            line.strip(),
            width=max(width, 20),  # a window narrower than that is better overflowed than shredded
            initial_indent=lead + own,
            subsequent_indent=rest + own + hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(out)
