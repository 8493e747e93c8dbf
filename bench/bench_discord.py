"""How many interactions a second the Discord client handles, against a bare discord.py client.

    .venv/bin/python bench/bench_discord.py            # full run, about 75 s on 2 cores
    .venv/bin/python bench/bench_discord.py --quick    # smoke run, about 15 s

Everything runs in this process on one event loop: the loopback stand-in for Discord's gateway and
REST API (tests/helpers/discord_standin.py, steered with its `steer_discord`; its check of each REST
body against Discord's spec on for the checks before timing, off for the timed runs, as the Slack
benchmarks do), and the REAL discord.py clients under test, each connected to it over its own
gateway websocket (HELLO, IDENTIFY, READY as Discord does it). A benchmark interaction is an
INTERACTION_CREATE dispatch (op 0) sent on the gateway; discord.py parses it, runs its command tree
or our `on_interaction`, and answers with the initial response, `POST
/interactions/{id}/{token}/callback`, on the stand-in's REST API. Latency is from the moment the
gateway frame is sent until the stand-in receives that callback (Discord's three-second rule
measures that first response). Machines here are shared and noisy, so the table prints ratios
against a floor measured in the same run (../shared/TESTING.md, Benchmarks).

Clients (both connected for the whole run; each dispatch goes to one of them by its connection):
  bare   a discord.Client (same intents as ours) with a CommandTree whose `/backlinks help` only does
         `await interaction.response.send_message("ok", ephemeral=True)`, whose `/backlinks show` does
         the same publicly (`send_message("ok")`: a fixed message), and whose
         `on_interaction` answers a modal submission with a message ("ok"): the floors.
  ours   adapters.discord.client.BacklinksClient(engine=Engine(knowledge, store), settings=
         Settings(discord_token="token", discord_guild_id=<the stand-in's guild>)) on a temporary
         SQLite database (it syncs its command group to that guild at start-up, as in production).

Scenarios (16 interactions in flight: 16 driver tasks, each dispatching its next interaction as soon
as the previous one's callback arrived):
  help         `/backlinks help` (the same slash-command payload for both clients). Ours asks the
               engine and answers with an ephemeral embed.
  show         `/backlinks show` in the channel whose plan check_once's real flow made (this month's
               plan): ours answers publicly with the plan's embeds and its month, as a burst of
               `show` is answered (one reply composed, kept for a second, rendered once); the floor
               answers the same payload with "ok".
  payload floors (info)  the bare client answering `help` / `show` with the very message ours sent
               (its embeds and buttons, read off ours' callbacks in check_once, built as a bare
               discord.py client builds them): what that message costs by itself, the stand-in's
               share included (everything shares this process). Ours against it is ours' own cost.
  plan submit  the submission of the last section's modal (Capacity: strategies, hours a month)
               that completes a plan, each in a new channel, so each one stores a plan in SQLite and
               posts it (the callback carries the public plan embed and the Re-plan / Details
               buttons). Each channel is prepared before the run, untimed, as the real flow leaves
               it: the draft that the earlier sections' real modal submissions (Authority,
               Momentum, Competitors, Content) stored in a setup walk is copied to the channel
               (the rows Store.save_draft writes, all channels in one transaction; a check proves
               a copy loads like the original), then a real press of "Continue: Capacity" on ours
               opens the Capacity modal (so discord.py holds it in its modal store, as in
               production), and the timed interaction submits that modal. The engine would also
               accept every answer in one modal (it takes any subset); the checks before timing
               confirm that, but no user can send it (a modal holds five inputs), so it is not the
               timed scenario.
  modal floor  the same kind of modal submission to the bare client, answered with a message.

Each scenario first runs untimed (warm-up), then `repeats` timed runs of a fixed number of
interactions (a run dispatches nothing new once it has taken `seconds`, so a slow client cannot
stretch the whole run), interleaved across scenarios so drift hits all of them; a row is the median
of its runs. After every run the benchmark drains: it waits for every callback and for discord.py's
dispatch tasks (CommandTree-invoker, `discord.py: …` event handlers, modal and view dispatches) to
finish, so nothing bleeds into the next measurement. An info line times plan submissions one at a
time, to tell an interaction's own cost from queueing. Garbage-collector pauses are recorded per run
(everything shares one event loop, so a pause stalls every interaction in flight) and summarised per
row, with the size of discord.py's view store of ours at the end. Log records are counted and summarised.

The aims printed as PASS or FAIL are issue 24's: help throughput >= 0.9 × the bare client's, show
throughput >= 0.8 ×.
Discord's own three-second limit for the first response is printed as
PASS or FAIL for p99 as well, and interactions not answered as expected are counted and FAIL. The
script exits 0 either way.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import discord
import sqlalchemy as sa
from common import (
    REPO,
    Config,
    LogTally,
    Row,
    count_rows,
    drive,
    failure_lines,
    measure_and_print,
    ms,
    p99_verdicts,
    percentile,
    run_config,
    table,
    wait_until,
)
from discord import app_commands
from discord_flow import ANSWERS, buttons, inputs, make_client, submit, walk_the_plan
from discord_standin import DiscordStandIn, steer_discord

from adapters.discord.client import BacklinksClient
from adapters.discord.render import FORM_PREFIX
from bot.core.events import ChannelKey
from bot.planning import knowledge as knowledge_module
from bot.storage.schema import channels, drafts
from bot.storage.store import Store

PLAN_TITLE = f"Backlink plan for {ANSWERS['site']}"
CONCURRENCY = 16
HELP_BAR = 0.9  # issue 24: help throughput >= 0.9 × the bare client's, as on Slack
DISCORD_LIMIT_MS = 3000.0  # Discord's deadline for the first response to an interaction
ANSWER_TIMEOUT = 10.0  # an interaction whose callback has not arrived by then counts as failed
DRAIN_SECONDS = 60.0  # give up (and say so) if discord.py's tasks have not finished by then
EPHEMERAL = 1 << 6
CHANNEL_MESSAGE, MODAL = 4, 9  # interaction callback types
SHOW_CHANNEL = 4_000_001  # where check_once's real plan flow stores the plan `show` shows
SHOW_BAR = 0.8  # issue 24: show throughput >= 0.8 × the bare client's, as on Slack


FULL = Config(requests=1000, repeats=3, warmup=200, seconds=10.0, alone=150)
QUICK = Config(requests=150, repeats=2, warmup=50, seconds=3.0, alone=40)


# The stand-in, timing each interaction's callback.


class BenchStandIn(DiscordStandIn):
    """The tests' stand-in, plus: when each interaction's callback arrived, and a tally of the REST calls.

    Everything else (routes, payload builders, dispatch to one client, the callback's answer) is the
    stand-in's own.
    """

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[str, asyncio.Future[tuple[float, int, Any]]] = {}  # interaction id → its callback
        self.tally: dict[str, int] = {}  # "METHOD /route → status" → REST calls answered, over the whole run

    def _callback(self, call: Any, interaction_id: str, token: str) -> tuple[int, Any]:
        arrived = time.perf_counter()
        status, answer = super()._callback(call, interaction_id, token)
        future = self.waiting.pop(interaction_id, None)
        if future is not None and not future.done():
            future.set_result((arrived, status, call.json))
        return status, answer

    async def send(self, connection: Any, payload: dict[str, Any]) -> float:
        """INTERACTION_CREATE to this client's connection; when the frame was handed to the socket."""
        self.interactions[str(payload["id"])] = payload
        return await self.dispatch("INTERACTION_CREATE", payload, connection)

    async def ask(self, connection: Any, payload: dict[str, Any], timeout: float = ANSWER_TIMEOUT) -> Any:
        """Dispatch one interaction and return its callback body (for setup and checks)."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[str(payload["id"])] = future
        await self.send(connection, payload)
        async with asyncio.timeout(timeout):
            _, status, body = await future
        if status != 200:
            raise SystemExit(f"callback for {payload['data']} answered {status}: {json.dumps(body)[:300]}")
        return body

    def forget(self) -> list[Any]:
        """Drop what earlier runs left (every call, payload, response and message is kept otherwise)."""
        calls = super().forget()
        for call in calls:
            route = re.sub(r"/(?:\d+|itoken-[^/]+)(?=/|$)", "/…", call.path)
            kind = f"{call.method} {route} → {call.status}"
            self.tally[kind] = self.tally.get(kind, 0) + 1
        return calls


# The clients.


# What ours answered `help` and `show` with (the callbacks' data, read in check_once): the bare
# client's payload floors send the same message (embeds and buttons), so a ratio against them is
# ours' own cost beyond the message every user sees (the stand-in shares this process: a bigger
# body costs it too).
OURS_SENT: dict[str, dict[str, Any]] = {}


async def send_as_ours(interaction: discord.Interaction, what: str) -> None:
    """Ours' message for `what` (its embeds and buttons) sent as a bare discord.py client sends one."""
    sent = OURS_SENT[what]
    options: dict[str, Any] = {"embeds": [discord.Embed.from_dict(e) for e in sent.get("embeds", [])]}
    buttons = [c for row in sent.get("components", []) for c in row["components"]]
    if buttons:
        view = discord.ui.View(timeout=None)
        for b in buttons:
            view.add_item(
                discord.ui.Button(label=b.get("label"), custom_id=b["custom_id"], style=discord.ButtonStyle(b["style"]))
            )
        view.stop()  # as ours: not kept in discord.py's view store
        options["view"] = view
    await interaction.response.send_message(**options, ephemeral=bool(sent.get("flags", 0) & EPHEMERAL))


def bare_client() -> discord.Client:
    client = discord.Client(intents=discord.Intents(guilds=True))
    tree = app_commands.CommandTree(client)
    group = app_commands.Group(name="backlinks", description="How many backlinks to build each month")

    @group.command(name="help", description="What the bot can do (only to you)")
    async def help_(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    @group.command(name="show", description="This channel's current backlink plan")
    async def show(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")  # public, as ours answers `show`

    @group.command(name="help_as_ours", description="ours' help message")
    async def help_as_ours(interaction: discord.Interaction) -> None:
        await send_as_ours(interaction, "help")

    @group.command(name="show_as_ours", description="ours' show message")
    async def show_as_ours(interaction: discord.Interaction) -> None:
        await send_as_ours(interaction, "show")

    tree.add_command(group)

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await interaction.response.send_message("ok")

    return client


def discord_tasks() -> list[asyncio.Task]:
    """discord.py's per-interaction tasks still running (it keeps no handle to most of them)."""
    running = []
    for task in asyncio.all_tasks():
        name = task.get_name()
        if not task.done() and (
            name == "CommandTree-invoker"
            or name.startswith(
                ("discord.py: ", "discord-ui-modal-dispatch-", "discord-ui-view-dispatch-", "discord-ui-dynamic-item-")
            )
        ):
            running.append(task)
    return running


async def drain(standin: BenchStandIn, what: str) -> float:
    """Wait until no callback is awaited and no discord.py dispatch task is left; the seconds it took."""
    took = await wait_until(
        lambda: all(f.done() for f in standin.waiting.values()) and not discord_tasks(),
        f"{what}: discord.py's tasks",
        seconds=DRAIN_SECONDS,
    )
    standin.waiting.clear()
    return took


# Driving the interactions.


@dataclass
class Run:
    """One timed run of a scenario."""

    elapsed: float  # first dispatch → last callback arrived
    latencies: list[float]  # seconds from each dispatch to its callback (failed ones included)
    failures: list[str]
    stored: int = 0  # plans SQLite gained in the run (plan submissions only)
    drain: float = 0.0  # seconds from the last callback until discord.py's tasks were done
    collections: list[tuple[int, float]] = field(default_factory=list)  # (generation, seconds) of GC pauses
    capped: bool = False  # the time cap stopped the run before every payload was dispatched
    cpu: float = 0.0  # this process's CPU seconds over the run (every part shares it: the stand-in too)


class GcWatch:
    """The garbage collector's pauses (everything shares one event loop, so a pause stalls every interaction)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def start(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))


GC = GcWatch()


async def fire(
    standin: BenchStandIn,
    connection: Any,
    payloads: list[dict[str, Any]],
    expect: Callable[[Any], bool],
    seconds: float = float("inf"),
    concurrency: int = CONCURRENCY,
) -> Run:
    """Dispatch the payloads with `concurrency` driver tasks, each sending its next once its callback came.

    After `seconds` nothing new is dispatched; the run then covers the interactions sent so far.
    """
    latencies: list[float] = []
    failures: list[str] = []
    loop = asyncio.get_running_loop()
    gc.collect()  # the payloads just built (and setup's garbage) must not start a full collection mid-run
    started, cpu = time.perf_counter(), time.process_time()
    last = started
    pauses = len(GC.pauses)

    async def interact(i: int) -> None:
        nonlocal last
        payload = payloads[i]
        future = loop.create_future()
        standin.waiting[str(payload["id"])] = future
        sent = await standin.send(connection, payload)
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                arrived, status, body = await future
        except TimeoutError:
            latencies.append(ANSWER_TIMEOUT)
            failures.append(f"no callback within {ANSWER_TIMEOUT:g} s")
            return
        latencies.append(arrived - sent)
        last = max(last, arrived)
        if status != 200 or not expect(body):
            failures.append(f"callback answered {status}: {json.dumps(body)[:200]}")

    await drive(len(payloads), interact, concurrency=concurrency, seconds=seconds)
    capped = len(latencies) < len(payloads)
    cpu = time.process_time() - cpu
    return Run(max(last - started, 1e-9), latencies, failures, collections=GC.pauses[pauses:], capped=capped, cpu=cpu)


def is_ok_message(body: Any) -> bool:
    return body.get("type") == CHANNEL_MESSAGE and (body.get("data") or {}).get("content") == "ok"


def is_help(body: Any) -> bool:
    """Cheap, per interaction; the full text is checked once before timing."""
    data = body.get("data") or {}
    return body.get("type") == CHANNEL_MESSAGE and bool(data.get("flags", 0) & EPHEMERAL) and bool(data.get("embeds"))


def is_public_ok(body: Any) -> bool:
    return is_ok_message(body) and not (body.get("data") or {}).get("flags", 0) & EPHEMERAL


def is_plan(body: Any) -> bool:
    data = body.get("data") or {}
    embeds = data.get("embeds") or [{}]
    return (
        body.get("type") == CHANNEL_MESSAGE
        and not data.get("flags", 0) & EPHEMERAL
        and embeds[0].get("title") == PLAN_TITLE
    )


class Bench:
    def __init__(self, standin: BenchStandIn, store: Store, ours: Any, bare: Any, draft: dict[str, Any]):
        self.standin = standin
        self.store = store
        self.ours = ours  # gateway connections
        self.bare = bare
        self.draft = draft  # the draft the real flow stored after three sections
        self.channels = iter(range(10_000_000, 99_999_999))  # a new channel id for every plan
        self.stored_plans = 0
        self.prepared = 0.0  # seconds spent preparing channels (untimed)
        self.submit_rate = 0.0  # plan submissions a second in the latest run (0: none yet)
        questionnaire = knowledge_module.default().questionnaire
        self.capacity = [q.id for q in questionnaire.sections[-1].questions]

    def _channel(self) -> int:
        return next(self.channels)

    async def help(self, target: Any, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY) -> Run:
        payloads = [self.standin.slash_command(sub="help") for _ in range(count)]
        expect = is_help if target is self.ours else is_ok_message
        run = await fire(self.standin, target, payloads, expect, seconds, concurrency)
        return await self._settle(run, "help")

    async def payload_floor(self, what: str, count: int, seconds: float, concurrency: int = CONCURRENCY) -> Run:
        """The bare client answering `help` or `show` with the very message ours sent (OURS_SENT)."""
        channel = SHOW_CHANNEL if what == "show" else None
        payloads = [self.standin.slash_command(sub=f"{what}_as_ours", channel_id=channel) for _ in range(count)]
        expect = is_help if what == "help" else is_plan
        run = await fire(self.standin, self.bare, payloads, expect, seconds, concurrency)
        return await self._settle(run, f"{what} payload floor")

    async def help_payload(self, target: Any, count: int, seconds: float = float("inf")) -> Run:
        return await self.payload_floor("help", count, seconds)

    async def show_payload(self, target: Any, count: int, seconds: float = float("inf")) -> Run:
        return await self.payload_floor("show", count, seconds)

    async def show(self, target: Any, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY) -> Run:
        """`/backlinks show` in the channel whose plan the real flow made in check_once (this month's)."""
        payloads = [self.standin.slash_command(sub="show", channel_id=SHOW_CHANNEL) for _ in range(count)]
        expect = is_plan if target is self.ours else is_public_ok
        run = await fire(self.standin, target, payloads, expect, seconds, concurrency)
        return await self._settle(run, "show")

    async def modal_floor(
        self, target: Any, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY
    ) -> Run:
        values = {q: ANSWERS[q] for q in self.capacity}
        payloads = [
            self.standin.modal_submit(f"{FORM_PREFIX}capacity:bare{i}", values, channel_id=self._channel())
            for i in range(count)
        ]
        run = await fire(self.standin, target, payloads, is_ok_message, seconds, concurrency)
        return await self._settle(run, "modal floor")

    async def prepare(self, count: int) -> list[dict[str, Any]]:
        """Channels as the real flow leaves them before the last form: a draft and an open Capacity modal.

        The draft the real flow stored after three sections is copied to every channel in one
        transaction (copy_drafts), then a real "Continue: Capacity" press on ours opens each modal.
        """
        started = time.perf_counter()
        channels = [self._channel() for _ in range(count)]
        await copy_drafts(self.store, [self.key(c) for c in channels], str(self.standin.user_id), self.draft)
        presses = [self.standin.button("backlinks:continue:capacity", channel_id=c) for c in channels]
        run = await fire(self.standin, self.ours, presses, lambda body: body.get("type") == MODAL)
        await drain(self.standin, "opening the Capacity modals")
        if run.failures:
            raise SystemExit(f"preparing plan submissions: {len(run.failures)} of {count} failed: {run.failures[0]}")
        submissions = []  # each channel's own modal (its custom id carries a nonce), filled in
        for press, channel in zip(presses, channels, strict=True):
            modal = self.standin.responses[str(press["id"])]["data"]
            values = {q: ANSWERS[q] for q in inputs(modal)}
            submissions.append(self.standin.modal_submit(modal["custom_id"], values, channel_id=channel))
        self.standin.forget()
        self.prepared += time.perf_counter() - started
        return submissions

    async def submit(
        self, target: Any, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY
    ) -> Run:
        if self.submit_rate and seconds != float("inf"):  # no channels the time cap would leave unused
            count = min(count, int(self.submit_rate * seconds * 1.15) + concurrency)
        payloads = await self.prepare(count)
        before = await count_rows(self.store, "plans")
        run = await fire(self.standin, target, payloads, is_plan, seconds, concurrency)
        run = await self._settle(run, "plan submit")
        run.stored = await count_rows(self.store, "plans") - before
        self.stored_plans += run.stored
        if concurrency == CONCURRENCY:
            self.submit_rate = len(run.latencies) / run.elapsed
        return run

    async def _settle(self, run: Run, what: str) -> Run:
        run.drain = await drain(self.standin, what)
        self.standin.forget()
        return run

    def key(self, channel: int) -> ChannelKey:
        return ChannelKey("discord", str(self.standin.guild_id), str(channel))


async def copy_drafts(store: Store, keys: list[ChannelKey], user: str, state: dict[str, Any]) -> None:
    """The rows Store.save_draft writes (a channel, the user's draft in it), for many channels in one transaction.

    Setup only: save_draft takes a transaction per channel (milliseconds each, thousands per run).
    check_once proves a copied draft loads exactly as the one the real flow stored.
    """
    now = store.clock()
    async with store.engine.begin() as connection:
        await connection.execute(
            sa.insert(channels),
            [{"platform": k.platform, "workspace": k.workspace, "channel": k.channel, "created_at": now} for k in keys],
        )
        ids = {
            row.channel: row.id
            for row in await connection.execute(
                sa.select(channels.c.id, channels.c.channel).where(
                    channels.c.platform == keys[0].platform,
                    channels.c.workspace == keys[0].workspace,
                    channels.c.channel.in_([k.channel for k in keys]),
                )
            )
        }
        await connection.execute(
            sa.insert(drafts),
            [{"channel_id": ids[k.channel], "user_id": user, "state": state, "updated_at": now} for k in keys],
        )


async def check_once(standin: BenchStandIn, store: Store, ours: Any, bare: Any) -> tuple[dict[str, Any], list[str]]:
    """Before timing: each interaction really does what the table claims it measures. Returns the draft to copy."""
    notes: list[str] = []
    guild = str(standin.guild_id)
    help_ = await standin.ask(ours, standin.slash_command(sub="help"))
    OURS_SENT["help"] = help_.get("data", {})
    text = json.dumps(help_.get("data", {}).get("embeds", []))
    if not (is_help(help_) and "Backlinks bot commands" in text):
        raise SystemExit(
            f"`/backlinks help` on ours did not answer with the private help embed: {json.dumps(help_)[:500]}"
        )
    floor = await standin.ask(bare, standin.slash_command(sub="help"))
    if not (is_ok_message(floor) and floor["data"].get("flags", 0) & EPHEMERAL):
        raise SystemExit(f"the bare client did not answer help with a private 'ok': {json.dumps(floor)[:300]}")

    # The real flow on ours (it identified last: the stand-in's own dispatches go to it), up to the
    # last section's form; the draft the earlier sections left is what the timed runs start from.
    channel = SHOW_CHANNEL
    key = ChannelKey("discord", guild, str(channel))
    capacity = await walk_the_plan(standin, until="capacity", channel_id=channel)
    if capacity.get("type") != MODAL:
        raise SystemExit(f"the plan flow did not reach the Capacity form: {json.dumps(capacity)[:500]}")
    draft = await store.load_draft(key, str(standin.user_id)) or {}
    modals = sum(1 for response in standin.responses.values() if response.get("type") == MODAL)
    values = {q: ANSWERS[q] for q in inputs(capacity["data"])}
    final = await submit(standin, capacity["data"], values, channel_id=channel)
    sections = knowledge_module.default().questionnaire.sections
    if set(draft.get("answers", {})) != {q.id for s in sections[:-1] for q in s.questions}:
        raise SystemExit(f"the draft before the last form does not hold the first sections' answers: {draft}")
    if not is_plan(final) or buttons(final["data"]) != ["backlinks:replan", "backlinks:details"]:
        raise SystemExit(f"the Capacity submission did not post the plan: {json.dumps(final)[:500]}")
    await drain(standin, "the plan flow")
    follow_ups = [c.json or {} for c in standin.of("POST", rf"/webhooks/{standin.application_id}/[^/]+")]
    stored = await store.current_plan(key)
    if stored is None or await store.load_draft(key, str(standin.user_id)) is not None:
        raise SystemExit("the Capacity submission stored no plan (or left the draft behind)")
    notes.append(
        f"checked: help on ours answers privately with an embed holding “Backlinks bot commands”; the real flow "
        f"(/backlinks plan, {modals} modals, Continue between them) stores plan #{stored.id} and "
        f"posts “{final['data']['embeds'][0]['title']}” with Re-plan / Details"
    )
    if follow_ups:
        said = "; ".join(_gist(body) for body in follow_ups)
        notes.append(f"  besides the callbacks, the flow sent {len(follow_ups)} follow-up message(s): {said}")
    shown = await standin.ask(ours, standin.slash_command(sub="show", channel_id=channel))
    text = json.dumps(shown.get("data", {}).get("embeds", []))
    if not (is_plan(shown) and "Progress" in text):
        raise SystemExit(f"`/backlinks show` on ours did not answer with the plan and its month: {text[:500]}")
    floor = await standin.ask(bare, standin.slash_command(sub="show", channel_id=channel))
    if not is_public_ok(floor):
        raise SystemExit(f"the bare client did not answer show with a public 'ok': {json.dumps(floor)[:300]}")
    OURS_SENT["show"] = shown["data"]
    embeds = shown["data"]["embeds"]
    notes.append(
        f"checked: show on ours answers publicly with “{embeds[0]['title']}” and its month "
        f"({len(embeds)} embeds, {len(text):,} characters of embed JSON)"
    )
    copied = ChannelKey("discord", guild, "4000003")
    await copy_drafts(store, [copied], str(standin.user_id), draft)
    session = await store.load_session(copied, str(standin.user_id))
    if (session.draft, session.answers) != (draft, None):
        raise SystemExit("a draft copied for the benchmark does not load like the one the real flow stored")
    await store.drop_draft(copied, str(standin.user_id))

    # The shortcut: every answer in one Capacity modal, no draft. Works (the engine takes any subset),
    # but no user can send it (five inputs at most): checked, not timed.
    channel = 4_000_002
    at_once = standin.modal_submit(f"{FORM_PREFIX}capacity:all", ANSWERS, channel_id=channel)
    body = await standin.ask(ours, at_once)
    shortcut = is_plan(body) and await store.current_plan(ChannelKey("discord", guild, str(channel))) is not None
    notes.append(
        f"checked: all {len(ANSWERS)} answers in one Capacity modal (no draft) "
        + ("also completes and stores a plan" if shortcut else f"does NOT complete a plan: {json.dumps(body)[:200]}")
        + "; the timed plan submissions use the real flow's draft and modal instead"
    )
    await drain(standin, "checks")
    standin.forget()
    return draft, notes


# Output.


def _gist(message: dict[str, Any]) -> str:
    """A message body in a few words: its content, or its first embed's title or description."""
    embed = (message.get("embeds") or [{}])[0]
    text = message.get("content") or embed.get("title") or embed.get("description") or "(empty)"
    return f"“{' '.join(text.split())[:90]}”" + (" (private)" if (message.get("flags") or 0) & EPHEMERAL else "")


def ui_store_sizes(client: discord.Client) -> str:
    """What discord.py's view store holds for a client (private attributes: information only)."""
    store = getattr(getattr(client, "_connection", None), "_view_store", None)
    if store is None:
        return "unknown"
    views = getattr(store, "_views", {})
    modals = getattr(store, "_modals", {})
    synced = getattr(store, "_synced_message_views", {})
    return f"{len(views):,} message views, {len(synced):,} synced message views, {len(modals):,} modals"


async def measure(config: Config, folder: Path, tally: LogTally) -> list[str]:
    async with BenchStandIn() as standin:
        with steer_discord(standin):
            store = await Store.open(f"sqlite:///{folder / 'bench.db'}")
            bare_client_, ours_client = bare_client(), make_client(standin, store, _env_file=None)
            try:
                async with standin.connected(bare_client_), standin.connected(ours_client):
                    bare, ours = standin.connections  # in the order they identified
                    return await _measure(config, standin, store, ours_client, ours, bare, tally)
            finally:
                await store.close()


async def _measure(
    config: Config, standin: BenchStandIn, store: Store, client: BacklinksClient, ours: Any, bare: Any, tally: LogTally
) -> list[str]:
    out: list[str] = []
    draft, notes = await check_once(standin, store, ours, bare)
    # The checks above ran with the stand-in checking every REST body against Discord's spec; the
    # timed runs don't: that check (jsonschema over the whole body) cost ~2 ms a callback, more than
    # either client's answer, and more for ours (an embed) than for the floor's "ok".
    standin.check = False
    bench = Bench(standin, store, ours, bare, draft)
    gc.collect()
    tracked, started = len(gc.get_objects()), time.perf_counter()
    gc.collect()
    full_collection = time.perf_counter() - started
    # As `backlinks serve` does once started (bot/app/serve.py): what start-up made lives for good,
    # out of the collector's reach, so a full collection no longer walks it.
    gc.freeze()

    scenarios = [  # (row name, scenario, client), interleaved in this order in every repeat
        ("help: bare client, send_message('ok') (floor)", bench.help, bare),
        ("help: ours (engine, private embed)", bench.help, ours),
        ("help: bare client, send_message(ours' help message) (payload floor, info)", bench.help_payload, bare),
        ("show: bare client, send_message('ok') (floor)", bench.show, bare),
        ("show: ours (the plan and its month, public embeds)", bench.show, ours),
        ("show: bare client, send_message(ours' show message) (payload floor, info)", bench.show_payload, bare),
        ("modal submit: bare client, send_message('ok') (floor)", bench.modal_floor, bare),
        ("plan submit: ours (Capacity completes a plan; new channel)", bench.submit, ours),
    ]
    for _, scenario, target in scenarios:  # warm-up, untimed
        await scenario(target, config.warmup, config.seconds)
    rows = {name: Row(name) for name, _, _ in scenarios}
    for _ in range(config.repeats):
        for name, scenario, target in scenarios:
            rows[name].runs.append(await scenario(target, config.requests, config.seconds))
    help_bare, help_ours, help_payload, show_bare, show_ours, show_payload, modal_bare, submit_ours = rows.values()
    floors = {
        help_ours.name: help_bare,
        help_payload.name: help_bare,
        show_ours.name: show_bare,
        show_payload.name: show_bare,
        submit_ours.name: modal_bare,
    }
    alone = await bench.submit(ours, config.alone, config.seconds, concurrency=1)

    out += table(list(rows.values()), floors, title="scenario (16 in flight)", count="count", unit="int/s")
    for row in rows.values():
        if any(r.capped for r in row.runs):
            out.append(f"({row.name}: runs stopped dispatching at the {config.seconds:g} s cap)")
        elif any(len(r.latencies) < config.requests for r in row.runs):
            out.append(f"({row.name}: runs prepared only what the {config.seconds:g} s cap allows at the last rate)")
    out.append(
        "CPU per interaction (this process's CPU time over a run ÷ its interactions; the stand-in's share "
        "included; steadier than int/s on a shared machine), median of runs:"
    )
    for row in rows.values():
        per = row.median(lambda r: r.cpu / max(len(r.latencies), 1))
        floor = floors.get(row.name)
        versus = ""
        if floor is not None:
            ratio = floor.median(lambda r: r.cpu / max(len(r.latencies), 1)) / per
            versus = f" (the floor's ÷ this: {ratio:.2f})"
        out.append(f"  {row.name}: {per * 1e6:,.0f} µs{versus}")
    out.append("")
    stored = submit_ours.median(lambda r: r.stored / r.elapsed)
    posted = submit_ours.median(lambda r: (len(r.latencies) - len(r.failures)) / r.elapsed)
    out.append(
        f"plan submit (ours): {stored:,.0f} plans stored/s in SQLite and {posted:,.0f} posted/s (callbacks carrying "
        f"the plan embed), median of runs; {bench.stored_plans:,} plans stored by the warm-up, timed and info runs"
    )
    drained = max(r.drain for row in rows.values() for r in row.runs)
    out.append(f"drain after each run (discord.py's dispatch tasks): at most {ms(drained)} ms")
    out.append("garbage collection in the timed runs (one event loop: a pause stalls every interaction in flight):")
    for row in rows.values():
        pauses = [p for r in row.runs for p in r.collections]
        oldest = sum(1 for generation, _ in pauses if generation == 2)
        longest = max((d for _, d in pauses), default=0.0)
        out.append(
            f"  {row.name}: {len(pauses):,} collections ({oldest} of generation 2), "
            f"{ms(sum(d for _, d in pauses))} ms in all, longest {ms(longest)} ms"
        )
    out.append(
        f"preparing the plan channels (draft copies + real Continue presses that open the Capacity modal, "
        f"untimed): {bench.prepared:.1f} s in all"
    )
    out.append(
        f"info: plan submit to ours one interaction at a time ({len(alone.latencies):,}): "
        f"p50 {ms(percentile(alone.latencies, 0.5))} ms, p99 {ms(percentile(alone.latencies, 0.99))} ms, "
        f"{len(alone.latencies) / alone.elapsed:,.0f} int/s, {len(alone.failures)} failed"
    )
    out.append(
        f"info: a full (generation 2) collection after setup took {ms(full_collection)} ms over {tracked:,} "
        f"tracked objects (mostly what discord.py, SQLAlchemy, Alembic, pydantic and aiohttp import); "
        f"the floors share this process, so such pauses land in their p99 too"
    )
    out.append(f"info: discord.py's view store of ours at the end: {ui_store_sizes(client)}")
    out.append(
        "  (a PlanButtons view per posted plan, kept for good: no timeout, never stopped; an opened modal stays "
        "until submitted: any left are forms prepared for a run the time cap stopped, never submitted)"
    )
    out += notes
    plans = await count_rows(store, "plans")
    left = await count_rows(store, "drafts")
    out.append(f"SQLite at the end: {plans:,} plans, {left:,} drafts left")
    standin.forget()
    calls = ", ".join(f"{kind} {n:,}" for kind, n in sorted(standin.tally.items(), key=lambda kv: -kv[1]))
    out.append(f"REST calls the stand-in answered in the whole run (setup included): {calls}")
    if standin.unexpected:
        out.append(f"REST calls to routes the stand-in does not know: {len(standin.unexpected):,}")
    out += tally.report()
    out.append("")

    out.append(
        f"aims ({CONCURRENCY} in flight; median of {config.repeats} runs of up to {config.requests:,} interactions):"
    )
    ratio = help_ours.per_second / help_bare.per_second
    verdict = "PASS" if ratio >= HELP_BAR else "FAIL"
    out.append(
        f"{verdict}  help throughput {help_ours.per_second:,.0f} int/s = {ratio:.2f} × the bare client's "
        f"{help_bare.per_second:,.0f} ({'>=' if ratio >= HELP_BAR else '<'} {HELP_BAR}, issue 24)"
    )
    ratio = show_ours.per_second / show_bare.per_second
    verdict = "PASS" if ratio >= SHOW_BAR else "FAIL"
    out.append(
        f"{verdict}  show throughput {show_ours.per_second:,.0f} int/s = {ratio:.2f} × the bare client's "
        f"{show_bare.per_second:,.0f} ({'>=' if ratio >= SHOW_BAR else '<'} {SHOW_BAR}, issue 24)"
    )
    for what, ours_row, payload_row in (("help", help_ours, help_payload), ("show", show_ours, show_payload)):
        out.append(
            f"info  {what}: ours = {ours_row.per_second / payload_row.per_second:.2f} × the bare client sending "
            f"ours' very message ({payload_row.per_second:,.0f} int/s; the rest is ours' own cost beyond the message)"
        )
    submit_ratio = submit_ours.per_second / modal_bare.per_second
    out.append(
        f"info  plan submit {submit_ours.per_second:,.0f} int/s = {submit_ratio:.2f} × the bare client's modal "
        f"answer {modal_bare.per_second:,.0f} (no bar)"
    )
    limit = f"Discord's {DISCORD_LIMIT_MS / 1e3:g} s limit for the first response"
    verdicts = [(help_ours, "help"), (show_ours, "show"), (submit_ours, "plan submission")]
    out += p99_verdicts(verdicts, DISCORD_LIMIT_MS, limit)
    out += failure_lines(rows.values(), "interactions")
    if alone.failures:
        out.append(f"FAIL  plan submit one at a time: {len(alone.failures)} failed (first: {alone.failures[0]})")
    return out


def _tree() -> str:
    """The commit measured, and whether the working tree differs from it (others may be editing)."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"commit {commit}" + (f" + {len(changed)} changed files" if changed else "")


def main(argv: list[str] | None = None) -> int:
    config, quick = run_config(argv, __doc__, "interactions", FULL, QUICK)
    tally = LogTally.install()
    GC.start()
    header = [
        f"Backlinks bot: Discord interactions benchmark ({'quick' if quick else 'full'} run; Python "
        f"{platform.python_version()}, discord.py {discord.__version__}, aiohttp {aiohttp.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs; {_tree()})",
        f"the real discord.py clients against the loopback gateway + REST stand-in, all on one event loop; "
        f"{CONCURRENCY} interactions in flight; per scenario {config.warmup:,} warm-up interactions, then median "
        f"of {config.repeats} runs of {config.requests:,}",
        "latency: from sending INTERACTION_CREATE on the gateway until the stand-in received the callback POST",
        "floor: a bare discord.Client whose CommandTree / on_interaction only send_message('ok')",
    ]
    return measure_and_print(header, "bench-discord-", lambda folder: measure(config, folder, tally))


if __name__ == "__main__":
    sys.exit(main())
