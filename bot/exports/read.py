"""Reading a backlink export: encoding, delimiter, the header line, then rows — streamed.

Exports come as UTF-16 (LE or BE, with or without BOM) or UTF-8 (with or without BOM), tab-,
comma- or semicolon-separated, quoted or not, sometimes with metadata lines above the header
(Moz) or inside a zip (Search Console). The file is decoded as a stream and handed to Python's
csv module row by row, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HEADER_SCAN_LINES = 30  # Moz puts a few metadata lines before its header
DELIMITERS = "\t,;"
csv.field_size_limit(1 << 24)  # a page title or anchor can be long; a malformed row is still bounded


class ExportError(ValueError):
    """The file can't be read as a backlink export; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Format:
    id: str
    label: str
    needs: tuple[str, ...]
    columns: Mapping[str, tuple[str, ...]]  # field → header names it may have


@dataclass(frozen=True, slots=True)
class Opened:
    format: Format
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    index: Mapping[str, int]  # field → column position
    rows: Iterator[list[str]]
    name: str  # the CSV's name (inside a zip, the member's)


def normalise(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace("\ufeff", "").strip().strip('"').strip()).lower()


def formats_from(data: Mapping[str, Any]) -> tuple[Format, ...]:
    def names(value) -> tuple[str, ...]:
        return tuple(normalise(v) for v in ([value] if isinstance(value, str) else value))

    return tuple(
        Format(
            fid,
            spec["label"],
            tuple(normalise(n) for n in spec["needs"]),
            {field: names(v) for field, v in spec["columns"].items()},
        )
        for fid, spec in data.items()
    )


def detect_encoding(head: bytes) -> str:
    """From the first bytes: a BOM, else the NUL pattern of UTF-16, else UTF-8 (or Windows-1252)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the BOM says which; the codec reads and drops it
    sample = head[:4096]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_nuls > half * 0.6 and even_nuls < half * 0.1:
            return "utf-16-le"
        if even_nuls > half * 0.6 and odd_nuls < half * 0.1:
            return "utf-16-be"
    if b"\x00" in sample:
        raise ExportError("This looks like a binary file, not a CSV export (it holds NUL bytes).")
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not merely a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def sniff_delimiter(line: str) -> str:
    try:
        return csv.Sniffer().sniff(line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: line.count(d) for d in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def match(header: Sequence[str], formats: Sequence[Format]) -> Format | None:
    present = set(header)
    # The most specific format wins (Ahrefs backlinks also have a "URL"-like column Moz needs).
    candidates = [f for f in formats if set(f.needs) <= present]
    return max(candidates, key=lambda f: len(f.needs)) if candidates else None


def open_text(stream: IO[bytes], name: str, formats: Sequence[Format]) -> Opened:
    """Find the header and the format in a binary stream; rows are read lazily afterwards."""
    head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""
    if not head:
        head = stream.read(4096)
        stream.seek(0)
    if not head.strip(b"\x00\r\n\t ,;\xef\xbb\xbf\xff\xfe"):
        raise ExportError(f"{name} is empty.")
    encoding = detect_encoding(head)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    seen: list[str] = []
    for _ in range(HEADER_SCAN_LINES):
        line = text.readline()
        if not line:
            break
        if not line.strip():
            continue
        delimiter = sniff_delimiter(line)
        header = tuple(normalise(c) for c in next(csv.reader([line], delimiter=delimiter)))
        seen.append(line.strip()[:200])
        found = match(header, formats)
        if found is not None:
            index = {}
            for field, names in found.columns.items():
                position = next((header.index(n) for n in names if n in header), None)
                if position is not None:
                    index[field] = position
            rows = csv.reader(text, delimiter=delimiter)
            return Opened(found, encoding, delimiter, header, index, rows, name)
    known = ", ".join(f.label for f in formats)
    saw = seen[0] if seen else "(nothing readable)"
    raise ExportError(f"I don't recognise the format of {name}. I read: {known}. Its first line was: {saw}")


SEARCH_CONSOLE_MEMBERS = ("latest links.csv", "top linking sites.csv")


@contextmanager
def open_export(path: Path, formats: Sequence[Format]) -> Iterator[list[Opened]]:
    """The export's CSVs, opened: one file, or the Search Console zip's link CSVs."""
    with open(path, "rb") as raw:
        magic = raw.read(4)
    if magic.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ExportError(f"{path.name} looks like a zip but can't be opened as one.") from None
        with archive:
            names = {Path(n).name.lower(): n for n in archive.namelist() if not n.endswith("/")}
            wanted = [names[m] for m in SEARCH_CONSOLE_MEMBERS if m in names]
            if not wanted:
                listed = ", ".join(sorted(names)) or "nothing"
                raise ExportError(
                    f"{path.name} holds no Search Console links file (Latest links.csv or Top linking sites.csv); "
                    f"it holds: {listed}."
                )
            streams = [io.BufferedReader(archive.open(member)) for member in wanted]
            try:
                yield [open_text(s, Path(m).name, formats) for s, m in zip(streams, wanted, strict=True)]
            finally:
                for s in streams:
                    s.close()
        return
    with open(path, "rb") as stream:
        yield [open_text(stream, path.name, formats)]
