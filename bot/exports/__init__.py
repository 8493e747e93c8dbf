"""Backlink exports from Ahrefs, Semrush, Moz, Majestic and Search Console: read (`read`, `values`),
then profiled (`profile`); the `import` command that fills a plan from one is `commands`. A new
export format is a row in knowledge/export_formats.yaml."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from bot.conversation.rendering import Reason
from bot.exports.profile import Profile, build
from bot.exports.read import ExportError, Format, megabytes, open_export, refusal

__all__ = ["EXPORT_SUFFIXES", "ExportError", "Profile", "read_profile", "too_big"]

# What an export file is called: the tools' CSVs (some save tab-separated .tsv or .txt), the
# Search Console zip, and Excel workbooks.
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".zip", ".xlsx")


def too_big(name: str, size: int, max_bytes: int) -> Reason | None:
    """Why a file of `size` bytes is refused before it is read (or fetched), or None."""
    if size <= max_bytes:
        return None
    return Reason("reason.import.too_big", name=name, size=megabytes(size), limit=megabytes(max_bytes))


def read_profile(path: Path, formats: tuple[Format, ...], *, max_bytes: int, site: str | None = None) -> Profile:
    """The link profile in an export file. Too big, unreadable or unknown files raise ExportError
    with the reason, before anything is stored (the caller stores only a complete profile)."""
    try:
        size = path.stat().st_size
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise refusal("unopenable", name=_shown(path.name), error=reason) from None
    if path.is_dir():
        raise _folder(path)
    if reason := too_big(path.name, size, max_bytes):
        raise ExportError(reason)
    try:
        with open_export(path, formats, max_bytes=max_bytes) as opened:
            profile = build(opened, site=site)
    except (csv.Error, UnicodeError, zipfile.BadZipFile, EOFError, OSError, ElementTree.ParseError) as error:
        raise refusal("unreadable", name=path.name, error=str(error).rstrip(".")) from None
    if not profile.domains:
        if profile.skipped:
            raise refusal("no_links", name=path.name, format=profile.format, skipped=profile.skipped)
        raise refusal("no_rows", name=path.name, format=profile.format)
    return profile


def _folder(path: Path) -> ExportError:
    """A folder instead of a file: say so, and name the exports in it to choose from."""
    try:
        found = sorted(p.name for p in path.iterdir() if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES)
    except OSError:
        found = []
    return refusal("folder", name=str(path.name or path), files=found[:5], more=len(found) > 5)


def _shown(name: str, limit: int = 80) -> str:
    """A typed file name as a reply quotes it: a 10,000-character one is cut."""
    return name if len(name) <= limit else name[: limit - 1] + "…"
