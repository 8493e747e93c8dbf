"""The export formats the importer reads (knowledge/export_formats.yaml), owned by the exports: each
entry checked by a pydantic model at start-up and turned into the reader's `Format`
(bot/exports/read.py).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import Field, model_validator

from bot.core.datafiles import Model, entries, read
from bot.exports.read import Format, formats_from

# What the importer reads from an export's columns.
ExportField = Literal[
    "url",
    "domain",
    "first_seen",
    "last_seen",
    "lost",
    "nofollow",
    "anchor",
    "spam",
    "spam_score",
    "links",
    "dofollow_links",
    "target",
    "target_pages",
]
Names = str | list[str]  # a header name, or several (other versions of a tool's export)


class ByRow(Model):
    """A column of an export whose header is translated: what field it is and what its cells hold."""

    field: ExportField
    holds: Literal["url", "domain", "count", "date"]  # what bot.exports.read can recognise a cell as


class ExportFormat(Model):
    label: str
    needs: list[Names] = Field(min_length=1)  # every entry must be in the header
    columns: dict[ExportField, Names]
    by_rows: list[ByRow] = []
    per_target: bool = False  # one column per compared site, named after it

    @model_validator(mode="after")
    def _a_link_or_a_site(self) -> ExportFormat:
        fields = set(self.columns) | {c.field for c in self.by_rows}
        if not {"url", "domain"} & fields:
            raise ValueError("needs a url or a domain column")
        return self


def load(folder: Any = None) -> tuple[Format, ...]:
    """Read and check the export formats (the packaged ones unless `folder` is given)."""
    folder = folder if folder is not None else resources.files("knowledge")
    data = read(folder, "export_formats.yaml")
    checked = entries(ExportFormat, data, "export_formats.yaml")
    return formats_from({fid: spec.model_dump() for fid, spec in checked.items()})


@cache
def default() -> tuple[Format, ...]:
    """The packaged export formats, loaded once per process."""
    return load()
