"""A Slack workspace's data leaves when asked: uninstalling the app or revoking its bot token deletes
every row of that workspace (SQLite and PostgreSQL) while other workspaces keep theirs, and
`/backlinks forget` deletes one channel's data, for those who manage the workspace, after a button
checked again at its press. The real Bolt app over loopback HTTP, Slack's Web API on its stand-in."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from slack_client import serve, slack_settings
from tenant_rows import channel_owners, every_row, fill, held_by

from bot.core.events import ChannelKey

ADMIN, MEMBER, OTHER_ADMIN = "UADMIN", "U1", "UADMIN2"


@pytest.fixture
async def bot(standin, store_url):
    standin.roles.update({ADMIN: "admin", OTHER_ADMIN: "owner"})
    bot, runner = await serve(slack_settings(standin, store_url), standin)
    yield bot
    await bot.session.close()
    await runner.cleanup()
    await bot.store.close()


async def filled(bot):
    for platform, workspace in (("slack", "T1"), ("slack", "T2"), ("discord", "T1")):
        await fill(bot.store, platform, workspace)
    before = await every_row(bot.store)
    return before, channel_owners(before)


async def until_gone(bot, owners, workspace="T1", timeout=5.0) -> dict[str, int]:
    """Events are acked first and worked after: wait for the deletion (one transaction: all or none)."""
    deadline = time.monotonic() + timeout
    while (left := held_by(await every_row(bot.store), "slack", workspace, owners)) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return left


async def test_uninstalling_deletes_every_row_of_that_workspace_and_no_other(bot):
    before, owners = await filled(bot)
    assert held_by(before, "slack", "T1", owners), "there was something to delete"

    response = await bot.event("T1", {"type": "app_uninstalled"})
    assert response.status == 200

    assert await until_gone(bot, owners) == {}
    after = await every_row(bot.store)
    assert held_by(after, "slack", "T2", owners) == held_by(before, "slack", "T2", owners)
    assert held_by(after, "discord", "T1", owners) == held_by(before, "discord", "T1", owners), (
        "same id, other platform"
    )


async def test_revoking_the_bot_token_deletes_the_workspace_and_a_user_token_deletes_nothing(bot):
    before, owners = await filled(bot)

    response = await bot.event("T1", {"type": "tokens_revoked", "tokens": {"oauth": [MEMBER], "bot": []}})
    assert response.status == 200
    await asyncio.sleep(0.3)  # worked after the ack: give it the time a deletion took above
    assert await every_row(bot.store) == before, "a user's token revoked: nothing of the workspace goes"

    await bot.event("T1", {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTT1"]}})
    assert await until_gone(bot, owners) == {}
    after = await every_row(bot.store)
    assert held_by(after, "slack", "T2", owners) == held_by(before, "slack", "T2", owners)


def blocks_text(message: dict) -> str:
    return " ".join(
        [message.get("text", ""), *(b.get("text", {}).get("text", "") for b in message.get("blocks") or [])]
    )


def confirm_button(message: dict) -> dict | None:
    for block in message.get("blocks") or []:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element["action_id"] == "forget_confirm":
                return element
    return None


async def ask(bot, user: str, channel: str = "C1") -> dict:
    """What the person is told: on the ack when it is ready within the ack's budget, else (a loaded
    machine) the same message through the command's response_url."""
    before = len(bot.standin.of("respond"))
    response = await bot.command("forget", user=user, channel=channel)
    assert response.status == 200
    if body := await response.text():
        return json.loads(body)
    return (await bot.standin.wait_for("respond", count=before + 1))[before].body


async def press(bot, value: str, *, user: str = ADMIN, channel: str = "C1") -> str:
    """Press the confirmation; what the presser is told (privately, through the response_url)."""
    before = len(bot.standin.of("respond")) + len(bot.standin.of("chat.postMessage"))
    response = await bot.press("forget_confirm", user=user, channel=channel, value=value)
    assert response.status == 200
    deadline = time.monotonic() + 5
    while len(bot.standin.of("respond")) + len(bot.standin.of("chat.postMessage")) == before:
        assert time.monotonic() < deadline, "no answer to the press"
        await asyncio.sleep(0.02)
    last = max([*bot.standin.of("respond"), *bot.standin.of("chat.postMessage")], key=lambda c: c.arrived)
    return " ".join(blocks_text(last.body).split())


def counts(store_rows, key: ChannelKey) -> int:
    ids = {r["id"] for r in store_rows["channels"] if (r["platform"], r["workspace"], r["channel"]) == key_of(key)}
    return sum(
        1 for table in ("plans", "drafts", "reminders", "progress") for r in store_rows[table] if r["channel_id"] in ids
    )


def key_of(key: ChannelKey) -> tuple[str, str, str]:
    return (key.platform, key.workspace, key.channel)


async def test_forget_takes_an_admins_confirmation_checked_again_at_the_press(bot):
    await fill(bot.store, "slack", "T1")
    here, there = ChannelKey("slack", "T1", "C1"), ChannelKey("slack", "T1", "C2")
    stored = counts(await every_row(bot.store), here)
    assert stored > 0

    refused = await ask(bot, MEMBER)
    assert refused["response_type"] == "ephemeral" and confirm_button(refused) is None
    assert "Only a workspace admin or owner, or the person who installed the bot, can delete" in blocks_text(refused)

    preview = await ask(bot, ADMIN)
    assert preview["response_type"] == "ephemeral", "only the admin sees the preview"
    said = " ".join(blocks_text(preview).split())
    assert "2 plans (the current one and its history), 1 plan in progress, its monthly reminder, and 2 progress" in said
    button = confirm_button(preview)
    assert button is not None and button["text"]["text"] == "Delete this channel's data"
    assert counts(await every_row(bot.store), here) == stored, "asking deletes nothing"

    # Pressed by someone else, in another channel, or forged: nothing is deleted.
    assert "That button has expired or was not made for you here" in await press(bot, button["value"], user=OTHER_ADMIN)
    assert "That button has expired or was not made for you here" in await press(bot, button["value"], channel="C2")
    assert "expired" in await press(bot, "C1|UADMIN|0")
    assert "expired" in await press(bot, "nonsense")
    assert counts(await every_row(bot.store), here) == stored

    # Demoted meanwhile: the permission is asked again at the press.
    bot.standin.roles[ADMIN] = ""
    assert "Only a workspace admin or owner" in await press(bot, button["value"])
    assert counts(await every_row(bot.store), here) == stored
    bot.standin.roles[ADMIN] = "admin"

    done = await press(bot, button["value"])
    assert done.startswith("This channel's backlink data is deleted: 2 plans, 1 plan in progress, the monthly reminder")
    [posted] = bot.standin.of("chat.postMessage")
    assert posted.body["channel"] == "C1", "the channel is told, not only the admin"
    after = await every_row(bot.store)
    assert counts(after, here) == 0
    assert counts(after, there) == stored, "the workspace's other channel keeps everything"
    assert "Nothing is stored for this channel" in await press(bot, button["value"]), "pressed twice: nothing more"
