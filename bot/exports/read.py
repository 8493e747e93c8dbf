"""Reading a backlink export: encoding, delimiter, the header line, then rows — streamed.

Exports come as UTF-16 (LE or BE, with or without BOM) or UTF-8 (with or without BOM), tab-,
comma- or semicolon-separated, quoted or not, sometimes with metadata lines above the header
(Moz) or inside a zip (Search Console). The file is decoded as a stream and handed to Python's
csv module row by row, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from bot.conversation.rendering import Precise, Reason
from bot.conversation.validators.domains import registrable_domain
from bot.exports.values import SpelledDates, host_of, parse_count, parse_date

HEADER_SCAN_LINES = 30  # Moz puts a few metadata lines before its header
DELIMITERS = "\t,;"
csv.field_size_limit(1 << 24)  # a page title or anchor can be long; a malformed row is still bounded


class ExportError(ValueError):
    """The file can't be read as a backlink export; the reason says why, for the user (its English
    text is the message; a reply says it in the reader's language, knowledge/reasons.yaml)."""

    def __init__(self, reason: Reason):
        super().__init__(reason)
        self.reason = reason


def refusal(name: str, /, **values: Any) -> ExportError:
    """An ExportError from a reason of knowledge/reasons.yaml (`reason.import.<name>`)."""
    return ExportError(Reason(f"reason.import.{name}", **values))


@dataclass(frozen=True, slots=True)
class Format:
    id: str
    label: str
    needs: tuple[tuple[str, ...], ...]  # every entry: one of these header names
    columns: Mapping[str, tuple[str, ...]]  # field → header names it may have
    # For exports whose header is translated: the fields in column order, with what each cell holds.
    by_rows: tuple[tuple[str, str], ...] = ()
    per_target: bool = False  # one column per compared site, named by the site (Link Intersect)


@dataclass(frozen=True, slots=True)
class Opened:
    format: Format
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    index: Mapping[str, int]  # field → column position
    rows: Iterator[list[str]]
    name: str  # the CSV's name (inside a zip, the member's)
    compared: tuple[tuple[str, int], ...] = ()  # (compared site, column position), per_target formats


def megabytes(size: int) -> float:
    """A size in MB as a reply shows it (in the reader's format): two decimals below 1 MB ("0.02"),
    one below 10 MB ("2.5"), whole above ("40")."""
    if size < 1e6:
        return Precise(round(size / 1e6, 2))
    return round(size / 1e6, 1) if size < 10e6 else round(size / 1e6)


def normalise(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace("\ufeff", "").strip().strip('"').strip()).lower()


def formats_from(data: Mapping[str, Any]) -> tuple[Format, ...]:
    def names(value) -> tuple[str, ...]:
        return tuple(normalise(v) for v in ([value] if isinstance(value, str) else value))

    return tuple(
        Format(
            fid,
            spec["label"],
            tuple(names(n) for n in spec["needs"]),
            {field: names(v) for field, v in spec["columns"].items()},
            tuple((c["field"], c["holds"]) for c in spec.get("by_rows", ())),
            bool(spec.get("per_target")),
        )
        for fid, spec in data.items()
    )


def detect_encoding(head: bytes, name: str = "This file") -> str:
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
        raise refusal("binary", name=name)
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
    candidates = [f for f in formats if all(present.intersection(names) for names in f.needs)]
    return max(candidates, key=lambda f: len(f.needs)) if candidates else None


def columns_of(found: Format, header: Sequence[str]) -> dict[str, int]:
    index = {}
    for field, names in found.columns.items():
        position = next((header.index(n) for n in names if n in header), None)
        if position is not None:
            index[field] = position
    return index


def compared_columns(header: Sequence[str], taken: set[int]) -> tuple[tuple[str, int], ...]:
    """Link Intersect names a column after each compared site (`competitor.com` or a URL)."""
    found = []
    for position, name in enumerate(header):
        site = re.sub(r"\s*\(.*\)$", "", name)  # a note after the site, e.g. "(subdomains)"
        site = re.sub(r"^[a-z]+://", "", site).removeprefix("www.").rstrip("/")
        if position not in taken and " " not in site and registrable_domain(site.split("/", 1)[0]):
            found.append((site, position))
    return tuple(found)


ROW_SAMPLE = 10


def holds(kind: str, cell: str, spelled: SpelledDates) -> bool:
    cell = cell.strip()
    if kind == "url":
        return cell.lower().startswith(("http://", "https://")) and registrable_domain(host_of(cell)) is not None
    if kind == "domain":
        return "://" not in cell and " " not in cell and registrable_domain(cell) is not None
    if kind == "count":
        return parse_count(cell) is not None
    if kind == "date":
        return (parse_date(cell) or spelled(cell)) is not None
    raise ValueError(f"unknown cell kind {kind!r}")


