"""How fast the Slack endpoint answers, against a bare Bolt app that only acks, over loopback HTTP.

    .venv/bin/python bench/bench_slack.py            # full run, about 80 s on 2 cores
    .venv/bin/python bench/bench_slack.py --quick    # smoke run, about 20 s

Everything runs in this process on one event loop: the tests' stand-in for Slack's Web API and
response_url (tests/helpers/slack_standin.py, its spec checks off: they would share the CPU), the
servers under test, and the client. Each server is the aiohttp application production runs
(Bolt's `web_app(path="/slack/events")` behind web.AppRunner / TCPSite on 127.0.0.1, port 0); the
client is 16 tasks sharing one aiohttp ClientSession (connector limit 16), each posting the next
request as soon as its previous one was answered, every request the tests' own body signed as
Slack signs it (bench/slack_driver.py on tests/helpers/slack_client.py, slack_sdk's SignatureVerifier),
and both servers started and stopped by slack_driver.served. Machines here are
shared and noisy, so the table prints ratios against a floor measured in the same run
(../shared/TESTING.md, Benchmarks).

Servers: the bare Bolt app (the floor) and ours, as bench/slack_driver.py says.

Scenarios (16 concurrent requests each):
  help         `/backlinks help` as a signed slash command (form body), each with its own
               response_url on the stand-in. Ours acks at once and then, in the background (Bolt
               runs the rest of the listener after the ack), asks the engine and POSTs the help to
               the response_url; besides the HTTP latency the table gives the time until that POST
               reached the stand-in (what the user sees), and throughput up to the last such POST.
  show         `/backlinks show` in a channel whose plan was made in this run (the plan and its month
               ride on the ack), and the same with nothing kept between requests (each read from
               the database and composed: a first `show`); `show + chart` in a channel whose plan is
               three months old, with a month logged: ours acks, then uploads the plan with its
               progress chart (files API, three calls), and the run drains until every upload was
               shared. The bare app's rows are the same requests, acked.
  plan submit  a valid view_submission of the modal `/backlinks plan` opened (captured once from
               the stand-in's views.open, then filled as Slack would send it), each request for a
               new channel, so each stores a new plan. Ours validates and stores the submission in
               its inbox before the ack (errors travel on the ack; acknowledged means stored), then
               plans, stores and posts the plan with chat.postMessage in the background; the table
               also gives the time until that post reached the stand-in. Past its capacity of
               submissions in flight ours answers "busy, try again" on the form (counted apart,
               not as failures: nothing was acked).

Latency is the time until the HTTP response to the bot's endpoint (Slack's three-second rule
measures that). Each scenario first runs untimed (warm-up), then `repeats` timed runs of a fixed
number of requests (a run sends no new request once it has taken `seconds`, so a slow server
cannot stretch the whole run), interleaved across scenarios so drift hits all of them; a row is
the median of its runs. Between runs the background work Bolt started after the acks is drained
(waiting for every expected POST to reach the stand-in and for Bolt's listener tasks to finish),
so it never bleeds into the next measurement. An info line times plan submissions one at a time,
to tell a request's own cost from queueing. Log records (a request that misses Bolt's three-second
ack deadline logs a warning, a failed one a traceback) are counted and summarised at the end.

Aims from the issue, printed as PASS or FAIL (the script exits 0 either way): help throughput
>= 0.9 × the bare app's, show >= 0.8 ×; p99 < 100 ms at 16 concurrent for help, show and plan
submission. Requests
not answered with the expected empty 200 are counted per row and also printed as FAIL.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import slack_bolt
from common import (
    Config,
    LogTally,
    count_rows,
    example_answers,
    failure_lines,
    interleaved,
    measure_and_print,
    ms,
    one_at_a_time,
    p99_verdicts,
    percentile,
    run_config,
    table,
    throughput_verdict,
)
from slack_client import filled_state
from slack_driver import (
    CONCURRENCY,
    TEAM,
    Deliveries,
    Run,
    Served,
    bolt_tasks,
    command_body,
    drain,
    fire,
    plan_modal,
    plans_to_show,
    served,
    submission_body,
)

from bot.core.events import ChannelKey
from bot.planning import commands as planning
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store

SHOW_CHANNEL, CHART_CHANNEL = "CSHOW", "CSHOWCHART"  # a plan of this month; one of three months, with a chart
PLAN_TITLE = b"Backlink plan for"
THROUGHPUT_AIMS = {"help": 0.9, "show": 0.8}  # throughput at least this × the bare app's
P99_AIM_MS = 100.0  # p99 < 100 ms at 16 concurrent, for help and for plan submission


FULL = Config(requests=2000, repeats=3, warmup=300, seconds=6.0, alone=200)
QUICK = Config(requests=300, repeats=2, warmup=100, seconds=3.0, alone=50)


# Scenarios.


class Bench(Deliveries):
    def __init__(self, session: aiohttp.ClientSession, slack: Served, view: dict[str, Any]):
        super().__init__(slack.standin)
        self.session = session
        self.ours = slack.ours  # events URLs
        self.bare = slack.bare
        self.view = view
        self.runs = 0  # makes every response_url name and channel id unique across the whole run
        self.submitted = {True: 0, False: 0}  # plan submissions to ours: answered as expected, or not
        typed, answers = example_answers(knowledge_module.default().questionnaire)
        # A multi-select sends option values (strategy ids), not the words a user would type.
        typed["strategies"] = ", ".join(answers["strategies"])
        self.state = filled_state(view, typed)
        self.site = answers["site"]

    def _tag(self) -> str:
        self.runs += 1
        return f"r{self.runs}"

    async def help(self, url: str, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY) -> Run:
        tag = self._tag()
        names = [f"{tag}-{i}" for i in range(count)]
        bodies = [
            command_body("help", channel="CHELP", response_url=self.standin.response_url(n), trigger=f"t-{n}")
            for n in names
        ]
        # Ours answers help on the ack itself (the reply is ready at once): the HTTP answer is the reply.
        expect = (lambda a: b"Backlinks bot commands" in a) if url == self.ours else (lambda a: not a)
        return await self._run(url, bodies, seconds, concurrency, names, "help", expect)

    async def show(self, url: str, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY) -> Run:
        """`/backlinks show` in a channel whose plan is this month's: the plan and its month, on the ack."""
        return await self._show(url, count, seconds, concurrency, SHOW_CHANNEL)

    async def show_composed(
        self, url: str, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY
    ) -> Run:
        """`show` as above with nothing kept between requests (planning.SHOWN_SECONDS = 0): each one
        read from the database and composed, as the first `show` in a channel is."""
        kept, planning.SHOWN_SECONDS = planning.SHOWN_SECONDS, 0
        try:
            return await self._show(url, count, seconds, concurrency, SHOW_CHANNEL)
        finally:
            planning.SHOWN_SECONDS = kept

    async def show_chart(
        self, url: str, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY
    ) -> Run:
        """`/backlinks show` in a channel whose plan is three months old: ours acks, then uploads the
        plan with its progress chart (files API, three calls); the reply arrives with the upload."""
        return await self._show(url, count, seconds, concurrency, CHART_CHANNEL)

    async def _show(self, url: str, count: int, seconds: float, concurrency: int, channel: str) -> Run:
        tag = self._tag()
        names = [f"{tag}-{i}" for i in range(count)]
        bodies = [
            command_body("show", channel=channel, response_url=self.standin.response_url(n), trigger=f"t-{n}")
            for n in names
        ]
        if url != self.ours:
            return await self._run(url, bodies, seconds, concurrency, names, "show")
        if channel == SHOW_CHANNEL:  # the reply rides on the ack: the HTTP answer is the reply
            return await self._run(url, bodies, seconds, concurrency, names, "show", lambda a: PLAN_TITLE in a)
        return await self._run(url, bodies, seconds, concurrency, names, "show chart")

    async def submit(self, url: str, count: int, seconds: float = float("inf"), concurrency: int = CONCURRENCY) -> Run:
        tag = self._tag()
        channels = [f"C{tag.upper()}X{i}" for i in range(count)]
        bodies = [submission_body(self.view, self.state, channel=c) for c in channels]
        run = await self._run(url, bodies, seconds, concurrency, channels, "plan submit")
        if url == self.ours:
            self.submitted[True] += sum(run.ok)
            self.submitted[False] += len(run.ok) - sum(run.ok)
        return run

    async def _run(
        self,
        url: str,
        bodies: list[bytes],
        seconds: float,
        concurrency: int,
        keys: list[str],
        what: str,
        expect: Callable[[bytes], bool] = lambda answer: not answer,
    ) -> Run:
        """Time the bodies, then drain: wait for each answered request's reply (ours) and Bolt's tasks."""
        run = await fire(self.session, url, bodies, seconds, concurrency, expect)
        run.pending_at_end = len(bolt_tasks())
        try:
            if url != self.ours:  # the bare app sends nothing after its ack
                run.drain = await drain(lambda: True, f"{what} (bare)")
                return run
            if what == "show chart":  # delivered when its upload was shared in the channel
                answered = sum(run.ok)
                run.drain = await drain(lambda: self.uploaded() >= answered, what)
                return run
            if what in ("help", "show"):  # the reply was the HTTP answer: delivered when the response arrived
                run.drain = await drain(lambda: True, what)
                run.delivered = [lat for lat, ok in zip(run.latencies, run.ok, strict=True) if ok]
                if run.delivered:
                    run.delivered_elapsed = max(s + lat for s, lat in zip(run.sent, run.latencies, strict=True)) - min(
                        run.sent
                    )
                return run
            expected = [keys[i] for i, ok in zip(run.order, run.ok, strict=True) if ok]
            run.drain = await drain(lambda: all(k in self.posted() for k in expected), what)
            arrivals = self.posted()
            arrived = [arrivals.get(keys[i]) for i in run.order]
            run.delivered = [a - s for a, s, ok in zip(arrived, run.sent, run.ok, strict=True) if ok]
            if run.delivered:
                run.delivered_elapsed = max(a for a, ok in zip(arrived, run.ok, strict=True) if ok) - min(run.sent)
            return run
        finally:
            self.posted()
            self.forget()  # a request refused by a timeout may still have posted: its post is dropped too


