"""The benchmarks' one Discord client: the tests' gateway + REST stand-in timing each interaction's
callback (BenchStandIn), the bare discord.py client that is the floor, interactions fired by
concurrent drivers and drained after (discord.py's own tasks too), the garbage collector's pauses
per run, and what an answer must look like. bench_discord.py times its scenarios with them.

Latency is from the moment the INTERACTION_CREATE gateway frame is sent until the stand-in receives
the interaction's callback POST (Discord's three-second rule measures that first response).
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
import sqlalchemy as sa
from common import Row, drive, ms, wait_until
from discord import app_commands
from discord_flow import ANSWERS
from discord_standin import DiscordStandIn

from bot.core.events import ChannelKey
from bot.storage.schema import channels, drafts
from bot.storage.store import Store

PLAN_TITLE = f"Backlink plan for {ANSWERS['site']}"
CONCURRENCY = 16
ANSWER_TIMEOUT = 10.0  # an interaction whose callback has not arrived by then counts as failed
DRAIN_SECONDS = 60.0  # give up (and say so) if discord.py's tasks have not finished by then
EPHEMERAL = 1 << 6
CHANNEL_MESSAGE, MODAL = 4, 9  # interaction callback types
SHOW_CHANNEL = 4_000_001  # where the checks' real plan flow stores the plan `show` shows


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
    await interaction.response.send_message(**_as_ours(what))


_BUILT: dict[str, dict[str, Any]] = {}


def _as_ours(what: str) -> dict[str, Any]:
    """The options for ours' message, built once and sent again, as ours sends a reply it already
    rendered (the same embeds and stopped view each time): the floor must not pay for building a
    message on every send when ours does not (it did: Embed.from_dict and a new View each time)."""
    if what not in _BUILT:
        sent = OURS_SENT[what]
        options: dict[str, Any] = {"embeds": [discord.Embed.from_dict(e) for e in sent.get("embeds", [])]}
        buttons = [c for row in sent.get("components", []) for c in row["components"]]
        if buttons:
            view = discord.ui.View(timeout=None)
            for b in buttons:
                style = discord.ButtonStyle(b["style"])
                view.add_item(discord.ui.Button(label=b.get("label"), custom_id=b["custom_id"], style=style))
            view.stop()  # as ours: not kept in discord.py's view store
            options["view"] = view
        _BUILT[what] = {**options, "ephemeral": bool(sent.get("flags", 0) & EPHEMERAL)}
    return _BUILT[what]


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


def gist(message: dict[str, Any]) -> str:
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


def cpu_lines(rows: list[Row], floors: dict[str, Row]) -> list[str]:
    """Each row's CPU per interaction (steadier than int/s on a shared machine), against its floor's."""
    lines = [
        "CPU per interaction (this process's CPU time over a run ÷ its interactions; the stand-in's share "
        "included; steadier than int/s on a shared machine), median of runs:"
    ]
    for row in rows:
        per = row.median(lambda r: r.cpu / max(len(r.latencies), 1))
        floor = floors.get(row.name)
        versus = ""
        if floor is not None:
            ratio = floor.median(lambda r: r.cpu / max(len(r.latencies), 1)) / per
            versus = f" (the floor's ÷ this: {ratio:.2f})"
        lines.append(f"  {row.name}: {per * 1e6:,.0f} µs{versus}")
    return lines


def gc_lines(rows: list[Row]) -> list[str]:
    """The longest drain after a run, and each row's garbage-collector pauses in its timed runs."""
    drained = max(r.drain for row in rows for r in row.runs)
    lines = [
        f"drain after each run (discord.py's dispatch tasks): at most {ms(drained)} ms",
        "garbage collection in the timed runs (one event loop: a pause stalls every interaction in flight):",
    ]
    for row in rows:
        pauses = [p for r in row.runs for p in r.collections]
        oldest = sum(1 for generation, _ in pauses if generation == 2)
        longest = max((d for _, d in pauses), default=0.0)
        lines.append(
            f"  {row.name}: {len(pauses):,} collections ({oldest} of generation 2), "
            f"{ms(sum(d for _, d in pauses))} ms in all, longest {ms(longest)} ms"
        )
    return lines