def translated(header: Sequence[str], formats: Sequence[Format]) -> bool:
    """A header mostly of column names the tools use in English is an export we don't know, not a
    translation of one we do: its rows shouldn't be guessed at."""
    known = {n for f in formats for names in (*f.needs, *f.columns.values()) for n in names}
    return sum(cell in known for cell in header) * 2 < len(header)


def match_rows(rows: Sequence[Sequence[str]], formats: Sequence[Format]) -> Format | None:
    """A format whose header a tool translates, recognised by what its first rows hold."""
    spelled = SpelledDates()
    for found in formats:
        shape = found.by_rows
        if (
            shape
            and rows
            and all(
                len(row) == len(shape)
                and all(holds(kind, cell, spelled) for (_, kind), cell in zip(shape, row, strict=True))
                for row in rows
            )
        ):
            return found
    return None


def recognise(header: tuple[str, ...], formats: Sequence[Format]) -> tuple[Format, dict, tuple] | None:
    """The format a header line names, with the field positions (and compared sites), or None."""
    found = match(header, formats)
    if found is None:
        return None
    index = columns_of(found, header)
    compared = compared_columns(header, set(index.values())) if found.per_target else ()
    if found.per_target and not compared:
        return None
    return found, index, compared


def recognise_by_rows(
    header: tuple[str, ...], sample: Sequence[Sequence[str]], formats: Sequence[Format]
) -> tuple[Format, dict] | None:
    """No known header: maybe one a tool translated (Search Console writes the user's language)."""
    if not translated(header, formats):
        return None
    found = match_rows([r for r in sample if any(c.strip() for c in r)][:ROW_SAMPLE], formats)
    if found is None:
        return None
    return found, {field: position for position, (field, _) in enumerate(found.by_rows)}


def refused(name: str, formats: Sequence[Format], seen: Sequence[str]) -> ExportError:
    return refusal("unknown_format", name=name, known=[f.label for f in formats], first=seen[0] if seen else "")


def open_text(stream: IO[bytes], name: str, formats: Sequence[Format]) -> Opened:
    """Find the header and the format in a binary stream; rows are read lazily afterwards."""
    head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""
    if not head:
        head = stream.read(4096)
        stream.seek(0)
    if not head.strip(b"\x00\r\n\t ,;\xef\xbb\xbf\xff\xfe"):
        raise refusal("empty", name=name)
    encoding = detect_encoding(head, name)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    lines: list[str] = []  # read while looking for the header, replayed if the rows must tell
    seen: list[str] = []
    for _ in range(HEADER_SCAN_LINES):
        line = text.readline()
        if not line:
            break
        lines.append(line)
        if not line.strip():
            continue
        delimiter = sniff_delimiter(line)
        header = tuple(normalise(c) for c in next(csv.reader([line], delimiter=delimiter)))
        seen.append(line.strip()[:200])
        if recognised := recognise(header, formats):
            found, index, compared = recognised
            rows = csv.reader(text, delimiter=delimiter)
            return Opened(found, encoding, delimiter, header, index, rows, name, compared)
    if seen:
        first = next(i for i, line in enumerate(lines) if line.strip())
        delimiter = sniff_delimiter(lines[first])
        header = tuple(normalise(c) for c in next(csv.reader([lines[first]], delimiter=delimiter)))
        sample = list(csv.reader(lines[first + 1 :], delimiter=delimiter))
        if recognised := recognise_by_rows(header, sample, formats):
            rows = csv.reader(itertools.chain(lines[first + 1 :], text), delimiter=delimiter)
            return Opened(recognised[0], encoding, delimiter, header, recognised[1], rows, name)
    raise refused(name, formats, seen)


def open_sheet(rows: Iterator[list[str]], name: str, formats: Sequence[Format]) -> Opened:
    """Like open_text, for a worksheet's rows (already cells)."""
    scanned: list[list[str]] = []
    seen: list[str] = []
    for row in itertools.islice(rows, HEADER_SCAN_LINES):
        scanned.append(row)
        if not any(cell.strip() for cell in row):
            continue
        header = tuple(normalise(c) for c in row)
        seen.append(",".join(row).strip(",")[:200])
        if recognised := recognise(header, formats):
            found, index, compared = recognised
            return Opened(found, "xlsx", "", header, index, rows, name, compared)
    if seen:
        first = next(i for i, row in enumerate(scanned) if any(cell.strip() for cell in row))
        header = tuple(normalise(c) for c in scanned[first])
        if recognised := recognise_by_rows(header, scanned[first + 1 :], formats):
            rows = itertools.chain(scanned[first + 1 :], rows)
            return Opened(recognised[0], "xlsx", "", header, recognised[1], rows, name)
    raise refused(name, formats, seen)


