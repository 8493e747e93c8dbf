"""The real Bolt app, served over loopback HTTP as production serves it, against the stand-in."""

from __future__ import annotations

import pytest
from slack_client import serve, slack_settings
from slack_standin import SlackStandIn

from bot.core.settings import Settings


@pytest.fixture
async def standin():
    standin = SlackStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture(name="slack_settings")
def slack_settings_fixture(standin, migrated_db) -> Settings:
    return slack_settings(standin, f"sqlite:///{migrated_db}")


@pytest.fixture
async def slack(slack_settings, standin):
    bot, runner = await serve(slack_settings, standin)
    yield bot
    await bot.session.close()
    await runner.cleanup()
    await bot.store.close()