async def check_once(bench: Bench, store: Store) -> None:
    """Before timing: each request really does what the table claims it measures."""
    for url in (bench.ours, bench.bare):
        for scenario in (bench.help, bench.show, bench.show_composed, bench.show_chart, bench.submit):
            fire.last_answer = b""
            run = await scenario(url, 1)
            if run.failures:
                raise SystemExit(f"{scenario.__name__} on {url}: {run.failures[0]}")
            if url == bench.ours:
                check_answer(bench, scenario.__name__, fire.last_answer)
    post = bench.last_post
    channel = post.get("channel", "")
    if f"Backlink plan for {bench.site}" not in json.dumps(post):
        raise SystemExit(f"the plan submission did not post the plan: {json.dumps(post)[:500]}")
    if await store.current_plan(ChannelKey("slack", TEAM, channel)) is None:
        raise SystemExit(f"the plan submission for {channel} stored no plan")


def check_answer(bench: Bench, scenario: str, answer: bytes) -> None:
    said = json.dumps(json.loads(answer)) if answer else ""
    if scenario == "help" and "Backlinks bot commands" not in said:
        raise SystemExit(f"`/backlinks help` did not answer with the help: {said[:500]}")
    if scenario in ("show", "show_composed") and not ("Backlink plan for" in said and "Progress" in said):
        raise SystemExit(f"`/backlinks show` did not answer with the plan and its months: {said[:500]}")
    if scenario == "show_chart":
        upload = bench.last_upload
        if upload is None or not upload.data.startswith(b"\x89PNG") or "Progress" not in json.dumps(upload.blocks):
            raise SystemExit("`/backlinks show` in a channel with months of history uploaded no chart with its plan")


