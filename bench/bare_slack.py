"""The floor of bench/bench_intake.py: a bare slack-bolt app that only acks, served in its own
process on Bolt's own aiohttp web app, with the bot's signing secret and the same Web API stand-in.

    python bench/bare_slack.py PORT API_URL
"""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / "tests" / "helpers"),
    str(Path(__file__).resolve().parents[1]),
]

from slack_client import SECRET, TOKEN  # noqa: E402

from adapters.slack.blocks import CALLBACK_PREFIX  # noqa: E402


def bare_app(api_url: str) -> AsyncApp:
    """slack-bolt's AsyncApp with the bot's signing secret and token, whose `/backlinks` command
    and plan-modal listeners only `await ack()`: the floor the Slack benchmarks measure against."""
    app = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET)

    @app.command("/backlinks")
    async def command(ack) -> None:
        await ack()

    @app.view(CALLBACK_PREFIX + "plan")
    async def submitted(ack) -> None:
        await ack()

    return app


def main() -> None:
    port, api_url = int(sys.argv[1]), sys.argv[2]
    web.run_app(bare_app(api_url).web_app(path="/slack/events"), host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
