"""The real Bolt app, served over loopback HTTP as production serves it, against the stand-in."""

from __future__ import annotations

import pytest
from slack_client import SECRET, serve
from slack_standin import SlackStandIn

from bot.core.settings import Settings


@pytest.fixture
async def standin():
    standin = SlackStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
def slack_settings(standin, db_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{db_path}",
        slack_signing_secret=SECRET,
        slack_bot_token="xoxb-T1",
        slack_api_url=standin.api_url,
    )


@pytest.fixture
async def slack(slack_settings, standin):
    bot, runner = await serve(slack_settings, standin)
    yield bot
    await bot.session.close()
    await runner.cleanup()
    await bot.store.close()
