"""What a plan form costs, part by part: CPU per form of each step a Slack plan submission takes,
measured alone, in this one process (no load generator, no other request in flight).

    .venv/bin/python bench/form_parts.py            # 400 forms a part
    .venv/bin/python bench/form_parts.py --forms 1000

bench/bench_intake.py floods the real `backlinks serve` and prints its CPU per form; this tells
where it goes, and what the parts that no change to the intake can remove already cost. Each row
is a part of what the web process does for one form, measured over `--forms` forms (the example
answers, each for a new channel), writes in groups of 16 as a flood's group commits take them:

  Bolt            slack-bolt's dispatch of the signed form to a listener that only acks (the bare
                  floor's own work, without its HTTP server)
  validate        engine.read(values): every answer parsed, before the ack
  inbox write     the durable write before the ack (bot/intake/rows.py), 16 a transaction
  read session    the draft and the last plan of the channel (Store.load_session), 16 a query
  settle          the answers read at the ack settled on the draft (questionnaire.settle_read), as
                  the work does (it parsed them all again, questionnaire.apply, before)
  plan            planner.plan
  reply           the plan's reply composed and rendered as Block Kit (views + SlackRenderer)
  store           Store.save_plan, 16 a transaction
  done            the inbox row marked done, 16 a transaction

HTTP (aiohttp serving the request, slack_sdk posting the plan) and the event loop's own work come
on top; the flood's figure has them all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import urllib.parse
from pathlib import Path

from common import example_answers
from report import Report, Result, table
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_client import SECRET, filled_state, signed_headers, view_submission
from slack_standin import SlackStandIn

from adapters.slack.blocks import CALLBACK_PREFIX, SlackRenderer
from bot.conversation.questionnaire import Draft, apply, settle_read
from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.intake.rows import InboxRows
from bot.planning import knowledge as knowledge_module
from bot.planning.plan_reply import plan_reply
from bot.planning.planner import plan
from bot.storage.store import Store

GROUP = 16


async def measure(forms: int) -> list[tuple[str, float]]:
    from bare_slack import bare_app

    knowledge = knowledge_module.default()
    typed, _ = example_answers(knowledge.questionnaire)
    folder = Path(tempfile.mkdtemp(prefix="form-parts-"))
    store = await Store.open(f"sqlite:///{folder / 'bot.db'}")
    engine = Engine(knowledge=knowledge, store=store)
    renderer = SlackRenderer(knowledge)
    rows = InboxRows(store, lease=__import__("datetime").timedelta(seconds=120))
    standin = SlackStandIn(check=False)  # Bolt asks auth.test once, at its first request
    await standin.start()
    app = bare_app(standin.api_url)
    view = {
        "id": "V0",
        "type": "modal",
        "callback_id": CALLBACK_PREFIX + "plan",
        "private_metadata": json.dumps({"channel": "C0", "response_url": ""}),
        "blocks": [],
        "state": {"values": {}},
    }
    body = "payload=" + urllib.parse.quote(json.dumps(view_submission(view, filled_state(view, {}))))
    headers = signed_headers(body, secret=SECRET)
    channels = [ChannelKey("slack", "T1", f"C{n}") for n in range(forms)]
    results: list[tuple[str, float]] = []

    async def timed(name: str, step) -> None:
        started = time.process_time()
        await step()
        results.append((name, (time.process_time() - started) / forms * 1000))

    async def bolt() -> None:
        for _ in range(forms):
            await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))

    async def validate() -> None:
        for _ in range(forms):
            engine.read(typed, "plan")

    async def grouped(each) -> None:
        for start in range(0, forms, GROUP):
            await asyncio.gather(*(each(n) for n in range(start, min(forms, start + GROUP))))

    entries: dict[int, int] = {}

    async def inbox(n: int) -> None:
        entry = await rows.insert("slack", f"k{n}", {"values": typed}, channels[n])
        entries[n] = entry.id

    async def session(n: int) -> None:
        await store.load_session(channels[n], "U1")

    read = engine.read(typed, "plan")[0]

    async def settle() -> None:
        for _ in range(forms):
            settle_read(Draft(), read)

    draft, _ = apply(knowledge.questionnaire, Draft(), typed)
    made = plan(draft.answers, knowledge)

    async def planned() -> None:
        for _ in range(forms):
            plan(draft.answers, knowledge)

    async def reply() -> None:
        for _ in range(forms):
            renderer.messages(plan_reply(plan_result, knowledge))

    plan_result = made
    answers, stored_plan = dict(draft.answers), made.model_dump(mode="json")

    async def save(n: int) -> None:
        await store.save_plan(channels[n], "U1", answers, stored_plan, request=f"k{n}")

    async def done(n: int) -> None:
        await rows.done(entries[n])

    await timed("Bolt: dispatch to a listener that acks (the floor's work)", bolt)
    await timed("validate (engine.read), before the ack", validate)
    await timed(f"inbox write, {GROUP} a transaction, before the ack", lambda: grouped(inbox))
    await timed(f"read the session (draft, last plan), {GROUP} a query", lambda: grouped(session))
    await timed("settle the answers read at the ack", settle)
    await timed("plan (planner.plan)", planned)
    await timed("reply: composed and rendered as Block Kit", reply)
    await timed(f"store the plan, {GROUP} a transaction", lambda: grouped(save))
    await timed(f"mark the inbox row done, {GROUP} a transaction", lambda: grouped(done))
    await store.close()
    await standin.stop()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=400)
    args = parser.parse_args(argv)
    run = Report(
        "Backlinks bot: what a plan form costs, part by part",
        __file__,
        argv,
        details=[
            f"CPU per form, each part alone ({args.forms} forms a part, one process); "
            "floor: Bolt's dispatch to a listener that acks (the bare app's own work)"
        ],
    )
    run.print_head()
    asyncio.run(measure(20))  # warm-up: imports, compiled templates and statements
    results = asyncio.run(measure(args.forms))
    floor = Result(results[0][0], args.forms, results[0][1], "ms")
    rows = [floor] + [Result(name, args.forms, ms, "ms", floor=floor) for name, ms in results[1:]]
    total = sum(ms for _, ms in results)
    rows.append(Result("all of them", args.forms, total, "ms", floor=floor))
    for line in table(rows, title="part (CPU per form)", count="forms"):
        print(line)
    print(f"all of them: one core's worth is {1000 / total:.0f} forms/s")
    print("  (without HTTP: aiohttp serving the form, slack_sdk posting the plan, the event loop)")
    run.print_tail()


if __name__ == "__main__":
    main()
