"""Backlink exports written by the tests, in each tool's exact header (../shared/DOMAIN.md), in any
encoding and delimiter. Never downloaded: the same links can be written in every format. Rows are
streamed to the file, so a benchmark can write a million of them from a generator of links."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.conversation.validators.domains import registrable_domain

AHREFS_BACKLINKS = [
    "Referring page title",
    "Referring page URL",
    "Language",
    "Platform",
    "Referring page HTTP code",
    "Domain rating",
    "UR",
    "Domain traffic",
    "Referring domains",
    "Linked domains",
    "External links",
    "Page traffic",
    "Keywords",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Redirect Chain URLs",
    "Redirect Chain status codes",
    "Type",
    "Is spam",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "Rendered",
    "Raw",
    "Lost status",
    "Drop reason",
    "Discovered status",
    "First seen",
    "Last seen",
    "Lost",
    "Author",
    "Page type",
    "Page category",
    "Links in group",
]
AHREFS_DOMAINS = [
    "Domain",
    "Is spam",
    "DR",
    "Dofollow ref. domains",
    "Dofollow linked domains",
    "Traffic ",
    "Keywords ",
    "Links to target",
    "Dofollow links",
    "First seen",
    "Lost",
]
SEMRUSH = [
    "Page ascore",
    "Source title",
    "Source url",
    "Target url",
    "Anchor",
    "External links",
    "Internal links",
    "Nofollow",
    "Sponsored",
    "Ugc",
    "Text",
    "Frame",
    "Form",
    "Image",
    "Sitewide",
    "First seen",
    "Last seen",
    "New link",
    "Lost link",
]
MOZ = [
    "URL",
    "Title",
    "Anchor Text",
    "Spam Score",
    "Page Authority",
    "Domain Authority",
    "Number of Domains Linking to this Page",
    "Number of Domains Linking to Domain",
    "Origin",
    "Target URL",
    "Link Equity",
    "No Link Equity",
    "Only rel=nofollow",
    "Only follow",
    "301",
]
MAJESTIC = [
    "Target URL",
    "Source URL",
    "Anchor Text",
    "Source Crawl Date",
    "Source First Found Date",
    "FlagNoFollow",
    "FlagImageLink",
    "FlagRedirect",
    "FlagFrame",
    "FlagOldCrawl",
    "FlagAltText",
    "FlagMention",
    "SourceCitationFlow",
    "SourceTrustFlow",
]


@dataclass(frozen=True)
class Link:
    url: str
    anchor: str = "example"
    first_seen: dt.date = dt.date(2026, 9, 15)
    last_seen: dt.date = dt.date(2026, 11, 1)
    nofollow: bool = False
    lost: bool = False
    spam: bool = False
    target: str = "https://example.com/"
    # More cells of the link's row, by column name, over what the fields above fill (Ahrefs' backlinks
    # export only): a benchmark fills every column, as a real export does.
    cells: tuple[tuple[str, str], ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def _write(
    path: Path,
    header: list[str],
    rows: Iterable[list[str]],
    *,
    encoding: str,
    delimiter: str,
    before: list[str] = (),
    quoting: int = csv.QUOTE_MINIMAL,
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as out:  # a BOM, if the encoding has one, once
        for line in before:
            out.write(line + "\r\n")
        writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def ahrefs_backlinks(links, path, *, encoding="utf-16", delimiter="\t", quoting=csv.QUOTE_ALL):
    rows = (_ahrefs_backlinks_row(link) for link in links)
    return _write(path, AHREFS_BACKLINKS, rows, encoding=encoding, delimiter=delimiter, quoting=quoting)


def _ahrefs_backlinks_row(link: Link) -> list[str]:
    row = dict.fromkeys(AHREFS_BACKLINKS, "")
    row.update(
        {
            "Referring page title": f"About {link.host}",
            "Referring page URL": link.url,
            "Target URL": link.target,
            "Anchor": link.anchor,
            "Is spam": str(link.spam).lower(),
            "Nofollow": str(link.nofollow).lower(),
            "First seen": f"{link.first_seen:%Y-%m-%d} 10:00:00",
            "Last seen": f"{link.last_seen:%Y-%m-%d} 08:00:00",
            "Lost": f"{link.last_seen:%Y-%m-%d}" if link.lost else "",
            "Domain rating": "40",
        }
    )
    row.update(link.cells)
    return [row[h] for h in AHREFS_BACKLINKS]


def ahrefs_referring_domains(links, path, *, encoding="utf-16", delimiter="\t"):
    by_domain = defaultdict(list)
    for link in links:
        by_domain[registrable_domain(link.host)].append(link)
    rows = []
    for domain, group in by_domain.items():
        rows.append(
            [
                domain,
                str(any(g.spam for g in group)).lower(),
                "40",
                "120",
                "30",
                "1,200",
                "80",
                str(len(group)),
                str(sum(not g.nofollow for g in group)),
                f"{min(g.first_seen for g in group):%Y-%m-%d}",
                f"{max(g.last_seen for g in group):%Y-%m-%d}" if all(g.lost for g in group) else "",
            ]
        )
    return _write(path, AHREFS_DOMAINS, rows, encoding=encoding, delimiter=delimiter, quoting=csv.QUOTE_ALL)


def semrush_backlinks(links, path, *, encoding="utf-8", delimiter=","):
    rows = [
        [
            "35",
            f"About {link.host}",
            link.url,
            link.target,
            link.anchor,
            "12",
            "40",
            str(link.nofollow).lower(),
            "false",
            "false",
            "true",
            "false",
            "false",
            "false",
            "false",
            f"{link.first_seen:%Y-%m-%d}",
            f"{link.last_seen:%Y-%m-%d}",
            "false",
            str(link.lost).lower(),
        ]
        for link in links
    ]
    return _write(path, SEMRUSH, rows, encoding=encoding, delimiter=delimiter)


def moz_links(links, path, *, encoding="utf-8", delimiter=","):
    before = ["Links to example.com", "Exported 2026-11-20", ""]
    rows = [
        [
            link.url,
            f"About {link.host}",
            link.anchor,
            "70%" if link.spam else "2%",
            "30",
            "40",
            "5",
            "300",
            "external",
            link.target,
            str(not link.nofollow).lower(),
            str(link.nofollow).lower(),
            str(link.nofollow).lower(),
            str(not link.nofollow).lower(),
            "false",
        ]
        for link in links
        if not link.lost
    ]
    return _write(path, MOZ, rows, encoding=encoding, delimiter=delimiter, before=before)


def majestic_backlinks(links, path, *, encoding="utf-8", delimiter=","):
    rows = [
        [
            link.target,
            link.url,
            link.anchor,
            f"{link.last_seen:%Y-%m-%d}",
            f"{link.first_seen:%Y-%m-%d}",
            "+" if link.nofollow else "",
            "",
            "",
            "",
            "",
            "",
            "",
            "20",
            "15",
        ]
        for link in links
        if not link.lost
    ]
    # Majestic marks flags with any non-blank value; a blank is false.
    path = _write(path, MAJESTIC, rows, encoding=encoding, delimiter=delimiter)
    return path


def search_console_latest_links(links, path=None, *, date_style="us", encoding="utf-8-sig"):
    def when(day: dt.date) -> str:
        return f"{day:%b} {day.day}, {day.year}" if date_style == "us" else f"{day:%d/%m/%Y}"

    rows = [[link.url, when(link.last_seen)] for link in links if not link.lost]
    return _write(path, ["Linking page", "Last crawled"], rows, encoding=encoding, delimiter=",")


def search_console_top_linking_sites(links, path, *, encoding="utf-8-sig"):
    by_domain = defaultdict(int)
    for link in links:
        if not link.lost:
            by_domain[registrable_domain(link.host)] += 1
    rows = [[domain, f"{count * 1000:,}", "1"] for domain, count in by_domain.items()]
    return _write(path, ["Site", "Linking pages", "Target pages"], rows, encoding=encoding, delimiter=",")


def search_console_zip(links, path: Path) -> Path:
    folder = path.parent
    latest = search_console_latest_links(links, folder / "Latest links.csv")
    top = search_console_top_linking_sites(links, folder / "Top linking sites.csv")
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(latest, "Latest links.csv")
        archive.write(top, "Top linking sites.csv")
        archive.writestr("Sample target pages.csv", "Target page,Linking pages\r\nhttps://example.com/,3\r\n")
    return path


# Search Console in other languages. Its translated headers aren't published, so these are made up:
# the point is that the bot reads the file whatever the header says.
FRENCH_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
LOCALISED = {
    "fr": (("Page source", "Dernière exploration"), lambda d: f"{d.day} {FRENCH_MONTHS[d.month - 1]} {d.year}"),
    "ja": (("リンク元のページ", "最終クロール日"), lambda d: f"{d:%Y/%m/%d}"),
    "pt": (("Página de origem", "Último rastreamento"), lambda d: f"{d.day} de {d:%b}. de {d.year}".lower()),
    "de": (("Verweisende Seite", "Zuletzt gecrawlt"), lambda d: f"{d:%d.%m.%Y}"),
}


def search_console_latest_links_in(language, links, path, *, encoding="utf-8-sig"):
    header, when = LOCALISED[language]
    rows = [[link.url, when(link.last_seen)] for link in links if not link.lost]
    return _write(path, list(header), rows, encoding=encoding, delimiter=",")


def search_console_top_linking_sites_in_french(links, path, *, encoding="utf-8-sig"):
    by_domain = defaultdict(int)
    for link in links:
        if not link.lost:
            by_domain[registrable_domain(link.host)] += 1
    # French groups thousands with a narrow no-break space.
    rows = [[domain, f"{count * 1000:,}".replace(",", "\u202f"), "1"] for domain, count in by_domain.items()]
    return _write(path, ["Site", "Pages avec lien", "Pages cibles"], rows, encoding=encoding, delimiter=",")


def search_console_zip_in_french(links, path: Path) -> Path:
    folder = path.parent
    latest = search_console_latest_links_in("fr", links, folder / "latest.csv")
    top = search_console_top_linking_sites_in_french(links, folder / "top.csv")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(latest, "Derniers liens.csv")
        archive.write(top, "Principaux sites de référence.csv")
        archive.writestr("Graphique.csv", "Date,Liens\r\n2026-09-15,3\r\n")
    return path


# Ahrefs Link Intersect: a row per referring domain, a column per compared site (see
# knowledge/export_formats.yaml: the exact header is an assumption).
AHREFS_INTERSECT = ["Referring domain", "Domain rating", "Domain traffic", "Intersect"]


def ahrefs_link_intersect(linking: dict[str, set[str]], sites: list[str], path, *, encoding="utf-16", delimiter="\t"):
    rows = [
        [domain, "40", "1,200", str(len(linked)), *[("3" if site in linked else "") for site in sites]]
        for domain, linked in linking.items()
    ]
    return _write(path, AHREFS_INTERSECT + sites, rows, encoding=encoding, delimiter=delimiter, quoting=csv.QUOTE_ALL)


def search_console_workbook(links, path: Path, *, titles=("Latest links", "Top linking sites"), header_language=None):
    """Search Console's "Download Excel": a sheet per table (real date and number cells), plus metadata."""
    import openpyxl

    workbook = openpyxl.Workbook()
    latest = workbook.active
    latest.title = titles[0]
    latest.append(list(LOCALISED[header_language][0]) if header_language else ["Linking page", "Last crawled"])
    for link in links:
        if not link.lost:
            latest.append([link.url, link.last_seen])
    top = workbook.create_sheet(titles[1])
    top.append(["Site", "Linking pages", "Target pages"])
    by_domain = defaultdict(int)
    for link in links:
        if not link.lost:
            by_domain[registrable_domain(link.host)] += 1
    for domain, count in by_domain.items():
        top.append([domain, count * 1000, 1])
    metadata = workbook.create_sheet("Metadata")
    metadata.append(["Property", "https://example.com/"])
    workbook.save(path)
    return path
