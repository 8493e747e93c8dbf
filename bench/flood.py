"""A flood of signed Slack plan-form submissions, sent from its own process (the load generator of
bench/bench_intake.py, so the server under test never shares its event loop with its load).

    python bench/flood.py URL VIEW.json --seconds 10 --senders 16 --retry now --prefix A

Each of `senders` tasks submits the plan form (the view the bot opened, filled with the example
answers) for a channel of its own, one after another: a new view id and channel each time, signed as
Slack signs it. A "busy" answer (response_action: errors) is retried with the same submission, at
once (`--retry now`) or after a second (`--retry 1s`), as a person pressing Submit again would. It
prints one JSON line: the keys acknowledged (an empty 200), the busy answers, the failures, and the
ack latencies' percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import urllib.parse
from pathlib import Path

import aiohttp

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests" / "helpers")]

from common import example_answers, percentile  # noqa: E402
from slack_client import SECRET, filled_state, signed_headers, view_submission  # noqa: E402

from bot.planning.knowledge import load  # noqa: E402


async def flood(url: str, view: dict, *, seconds: float, senders: int, retry: float, prefix: str) -> dict:
    typed, _ = example_answers(load().questionnaire)
    state = filled_state(view, typed)
    meta = json.loads(view["private_metadata"])
    acked: list[str] = []
    latencies: list[float] = []
    busy = failed = 0
    begun = time.monotonic()
    stop = begun + seconds
    slow: list[tuple[float, float]] = []  # (seconds into the flood, seconds to the answer) past a second

    # The body is encoded once, with markers where each submission's view id and channel go
    # (letters and digits, which percent-encoding leaves as they are): a new body is then two string
    # replacements, ~20 µs, where encoding the 21 kB form again took ~1.5 ms of the cores the server
    # under test shares with this process (as much as the bare floor's whole ack).
    channel_meta = {**meta, "channel": "CHANNELMARKER"}
    payload = view_submission({**view, "private_metadata": json.dumps(channel_meta)}, state, view_id="VIEWMARKER")
    template = "payload=" + urllib.parse.quote(json.dumps(payload))

    def body(n: int, i: int) -> tuple[str, str]:
        view_id = f"V{prefix}{n}x{i}"
        text = template.replace("VIEWMARKER", view_id).replace("CHANNELMARKER", f"C{prefix}{n}x{i}")
        return text, f"slack:T1:{view_id}:h-{view_id}"

    async def sender(session: aiohttp.ClientSession, n: int) -> None:
        nonlocal busy, failed
        i = 0
        text, key = body(n, i)
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                async with session.post(url, data=text.encode(), headers=signed_headers(text, secret=SECRET)) as r:
                    answer = await r.text()
                    status = r.status
            except aiohttp.ClientError:
                failed += 1
                await asyncio.sleep(0.1)
                continue
            latencies.append(time.monotonic() - started)
            if latencies[-1] > 1.0:
                slow.append((round(started - begun, 2), round(latencies[-1], 2)))
            if status == 200 and answer == "":
                acked.append(key)
                i += 1
                text, key = body(n, i)
            elif status == 200 and "response_action" in answer:
                busy += 1  # the form stays open: the same submission again
                if retry:
                    await asyncio.sleep(retry)
            else:
                failed += 1
                i += 1
                text, key = body(n, i)

    connector = aiohttp.TCPConnector(limit=senders)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(sender(session, n) for n in range(senders)))
    latencies.sort()
    return {
        "acked": acked,
        "busy": busy,
        "failed": failed,
        "answers": len(latencies),
        "p50": percentile(latencies, 0.5) if latencies else None,
        "p99": percentile(latencies, 0.99) if latencies else None,
        "max": latencies[-1] if latencies else None,
        "slow": slow,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("view", type=Path, help="the plan modal the bot opened (views.open's view), as JSON")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--retry", choices=["now", "1s"], default="now")
    parser.add_argument("--prefix", default="A", help="keeps view ids and channels apart between floods")
    args = parser.parse_args()
    view = json.loads(args.view.read_text())
    result = asyncio.run(
        flood(
            args.url,
            view,
            seconds=args.seconds,
            senders=args.senders,
            retry=0.0 if args.retry == "now" else 1.0,
            prefix=args.prefix,
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
