"""Every way an export is refused, made for real and said in each language: the reason is the
file's own (its name, what was wrong, the sizes), and a German, French or Spanish reader reads it in
their language, never in English."""

from __future__ import annotations

import datetime as dt
import zipfile

import export_fixtures as F
import pytest
from openpyxl import Workbook

from bot.conversation.rendering import PLAIN, Reason, Renderer
from bot.core.replies import text
from bot.exports import ExportError, formats, read_profile, too_big
from bot.planning import knowledge

LINKS = [F.Link("https://news.example.org/story", "Example", dt.date(2026, 9, 3))]
LIMIT = 1_000_000


def _refused_files(tmp_path) -> dict[str, object]:
    """template → a path that is refused with it (or a Reason made before reading)."""
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "Latest links.csv").write_text("x")
    header = F.majestic_backlinks(LINKS, tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "kaputt.csv").write_text(header + "\n" + "nicht,genug\n" * 3, encoding="utf-8")
    (tmp_path / "nur-kopf.csv").write_text(header + "\n", encoding="utf-8")
    (tmp_path / "binär.csv").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "fremd.csv").write_text("Wann,Wer\n1,2\n", encoding="utf-8")
    (tmp_path / "leer.csv").write_bytes(b"")
    (tmp_path / "kaputt.zip").write_bytes(b"PK\x03\x04 not a zip at all")
    with zipfile.ZipFile(tmp_path / "andere.zip", "w") as archive:
        archive.writestr("Leistung.csv", "Datum,Klicks\n2026-01-01,3\n")
    for name, size in (("bombe.zip", 15_000_000), ("riesig.zip", 30_000_000)):
        with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("Latest links.csv", "Linking page,Last crawled\n" + "\n" * size)
    book = Workbook()
    book.active.title = "Budget"
    book.active.append(["Monat", "Euro"])
    book.save(tmp_path / "budget.xlsx")
    with zipfile.ZipFile(tmp_path / "kaputt.xlsx", "w") as archive:
        archive.writestr("xl/workbook.xml", "<nicht xml")
    return {
        "reason.import.unopenable": tmp_path / "fehlt.csv",
        "reason.import.folder": folder,
        "reason.import.too_big": too_big("groß.csv", 2_500_000, 1_500_000),
        "reason.import.no_links": tmp_path / "kaputt.csv",
        "reason.import.no_rows": tmp_path / "nur-kopf.csv",
        "reason.import.binary": tmp_path / "binär.csv",
        "reason.import.unknown_format": tmp_path / "fremd.csv",
        "reason.import.empty": tmp_path / "leer.csv",
        "reason.import.no_sheet": tmp_path / "budget.xlsx",
        "reason.import.zip_bomb": tmp_path / "bombe.zip",
        "reason.import.unzips_too_big": tmp_path / "riesig.zip",
        "reason.import.bad_workbook": tmp_path / "kaputt.xlsx",
        "reason.import.bad_zip": tmp_path / "kaputt.zip",
        "reason.import.no_links_file": tmp_path / "andere.zip",
    }


def _reason(made) -> Reason:
    if isinstance(made, Reason):
        return made
    with pytest.raises(ExportError) as refused:
        read_profile(made, formats.default(), max_bytes=LIMIT)
    return refused.value.reason


def test_every_refusal_of_an_export_is_a_reason_said_in_each_language(tmp_path):
    renderers = {code: Renderer(knowledge.default(), PLAIN).speaking(code) for code in ("en", "de", "fr", "es")}
    for template, made in _refused_files(tmp_path).items():
        reason = _reason(made)
        assert isinstance(reason, Reason) and reason.template == template, (template, reason)
        said = {code: r.text(text("import.refused", reason=reason)) for code, r in renderers.items()}
        assert said["en"] == str(reason)
        name = str(reason.values["name"])
        for code in ("de", "fr", "es"):
            assert said[code] != said["en"], (template, code)
            assert name in said[code], (template, code, said[code])  # which file
    # The figures of a refusal in the reader's format: sizes and counts.
    bomb = _reason(tmp_path / "bombe.zip")
    assert (
        renderers["de"]
        .text(text("import.refused", reason=bomb))
        .startswith("bombe.zip ist 0,01 MB groß, entpackt aber 15 MB, 1.017-mal so viel")
    )
    too = too_big("groß.csv", 2_500_000, 1_500_000)
    assert "2,5 Mo ; la limite est de 1,5 Mo" in renderers["fr"].text(text("import.refused", reason=too))