def cell_text(value: Any) -> str:
    """A worksheet cell as an export's CSV would have written it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@contextmanager
def open_workbook(path: Path, formats: Sequence[Format]) -> Iterator[list[Opened]]:
    """The link lists in an Excel workbook (Search Console, Semrush and others offer .xlsx): each
    worksheet is read like one CSV, streamed; sheets that hold no known export are passed over."""
    import openpyxl  # 0.2 s to import: only for workbooks

    # A file, not a name: openpyxl refuses a workbook by its name when it was saved as .csv.
    with open(path, "rb") as stream:
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except (KeyError, ValueError, OSError, zipfile.BadZipFile, ElementTree.ParseError) as error:
            raise refusal("bad_workbook", name=path.name, error=str(error)) from None
        try:
            opened = []
            for sheet in workbook.worksheets:
                rows = ([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
                with contextlib.suppress(ExportError):  # a metadata or chart sheet
                    opened.append(open_sheet(rows, f"{path.name} ({sheet.title})", formats))
            if not opened:
                sheets = [sheet.title for sheet in workbook.worksheets]
                raise refusal("no_sheet", name=path.name, sheets=sheets)
            yield opened
        finally:
            workbook.close()


SEARCH_CONSOLE_MEMBERS = ("latest links.csv", "top linking sites.csv")
UNZIPPED_PER_ZIPPED_BYTE = 20  # CSV compresses 5-10×; far more is a zip bomb, not an export
# A workbook's XML and a CSV of links compress about 10×; a hundredfold is built to be a bomb
# (zlib tops out near 1,000×), whatever the size limit allows.
BOMB_RATIO = 100


def unzip_refusal(name: str, size: int, members: Sequence[zipfile.ZipInfo], max_bytes: int) -> Reason | None:
    """Why an archive (a zip, or an .xlsx, which is one) is refused before anything in it is
    inflated, or None. The sizes come from its directory: Python's zipfile never inflates a member
    past the size declared there (a lie ends in a CRC error), so they bound the work."""
    unzipped = sum(m.file_size for m in members)
    if unzipped > max_bytes * UNZIPPED_PER_ZIPPED_BYTE:
        return Reason(
            "reason.import.unzips_too_big", name=name, unzipped=megabytes(unzipped), limit=megabytes(max_bytes)
        )
    if unzipped > max(size, 1) * BOMB_RATIO:
        return Reason(
            "reason.import.zip_bomb",
            name=name,
            size=megabytes(size),
            unzipped=megabytes(unzipped),
            ratio=unzipped // max(size, 1),
        )
    return None


@contextmanager
def open_export(path: Path, formats: Sequence[Format], *, max_bytes: int) -> Iterator[list[Opened]]:
    """The export's CSVs, opened: one file, or the link CSVs in a zip (Search Console's, whatever
    language their names and headers are in; other members, like its chart data, are passed over)."""
    with open(path, "rb") as raw:
        magic = raw.read(4)
    if not magic.startswith(b"PK"):
        with open(path, "rb") as stream:
            yield [open_text(stream, path.name, formats)]
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise refusal("bad_zip", name=path.name) from None
    with archive, contextlib.ExitStack() as closing:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if reason := unzip_refusal(path.name, path.stat().st_size, members, max_bytes):
            raise ExportError(reason)
        if any(m.filename == "xl/workbook.xml" for m in members):  # an .xlsx is a zip too
            with open_workbook(path, formats) as opened:
                yield opened
            return
        csvs = sorted(
            (m for m in members if m.filename.lower().endswith((".csv", ".tsv", ".txt"))),
            key=lambda m: Path(m.filename).name.lower() not in SEARCH_CONSOLE_MEMBERS,
        )
        opened = []
        for member in csvs:
            stream = closing.enter_context(io.BufferedReader(archive.open(member)))
            try:
                opened.append(open_text(stream, Path(member.filename).name, formats))
            except ExportError:
                continue  # not a list of links (Search Console adds chart data and target pages)
        if not opened:
            listed = sorted(Path(m.filename).name.lower() for m in members)
            raise refusal("no_links_file", name=path.name, members=listed)
        yield opened