# Output.


async def measure(config: Config, folder: Path, tally: LogTally) -> list[str]:
    # Ours on a temporary SQLite file, with the engine as `serve` builds it, and the bare floor; the
    # stand-in's spec checks off: they would share the CPU.
    async with (
        served(f"sqlite:///{folder / 'bench.db'}", lookups=True, check=False, bare=True) as slack,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session,  # the timed client's
    ):
        return await _measure(config, slack, session, tally)


async def _measure(config: Config, slack: Served, session: aiohttp.ClientSession, tally: LogTally) -> list[str]:
    out: list[str] = []
    store, ours, bare = slack.store, slack.ours, slack.bare
    bench = Bench(session, slack, await plan_modal(slack.bot))
    await plans_to_show(bench, SHOW_CHANNEL, CHART_CHANNEL, store)
    await check_once(bench, store)

    scenarios = [  # (row name, scenario, events URL), interleaved in this order in every repeat
        ("help: bare Bolt app, ack only (floor)", bench.help, bare),
        ("help: ours (the reply rides on the ack)", bench.help, ours),
        ("show: bare Bolt app, ack only (floor)", bench.show, bare),
        ("show: ours (a plan of this month, on the ack)", bench.show, ours),
        ("show: ours, nothing kept (each read and composed)", bench.show_composed, ours),
        ("show + chart: bare Bolt app, ack only (floor)", bench.show_chart, bare),
        ("show + chart: ours (ack, then the chart uploaded)", bench.show_chart, ours),
        ("plan submit: bare Bolt app, ack only (floor)", bench.submit, bare),
        ("plan submit: ours (validate, plan, store; new channel)", bench.submit, ours),
    ]
    rows = await interleaved(scenarios, config, collect=True)
    help_bare, help_ours, show_bare, show_ours, composed, chart_bare, chart_ours, submit_bare, submit_ours = rows
    floors = {help_ours.name: help_bare, show_ours.name: show_bare, composed.name: show_bare}
    floors[chart_ours.name] = chart_bare
    floors[submit_ours.name] = submit_bare
    gc.collect()
    alone = await bench.submit(ours, config.alone, config.seconds, concurrency=1)

    out += table(rows, floors)
    for row in rows:
        if any(len(r.latencies) < config.requests for r in row.runs):
            out.append(f"({row.name}: runs stopped sending at the {config.seconds:g} s cap)")
        if busy := row.median(lambda r: r.busy):
            out.append(f"({row.name}: a median {busy:,.0f} per run answered busy - not acked, the form open)")
    out.append("")
    out.append("after the ack (ours): Bolt runs the rest of each listener in the background once it acked;")
    out.append("the time until the stand-in received the user-visible result, from sending the request:")
    for label, row, what in [
        ("help: the reply, on the ack (no response_url POST)", help_ours, "replies"),
        ("show: the plan, on the ack", show_ours, "replies"),
        ("plan submit: the plan's chat.postMessage", submit_ours, "posts"),
    ]:
        p50 = row.median(lambda r: percentile(r.delivered, 0.50))
        p99 = row.median(lambda r: percentile(r.delivered, 0.99))
        rate = row.median(lambda r: len(r.delivered) / r.delivered_elapsed if r.delivered else 0.0)
        pending = row.median(lambda r: r.pending_at_end)
        drained = row.median(lambda r: r.drain)
        out.append(f"  {label}: p50 {ms(p50)} ms, p99 {ms(p99)} ms; {rate:,.0f} {what}/s up to the last one")
        out.append(
            f"    {pending:,.0f} listener tasks still running at the last HTTP response, "
            f"done {ms(drained)} ms later (drained before the next run)"
        )
    delivered = help_ours.median(lambda r: len(r.delivered) / r.delivered_elapsed if r.delivered else 0.0)
    out.append(
        f"  help replies delivered per second ÷ the bare app's acks per second: {delivered / help_bare.per_second:.2f}"
    )
    out.append("")
    out.append(one_at_a_time("plan submit to ours", alone, "req/s"))
    bench.forget()
    calls = ", ".join(f"{k} {v:,}" for k, v in sorted(bench.api_calls.items()))
    out.append(f"Web API calls the stand-in answered in the whole run: {calls}")
    plans = await count_rows(store, "plans")
    good, bad = bench.submitted[True], bench.submitted[False]
    out.append(
        f"SQLite at the end: {plans:,} plans stored; plan submissions to ours: {good:,} answered with an "
        f"empty 200, {bad:,} not"
    )
    out += tally.report()
    out.append("")

    out.append(
        f"aims from the issue ({CONCURRENCY} concurrent; median of {config.repeats} runs of up to "
        f"{config.requests:,} requests):"
    )
    for what, ours_row, bare_row in (("help", help_ours, help_bare), ("show", show_ours, show_bare)):
        out.append(throughput_verdict(what, ours_row, bare_row, THROUGHPUT_AIMS[what], "req/s", "the bare app"))
    checked = [
        (help_ours, "help"),
        (show_ours, "show"),
        (submit_ours, "plan submission"),
    ]
    out += p99_verdicts(checked, P99_AIM_MS, f"{P99_AIM_MS:.0f} ms")
    out.append(
        f"info  show, nothing kept: {composed.per_second / show_bare.per_second:.2f} × the bare app "
        f"(p99 {ms(composed.p99)} ms); show + chart (uploaded after the ack, three Web API calls each, on this "
        f"event loop): {chart_ours.per_second / chart_bare.per_second:.2f} × (p99 {ms(chart_ours.p99)} ms)"
    )
    out += failure_lines(rows, "requests")
    return out


def main(argv: list[str] | None = None) -> int:
    config, quick = run_config(argv, __doc__, "requests", FULL, QUICK)
    tally = LogTally.install()
    header = [
        f"Backlinks bot: Slack endpoint benchmark ({'quick' if quick else 'full'} run; "
        f"slack-bolt {slack_bolt.version.__version__}, aiohttp {aiohttp.__version__})",
        f"{CONCURRENCY} concurrent signed requests over loopback HTTP, client, servers and Slack stand-in on one "
        f"event loop; per scenario {config.warmup:,} warm-up requests, then median of {config.repeats} runs of "
        f"{config.requests:,}",
        "latency: until the HTTP response to the bot's endpoint (what Slack's three-second rule measures)",
        "floor: a bare slack-bolt AsyncApp whose listeners only `await ack()`, served the same way",
    ]
    return measure_and_print(
        header, "bench-slack-", lambda folder: measure(config, folder, tally), script=__file__, argv=argv
    )


if __name__ == "__main__":
    sys.exit(main())
