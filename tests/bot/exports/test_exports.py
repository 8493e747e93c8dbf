"""Backlink exports: every format and encoding the tools write, the profile, bad files, and import."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
import zipfile

import export_fixtures as F
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import TYPED_ANSWERS, MemoryChat, rows

from bot.core.events import ChannelKey, Said
from bot.exports import ExportError, read_profile
from bot.exports import formats as export_formats
from bot.exports.profile import anchor_kind
from bot.exports.values import SpelledDates, parse_count, parse_date

FORMATS = export_formats.default()
LIMIT = 50_000_000
LINKS = [
    F.Link("https://news.example.org/story", "Example", dt.date(2026, 9, 3)),
    F.Link("https://blog.other.net/post", "click here", dt.date(2026, 10, 5), nofollow=True),
    F.Link("https://www.third.co.uk/review", "best running shoes", dt.date(2026, 10, 20)),
    F.Link("https://news.example.org/second", "example.com", dt.date(2026, 8, 1)),
    F.Link("https://gone.io/x", "x", dt.date(2026, 7, 1), lost=True, spam=True),
]
WRITERS = {
    "Ahrefs backlinks": F.ahrefs_backlinks,
    "Ahrefs referring domains": F.ahrefs_referring_domains,
    "Semrush backlinks": F.semrush_backlinks,
    "Moz Link Explorer links": F.moz_links,
    "Majestic backlinks": F.majestic_backlinks,
    'Search Console "Latest links"': F.search_console_latest_links,
    'Search Console "Top linking sites"': F.search_console_top_linking_sites,
}


def profile(path, **kwargs):
    return read_profile(path, FORMATS, max_bytes=LIMIT, **kwargs).summary("2026-11")


@pytest.mark.parametrize("label", list(WRITERS))
def test_every_format_is_recognised_and_counts_the_same_live_referring_domains(label, tmp_path):
    summary = profile(WRITERS[label](LINKS, tmp_path / "export.csv"))
    assert summary["format"] == label
    assert summary["referring_domains"] == 3  # example.org, other.net, third.co.uk (registrable domains)
    assert summary["skipped_rows"] == 0


def test_the_search_console_zip_reads_both_link_files(tmp_path):
    summary = profile(F.search_console_zip(LINKS, tmp_path / "links.zip"))
    assert summary["format"] == 'Search Console "Latest links" + Search Console "Top linking sites"'
    assert summary["referring_domains"] == 3


def test_the_profile_of_a_full_export(tmp_path):
    summary = profile(F.ahrefs_backlinks(LINKS, tmp_path / "a.csv"))
    assert summary["target_domain"] == "example.com"
    assert summary["lost_domains"] == 1 and summary["spam_share"] == 0.25
    assert summary["dofollow_share"] == 0.8
    assert summary["new_by_month"]["2026-10"] == 2 and summary["new_by_month"]["2026-08"] == 1
    assert summary["new_by_month"]["2026-09"] == 0, "example.org was first seen in August"
    assert summary["recent_monthly_rd"] == round(2 / 3)  # Aug-Oct: 1, 0, 2 → last three full months Aug..Oct
    assert summary["anchors"] == {"branded": 1, "naked_url": 1, "generic": 1, "keyword": 2}
    assert summary["top10_share"] == 1.0


@pytest.mark.parametrize("label", [k for k in WRITERS if not k.startswith(("Ahrefs", "Moz"))])
def test_an_export_without_spam_flags_claims_no_spam_share(label, tmp_path):
    assert profile(WRITERS[label](LINKS, tmp_path / "export.csv"))["spam_share"] is None


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]),
    delimiter=st.sampled_from(["\t", ",", ";"]),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
)
def test_the_same_rows_in_another_encoding_or_delimiter_give_the_same_profile(tmp_path, encoding, delimiter, quoting):
    reference = profile(F.ahrefs_backlinks(LINKS, tmp_path / "ref.csv"))
    path = F.ahrefs_backlinks(LINKS, tmp_path / "other.csv", encoding=encoding, delimiter=delimiter, quoting=quoting)
    assert profile(path) == reference


def test_stray_header_whitespace_and_case_are_forgiven(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        " Source URL ,TARGET url,  Anchor,Page AScore, First Seen \nhttps://a.example.com/x,https://me.com/,me,1,2026-10-01\n"
    )
    summary = profile(path)
    assert summary["format"] == "Semrush backlinks" and summary["referring_domains"] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sep 15, 2026", dt.date(2026, 9, 15)),
        ("28/09/2026", dt.date(2026, 9, 28)),
        ("09/28/2026", dt.date(2026, 9, 28)),
        ("2026-09-15 10:00:00", dt.date(2026, 9, 15)),
        ("15.09.2026", dt.date(2026, 9, 15)),
        ("", None),
        ("soon", None),
    ],
)
def test_localised_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("1,234", 1234), ("1.234", 1234), ("1 234", 1234), ("12", 12), ("", None)]
)
def test_thousands_separators(text, expected):
    assert parse_count(text) == expected


def test_search_console_day_first_dates(tmp_path):
    path = F.search_console_latest_links(LINKS, tmp_path / "Latest links.csv", date_style="eu")
    assert profile(path)["referring_domains"] == 3


@pytest.mark.parametrize(
    ("anchor", "kind"),
    [
        ("Example", "branded"),
        ("example shop", "branded"),
        ("https://example.com/", "naked_url"),
        ("www.example.com", "naked_url"),
        ("click here", "generic"),
        ("", "generic"),
        ("best running shoes", "keyword"),
    ],
)
def test_anchor_kinds(anchor, kind):
    assert anchor_kind(anchor, "example") == kind


def test_an_unknown_format_says_what_is_known_and_what_it_saw(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("when,who,what\n1,2,3\n")
    with pytest.raises(ExportError) as refused:
        profile(path)
    assert "I don't recognise the format of mine.csv" in str(refused.value)
    assert "Ahrefs backlinks" in str(refused.value) and "Majestic backlinks" in str(refused.value)
    assert "Its first line was: when,who,what" in str(refused.value)


def test_bad_files_get_a_clear_message(tmp_path):
    cases = {
        "empty.csv": (b"", "is empty"),
        "junk.csv": (bytes(range(256)) * 20, "binary file"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ExportError, match=message):
            profile(tmp_path / name)
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("Performance.csv", "Date,Clicks\n")
    with pytest.raises(ExportError, match=r"holds no Search Console links file .*it holds: performance.csv"):
        profile(tmp_path / "other.zip")
    with pytest.raises(ExportError, match="can't be opened"):
        profile(tmp_path / "missing.csv")
    with zipfile.ZipFile(tmp_path / "links.xlsx", "w") as workbook:  # the shape of an Excel file, broken
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ExportError, match="links.xlsx looks like an Excel workbook but can't be read as one"):
        profile(tmp_path / "links.xlsx")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = F.ahrefs_backlinks(LINKS, tmp_path / "big.csv")
    with pytest.raises(ExportError, match="the limit is"):
        read_profile(path, FORMATS, max_bytes=100)


def test_malformed_rows_are_skipped_and_counted(tmp_path):
    path = F.semrush_backlinks(LINKS, tmp_path / "s.csv")
    with open(path, "a", encoding="utf-8") as out:
        out.write("broken,row\n")
        out.write(
            "35,t,not a url at all,https://example.com/,a,1,1,false,false,false,true,false,false,false,false,2026-10-01,,false,false\n"
        )
        out.write("\n")
    summary = profile(path)
    assert summary["skipped_rows"] == 2 and summary["referring_domains"] == 3


# Search Console in the user's language: recognised by its rows.


@pytest.mark.parametrize("language", sorted(F.LOCALISED))
def test_search_console_latest_links_in_any_language_are_read_by_their_rows(language, tmp_path):
    summary = profile(F.search_console_latest_links_in(language, LINKS, tmp_path / "liens.csv"))
    assert summary["format"] == 'Search Console "Latest links"'
    assert summary["referring_domains"] == 3 and summary["skipped_rows"] == 0
    assert summary["latest_seen"] == "2026-11-01", "the last-crawled dates are read"
    assert summary["new_by_month"] is None and summary["recent_monthly_rd"] is None, "a crawl date is no first-seen"


def test_a_search_console_zip_in_french_reads_both_link_files_and_passes_over_the_chart(tmp_path):
    summary = profile(F.search_console_zip_in_french(LINKS, tmp_path / "liens.zip"))
    assert summary["format"] == 'Search Console "Latest links" + Search Console "Top linking sites"'
    assert summary["referring_domains"] == 3
    assert summary["top10_share"] == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 sept. 2026", dt.date(2026, 9, 15)),
        ("15 de set. de 2026", dt.date(2026, 9, 15)),
        ("2026年9月15日", dt.date(2026, 9, 15)),
        ("15 сент. 2026 г.", dt.date(2026, 9, 15)),
        ("2026/09/15", dt.date(2026, 9, 15)),
        ("soon", None),
    ],
)
def test_spelled_dates_in_other_languages(text, expected):
    assert (parse_date(text) or SpelledDates()(text)) == expected


def test_spelled_dates_stop_trying_after_a_few_texts_that_are_no_dates():
    spelled = SpelledDates()
    for junk in ("15 foo 2026", "16 bar 2026", "17 baz 2026"):
        assert spelled(junk) is None
    assert spelled.misses == SpelledDates.MISSES
    assert spelled("15 sept. 2026") is None, "an import with junk dates no longer spends seconds on each"
    assert SpelledDates()("15 sept. 2026") == dt.date(2026, 9, 15)


def test_a_header_nobody_knows_over_rows_of_no_known_shape_is_still_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Seite,Wann\nhttps://a.example.org/,morgen\n")
    with pytest.raises(ExportError, match="I don't recognise the format of x.csv"):
        profile(path)


def test_a_zip_that_unzips_far_beyond_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Latest links.csv", "Linking page,Last crawled\n" + "\n" * 3_000_000)
    with pytest.raises(ExportError, match="unzips to 3 MB, more than an export of 0.1 MB holds"):
        read_profile(path, FORMATS, max_bytes=100_000)


# Excel workbooks: each sheet read like a CSV.


def test_a_search_console_workbook_reads_both_link_sheets_and_passes_over_metadata(tmp_path):
    summary = profile(F.search_console_workbook(LINKS, tmp_path / "links.xlsx"))
    assert summary["format"] == 'Search Console "Latest links" + Search Console "Top linking sites"'
    assert summary["referring_domains"] == 3 and summary["skipped_rows"] == 0
    assert summary["latest_seen"] == "2026-11-01", "date cells are read"
    assert summary["top10_share"] == 1.0


def test_a_workbook_in_another_language_is_read_by_its_rows(tmp_path):
    path = F.search_console_workbook(
        LINKS, tmp_path / "liens.xlsx", titles=("Derniers liens", "Sites"), header_language="fr"
    )
    summary = profile(path)
    assert summary["format"].startswith('Search Console "Latest links"') and summary["referring_domains"] == 3


def test_a_workbook_saved_under_a_csv_name_is_still_read(tmp_path):
    path = F.search_console_workbook(LINKS, tmp_path / "links.xlsx").rename(tmp_path / "links.csv")
    assert profile(path)["referring_domains"] == 3


def test_a_workbook_with_a_broken_sheet_says_so(tmp_path):
    path = F.search_console_workbook(LINKS, tmp_path / "links.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as good, zipfile.ZipFile(broken, "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            bad.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(ExportError, match="broken.xlsx could not be read"):
        profile(broken)


def test_a_workbook_without_an_export_names_its_sheets(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Budget"
    workbook.active.append(["Month", "Spend"])
    workbook.active.append(["October", 300])
    workbook.save(tmp_path / "budget.xlsx")
    with pytest.raises(ExportError, match="budget.xlsx holds no sheet of an export I recognise; its sheets: Budget"):
        profile(tmp_path / "budget.xlsx")


# Ahrefs Link Intersect: the competitors.

RIVALS = ["https://rival-one.com/", "rival-two.co.uk (subdomains)", "example.com"]
INTERSECT = {
    "news.example.org": {"https://rival-one.com/", "rival-two.co.uk (subdomains)"},
    "blog.other.net": {"https://rival-one.com/", "rival-two.co.uk (subdomains)", "example.com"},
    "third.co.uk": {"https://rival-one.com/"},
    "www.fourth.io": {"rival-two.co.uk (subdomains)", "https://rival-one.com/"},
}


def test_a_link_intersect_export_counts_each_compared_sites_domains(tmp_path):
    summary = profile(F.ahrefs_link_intersect(INTERSECT, RIVALS, tmp_path / "intersect.csv"))
    assert summary["format"] == "Ahrefs Link Intersect"
    assert summary["compared"] == {"rival-one.com": 4, "rival-two.co.uk": 3, "example.com": 1}
    assert summary["linking_to_two_or_more"] == 3
    assert summary["prospects"] == ["other.net", "example.org", "fourth.io"]


def test_a_link_intersect_header_without_site_columns_is_not_one(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text("Domain,Intersect,DR\na.example.org,2,30\n")
    with pytest.raises(ExportError, match="I don't recognise the format"):
        profile(path)


# Import through the engine (the console hands the file over).


async def plan_first(chat: MemoryChat) -> None:
    await chat.answer_all()


async def test_import_fills_the_plan_and_counts_new_domains_as_progress_once(engine, db_path, tmp_path, store):
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    await chat.answer_all()
    [(made,)] = rows(db_path, "SELECT created_at FROM plans")
    month = str(made)[:7]
    fresh = [
        F.Link(f"https://site{n}.example{n}.org/p", "Example", dt.date.fromisoformat(f"{month}-02")) for n in range(3)
    ]
    await chat.say("log https://site0.example0.org/other")  # logged by hand first
    path = F.ahrefs_backlinks(LINKS + fresh, tmp_path / "mine.csv")
    reply = await chat._send(Said(chat.channel, "alice", "import", file=str(path)))
    assert "Link profile of example.com (Ahrefs backlinks)" in reply
    assert "Referring domains: 6 live, 1 lost" in reply
    assert f"Counted as progress (new referring domains by first-seen month): {month}: 2." in reply
    assert rows(db_path, "SELECT count(*) FROM progress WHERE source = 'import'") == [(2,)]
    assert "Suggested for your plan: referring domains: 6;" in reply and "referring_domains" not in reply
    draft = json.loads(rows(db_path, "SELECT state FROM drafts")[0][0])
    assert draft["suggested"]["referring_domains"] == 6 and "referring_domains" not in draft["answers"]
    assert draft["suggested"]["lost_referring_domains"] == 1, "the export's lost domains, for reclaiming"
    assert 0 <= draft["suggested"]["followed_share"] <= 100, "the exporters carry nofollow: the followed share"
    again = await chat._send(Said(chat.channel, "alice", "import", file=str(path)))
    assert "Counted as progress" not in again, "a second import of the same export adds nothing"
    # The figures are shown for confirmation: asked again, with the import's value as the default.
    resumed = await chat.say("plan")
    assert (
        "Your import's figures (referring domains, new referring domains a month, referring domains lost and "
        "followed share) are offered as defaults"
    ) in resumed
    assert "Picking up where you left off" not in resumed, "nothing was answered yet: a new plan, not a resumed one"
    await chat.say("")  # site: keeps example.com
    await chat.say("")  # kind of site: keeps saas
    asked = await chat.say("")  # authority: keeps 35
    assert "How many referring domains link to it now?" in asked and "Enter keeps 6" in asked
    await chat.say("")  # referring domains: keeps 6
    asked = await chat.say("")  # site age: keeps 30
    assert "How many new referring domains does the site gain a month lately" in asked
    assert f"Enter keeps {draft['suggested']['recent_monthly_rd']}" in asked
    asked = await chat.say("")
    assert "How many referring domains has the site lost lately" in asked and "Enter keeps 1" in asked
    [(stored,)] = rows(db_path, "SELECT state FROM drafts")
    assert json.loads(stored)["answers"]["referring_domains"] == 6, "confirmed with Enter"


async def test_a_competitors_export_fills_competitors(engine, db_path, tmp_path):
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    path = F.semrush_backlinks(LINKS, tmp_path / "rival.csv")
    reply = await chat._send(Said(chat.channel, "alice", "import competitor", file=str(path)))
    # 3 live referring domains, and its own pace from first-seen dates (the last three months: 1 a month),
    # so the plan knows how fast this competitor moves.
    assert "Competitor's link profile" in reply and "Added to your competitors: example.com=3+1" in reply
    draft = json.loads(rows(db_path, "SELECT state FROM drafts")[0][0])
    assert draft["suggested"]["competitors"] == [{"domain": "example.com", "referring_domains": 3, "monthly_new": 1}]
    again = await chat._send(Said(chat.channel, "alice", "import competitor", file=str(path)))
    assert "Added to your competitors: example.com=3+1." in again, "the same competitor is replaced, not added twice"
    assert rows(db_path, "SELECT count(*) FROM progress") == [(0,)], "a competitor's links are not our progress"


async def test_a_link_intersect_export_fills_competitors_without_your_own_site(engine, db_path, tmp_path):
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    await chat.say("plan site=example.com")
    path = F.ahrefs_link_intersect(INTERSECT, RIVALS, tmp_path / "intersect.csv")
    reply = await chat._send(Said(chat.channel, "alice", "import", file=str(path)))
    assert "Link Intersect of rival-one.com, rival-two.co.uk (Ahrefs Link Intersect)" in reply
    assert "rival-one.com 4, rival-two.co.uk 3, example.com 1" in reply
    assert "2 domains link to two or more of your competitors but not to you" in reply
    assert "Start outreach with example.org, fourth.io" in reply
    assert "Added to your competitors: rival-one.com=4, rival-two.co.uk=3." in reply
    draft = json.loads(rows(db_path, "SELECT state FROM drafts")[0][0])
    assert draft["suggested"]["competitors"] == [
        {"domain": "rival-one.com", "referring_domains": 4},
        {"domain": "rival-two.co.uk", "referring_domains": 3},
    ]
    assert "referring_domains" not in draft["suggested"], "the intersect is not the site's own profile"
    assert rows(db_path, "SELECT count(*) FROM progress") == [(0,)]


async def test_a_link_intersect_never_lowers_a_competitor_count_already_known(engine, db_path, tmp_path):
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    answers = {**dict(TYPED_ANSWERS), "competitors": "rival-one.com=420, 380"}
    await chat.answer_all(list(answers.items()))
    path = F.ahrefs_link_intersect(INTERSECT, RIVALS, tmp_path / "intersect.csv")
    reply = await chat._send(Said(chat.channel, "alice", "import", file=str(path)))
    assert "Added to your competitors: rival-one.com=420, 380, rival-two.co.uk=3." in reply


async def test_search_console_crawl_dates_are_not_taken_for_new_links(engine, db_path, tmp_path):
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    await chat.answer_all()
    [(made,)] = rows(db_path, "SELECT created_at FROM plans")
    crawled = dt.date.fromisoformat(f"{str(made)[:7]}-02")
    old_links = [F.Link(f"https://site{n}.example{n}.org/p", last_seen=crawled) for n in range(3)]
    path = F.search_console_latest_links_in("fr", old_links, tmp_path / "liens.csv")
    reply = await chat._send(Said(chat.channel, "alice", "import", file=str(path)))
    assert "not in this export, which has no first-seen dates" in reply
    assert f"last crawled up to {crawled.isoformat()}" in reply
    assert "Counted as progress" not in reply and rows(db_path, "SELECT count(*) FROM progress") == [(0,)]
    draft = json.loads(rows(db_path, "SELECT state FROM drafts")[0][0])
    assert draft["suggested"]["referring_domains"] == 3 and "recent_monthly_rd" not in draft["suggested"]


async def test_a_refused_file_stores_nothing(engine, db_path, tmp_path):
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    await chat.answer_all()
    before = rows(db_path, "SELECT count(*) FROM drafts"), rows(db_path, "SELECT count(*) FROM progress")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    reply = await chat._send(Said(chat.channel, "alice", "import", file=str(bad)))
    assert "I don't recognise the format of bad.csv" in reply
    assert (rows(db_path, "SELECT count(*) FROM drafts"), rows(db_path, "SELECT count(*) FROM progress")) == before
    assert TYPED_ANSWERS


# Private public suffixes: a site on github.io or blogspot.com is its owner's, not GitHub's or Google's.

SITES_ON_SHARED_HOSTS = [
    F.Link("https://bob.github.io/post", "bob"),
    F.Link("https://carol.github.io/notes/1", "carol"),
    F.Link("https://dave.blogspot.com/2026/09/x.html", "dave"),
    F.Link("https://erin.blogspot.com/", "erin"),
    F.Link("https://www.example.co.uk/review", "example"),
    F.Link("https://news.example.co.uk/story", "example"),
]


def test_sites_under_a_private_suffix_are_separate_referring_domains(tmp_path):
    summary = profile(F.ahrefs_backlinks(SITES_ON_SHARED_HOSTS, tmp_path / "export.csv"))
    # bob.github.io, carol.github.io, dave.blogspot.com, erin.blogspot.com and example.co.uk
    # (www. and news. are one site under the ICANN suffix co.uk).
    assert summary["referring_domains"] == 5


def workbook_bomb(path, *, unzipped_mb: int):
    """A real Search Console workbook whose first sheet is padded with one link repeated: tiny
    zipped, `unzipped_mb` of sheet XML (what openpyxl would read and profile row by row)."""
    source = F.search_console_workbook(LINKS, path.with_suffix(".source.xlsx"))
    row = b'<row><c t="inlineStr"><is><t>https://padding.example.org/</t></is></c><c><v>46000</v></c></row>'
    with zipfile.ZipFile(source) as good, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in good.infolist():
            data = good.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"</sheetData>")
                with bomb.open(member.filename, "w", force_zip64=True) as sheet:
                    sheet.write(head)
                    for _ in range(unzipped_mb * 1_000_000 // len(row)):
                        sheet.write(row)
                    sheet.write(b"</sheetData>" + tail)
            else:
                bomb.writestr(member, data)
    return path


@pytest.mark.parametrize(
    ("max_bytes", "message"),
    [
        (1_000_000, "links.xlsx unzips to 40 MB, more than an export of 1 MB holds"),
        (LIMIT, r"links.xlsx is 0.\d+ MB but unzips to 40 MB, [\d,]+ times as much: no export compresses like that"),
    ],
)
def test_a_workbook_that_unzips_far_beyond_an_export_is_refused_before_reading(tmp_path, max_bytes, message):
    path = workbook_bomb(tmp_path / "links.xlsx", unzipped_mb=40)
    assert path.stat().st_size < 300_000
    started = time.perf_counter()
    with pytest.raises(ExportError, match=message):
        read_profile(path, FORMATS, max_bytes=max_bytes)
    assert time.perf_counter() - started < 0.5, "refused from the zip's directory, not by reading the sheet"
