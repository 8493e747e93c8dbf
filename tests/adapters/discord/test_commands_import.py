"""Importing an export in Discord: `/backlinks import` with an attachment, fetched from its URL."""

from __future__ import annotations

import datetime as dt
import json

import export_fixtures as F
from discord_flow import answered, inputs, press
from support import rows

LINKS = [
    F.Link("https://news.example.org/story", "Example", dt.date(2026, 9, 3)),
    F.Link("https://blog.other.net/post", "click here", dt.date(2026, 10, 5)),
]


async def import_(standin, name: str, content: bytes, **options) -> tuple[dict, list]:
    attachment = standin.attachment(name, content)
    command = standin.slash_command(sub="import", options=options or None, attachments={"file": attachment})
    await standin.dispatch_interaction(command)
    first = await answered(standin, command)
    follow_ups = await standin.wait_for("POST", rf"/webhooks/{standin.application_id}/{command['token']}")
    return first, follow_ups


async def test_an_attached_export_is_fetched_and_profiled(bot, standin, tmp_path, db_path):
    content = F.majestic_backlinks(LINKS, tmp_path / "m.csv").read_bytes()
    first, follow_ups = await import_(standin, "majestic.csv", content)
    assert first == {"type": 5, "data": {"flags": 64}}, "deferred while the file is fetched"
    assert standin.of("GET", r"/attachments/\d+"), "fetched from the attachment's URL"
    posted = json.dumps([c.json for c in follow_ups])
    assert "Link profile of example.com (Majestic backlinks)" in posted and "Referring domains: 2" in posted
    assert json.loads(rows(db_path, "SELECT state FROM drafts")[0][0])["suggested"]["referring_domains"] == 2
    # "Plan with these" opens the first form with the export's figures filled in, to confirm.
    opened = await press(standin, "backlinks:replan")
    assert opened["type"] == 9, opened
    fields = inputs(opened["data"])
    assert fields["referring_domains"]["value"] == "2" and fields["site"]["value"] == "example.com"


async def test_a_competitors_export_and_a_bad_file(bot, standin, tmp_path, db_path):
    content = F.semrush_backlinks(LINKS, tmp_path / "s.csv").read_bytes()
    _, follow_ups = await import_(standin, "rival.csv", content, competitor=True)
    assert "Added to your competitors: example.com=2" in json.dumps([c.json for c in follow_ups])
    _, refused = await import_(standin, "junk.csv", b"a;b\n1;2\n")
    said = json.dumps([c.json for c in refused])
    assert "I don't recognise the format of junk.csv" in said


async def test_a_file_over_the_limit_is_refused_without_fetching_it(bot, standin):
    bot.engine.imports.max_bytes = 10
    attachment = standin.attachment("big.csv", b"x" * 100)
    command = standin.slash_command(sub="import", attachments={"file": attachment})
    await standin.dispatch_interaction(command)
    refused = await answered(standin, command)
    assert refused["data"]["flags"] == 64 and "the limit is 0 MB" in refused["data"]["content"]
    assert not standin.of("GET", r"/attachments/\d+")


async def test_an_attached_excel_workbook_is_read_sheet_by_sheet(bot, standin, tmp_path):
    content = F.search_console_workbook(LINKS, tmp_path / "links.xlsx").read_bytes()
    _, follow_ups = await import_(standin, "links.xlsx", content)
    posted = json.dumps([c.json for c in follow_ups], ensure_ascii=False)
    assert 'Search Console \\"Latest links\\" + Search Console \\"Top linking sites\\"' in posted
    assert "Referring domains: 2" in posted


async def test_import_refusals_are_said_in_the_persons_discord_language(bot, standin):
    """A German member: the adapter's own refusal (too big, before any fetch) and the engine's (not
    an export it knows) are German, the file's name and the sizes in them as German writes them."""
    bot.engine.imports.max_bytes = 1_500_000
    attachment = standin.attachment("groß.csv", b"x" * 2_500_000)
    command = standin.slash_command(sub="import", attachments={"file": attachment}, locale="de")
    await standin.dispatch_interaction(command)
    refused = (await answered(standin, command))["data"]["content"]
    assert refused == (
        "groß.csv ist 2,5 MB groß; das Limit liegt bei 1,5 MB (BACKLINKS_IMPORT_MAX_MB). "
        "Exportiere weniger Zeilen oder nur die verweisenden Domains."
    )
    assert not standin.of("GET", r"/attachments/\d+")

    bot.engine.imports.max_bytes = 1_000_000
    attachment = standin.attachment("junk.csv", b"a;b\n1;2\n")
    command = standin.slash_command(sub="import", attachments={"file": attachment}, locale="de")
    await standin.dispatch_interaction(command)
    await answered(standin, command)
    follow_ups = await standin.wait_for("POST", rf"/webhooks/{standin.application_id}/{command['token']}")
    said = json.dumps([c.json for c in follow_ups], ensure_ascii=False)
    assert "Das Format von junk.csv erkenne ich nicht. Ich lese: Ahrefs backlinks" in said
    assert "Die erste Zeile war: a;b" in said and "recognise" not in said
