"""Workspace tokens at rest: with BACKLINKS_TOKEN_KEY the OAuth install stores them encrypted, the
bot and the reminder loop still use them, and `backlinks db encrypt-tokens` seals old ones."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_client import install, serve
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from support import rows

from adapters.slack.installations import installation_store
from adapters.slack.notify import SlackNotifier
from bot.conversation import views
from bot.core.events import ChannelKey
from bot.planning import knowledge
from bot.storage.store import Store

BACKLINKS = shutil.which("backlinks", path=str(Path(sys.executable).parent)) or "backlinks"
KEY, OLD_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def oauth(settings, key: str | None = KEY):
    return settings.model_copy(
        update={
            "slack_bot_token": None,
            "slack_client_id": "111.222",
            "slack_client_secret": SecretStr("s3cret"),
            "token_key": SecretStr(key) if key else None,
        }
    )


async def test_an_oauth_install_stores_tokens_encrypted_and_the_bot_still_answers(slack_settings, standin, db_path):
    slack, runner = await serve(oauth(slack_settings), standin)
    try:
        await install(slack)
        [(stored,)] = rows(db_path, "SELECT bot_token FROM slack_bots")
        assert stored.startswith("fernet:") and "xoxb-T2" not in stored
        [(stored_too,)] = rows(db_path, "SELECT bot_token FROM slack_installations")
        assert stored_too.startswith("fernet:") and "xoxb-T2" not in stored_too
        assert b"xoxb-T2" not in db_path.read_bytes() + Path(f"{db_path}-wal").read_bytes()

        await slack.command("plan", team="T2", channel="C9")
        [opened] = await standin.wait_for("views.open")
        assert opened.token == "xoxb-T2", "the bot opens the stored token to answer"
    finally:
        await slack.session.close()
        await runner.cleanup()
        await slack.store.close()


async def test_the_reminder_loop_posts_with_the_decrypted_token(slack_settings, standin, db_path):
    settings = oauth(slack_settings)
    store = await Store.open(settings.database_url)
    try:
        await installation_store(settings, store.engine).async_save(
            Installation(app_id="A1", team_id="T2", user_id="U1", bot_token="xoxb-T2", bot_id="B1", bot_user_id="UB")
        )
        notifier = SlackNotifier(settings=settings, knowledge=knowledge.default(), engine=_Engine(store))
        await notifier.send(ChannelKey("slack", "T2", "C9"), views.info("import.usage"))
        [posted] = await standin.wait_for("chat.postMessage")
        assert posted.token == "xoxb-T2"
    finally:
        await store.close()


class _Engine:  # SlackNotifier only reads engine.store.engine
    def __init__(self, store):
        self.store = store


def encrypt_tokens(db_path: Path, key: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BACKLINKS_TOKEN_KEY": key, "SLACK_CLIENT_ID": "111.222"}
    command = [BACKLINKS, "db", "encrypt-tokens", "--database", str(db_path)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


async def test_encrypt_tokens_seals_old_plain_tokens_and_rotates_keys(slack_settings, db_path):
    store = await Store.open(f"sqlite:///{db_path}")
    try:
        plain = AsyncSQLAlchemyInstallationStore(client_id="111.222", engine=store.engine)
        for team in ("T2", "T3"):
            await plain.async_save(
                Installation(
                    app_id="A1",
                    team_id=team,
                    user_id="U1",
                    bot_token=f"xoxb-{team}",
                    bot_id="B1",
                    installed_at=dt.datetime(2026, 11, 1).timestamp(),
                )
            )
    finally:
        await store.close()
    assert rows(db_path, "SELECT bot_token FROM slack_bots ORDER BY team_id") == [("xoxb-T2",), ("xoxb-T3",)]

    done = encrypt_tokens(db_path, OLD_KEY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Encrypted 4 stored Slack tokens with the first key."  # 2 bots + 2 installations
    sealed = [value for (value,) in rows(db_path, "SELECT bot_token FROM slack_bots ORDER BY team_id")]
    assert all(v.startswith("fernet:") for v in sealed)

    refused = encrypt_tokens(db_path, KEY)  # a new key alone can't open what the old one sealed
    assert refused.returncode == 1 and "can't be decrypted with BACKLINKS_TOKEN_KEY" in refused.stderr
    assert "Nothing was changed." in refused.stderr
    assert [v for (v,) in rows(db_path, "SELECT bot_token FROM slack_bots ORDER BY team_id")] == sealed

    rotated = encrypt_tokens(db_path, f"{KEY},{OLD_KEY}")
    assert rotated.returncode == 0, rotated.stderr
    settings = oauth(slack_settings, KEY)  # from now on the new key alone will do
    store = await Store.open(f"sqlite:///{db_path}")
    try:
        bot = await installation_store(settings, store.engine).async_find_bot(enterprise_id=None, team_id="T3")
        assert bot.bot_token == "xoxb-T3"
    finally:
        await store.close()


def test_without_a_key_encrypt_tokens_says_what_to_set(db_path):
    env = {k: v for k, v in os.environ.items() if k != "BACKLINKS_TOKEN_KEY"}
    done = subprocess.run(
        [BACKLINKS, "db", "encrypt-tokens", "--database", str(db_path)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1 and "set BACKLINKS_TOKEN_KEY first" in done.stderr


async def test_long_rotating_tokens_fit_once_encrypted_on_either_database(any_store, slack_settings):
    # Token rotation gives ~150-character refresh tokens; sealed, they are ~300 (migration 0005).
    refresh = "xoxe-1-" + "A" * 150
    store = installation_store(oauth(slack_settings), any_store.engine)
    await store.async_save(
        Installation(
            app_id="A1",
            team_id="T4",
            user_id="U1",
            bot_token="xoxe.xoxb-1-" + "b" * 140,
            bot_id="B1",
            bot_refresh_token=refresh,
            bot_token_expires_in=43_200,
        )
    )
    bot = await store.async_find_bot(enterprise_id=None, team_id="T4")
    assert bot.bot_refresh_token == refresh
    installation = await store.async_find_installation(enterprise_id=None, team_id="T4")
    assert installation.bot_refresh_token == refresh and installation.bot_token.startswith("xoxe.xoxb-1-")
