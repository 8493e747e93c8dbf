"""A busy bot stores, it does not refuse: plan forms flooded at the real `backlinks serve`.

    .venv/bin/python bench/bench_intake.py                       # SQLite, one process, 10 s floods
    .venv/bin/python bench/bench_intake.py --database postgresql --processes 2
    .venv/bin/python bench/bench_intake.py --quick               # 4 s floods
    .venv/bin/python bench/bench_intake.py --workers 1           # and a Procfile worker beside it
    .venv/bin/python bench/bench_intake.py --profile stacks.txt  # py-spy on the web process: CPU a form by stage

The server under test is the real `backlinks serve --role web` (Slack over HTTP) in its own process
(or two, sharing PostgreSQL), with `--workers` Procfile workers (`--role worker`) beside them, which
work the forms a full web process shares (bot/intake/service.py), on a fresh database; the load is
bench/flood.py in a process of its
own, `--senders` tasks each submitting a valid, signed plan form for a new channel as soon as the
previous was answered, and sending a refused ("busy") one again (`--retry now`, or after a second).
The Slack Web API stand-in (tests/helpers/slack_standin.py, its checks off) runs here and takes the
plans the bot posts.

The floor, measured in the same run: a bare slack-bolt app that only acks (bench/bare_slack.py),
flooded the same way. Reported: acknowledged per second, **stored per second** (plans counted in the
database, not acks: during the flood, and until every acknowledged one is stored), busy answers,
ack latency p50/p99 as the sender saw it, and the ratio of stored per second to the floor's acks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from common import REPO, Report, count_rows, database, listening, server_process, stop
from processes import free_port
from profile_stages import stages
from report import Result, table
from slack_client import SlackBot, serve_process
from slack_standin import SlackStandIn

from bot.storage.store import Store

# The intake's settings, passed on to the servers to try other values.
EXTRA_ENV = {k: v for k, v in os.environ.items() if k.startswith(("BACKLINKS_INBOX_", "BACKLINKS_INTAKE_"))}
POSTGRES = os.environ.get("BACKLINKS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def server(url: str, standin: SlackStandIn, port: int, *, role: str = "web") -> subprocess.Popen:
    return drained(serve_process(url, standin, port, role=role, **EXTRA_ENV))


SAID: dict[int, list[str]] = {}  # what each server wrote to stderr, by pid


def drained(process: subprocess.Popen) -> subprocess.Popen:
    """Its stderr read as it comes: a server that logs more than a pipe holds (64 kB: a traceback a
    form) would otherwise block in its next log line and stall the flood."""
    lines = SAID.setdefault(process.pid, [])
    threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True).start()
    return process


async def started(process: subprocess.Popen, port: int, path: str) -> None:
    """common.listening, saying what the server wrote before it stopped (drained takes its stderr)."""
    try:
        await listening(process, port, path)
    except SystemExit as stopped:
        raise SystemExit(f"{stopped} {''.join(SAID.get(process.pid, []))[-2000:]}") from None


async def flood(urls: list[str], view_file: Path, args, prefix: str) -> dict:
    """bench/flood.py against each URL (the senders split between them), all at once."""
    senders = [args.senders // len(urls) + (1 if i < args.senders % len(urls) else 0) for i in range(len(urls))]
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(REPO / "bench" / "flood.py"),
            url,
            str(view_file),
            "--seconds",
            str(args.seconds),
            "--senders",
            str(n),
            "--retry",
            args.retry,
            "--prefix",
            f"{prefix}{i}",
            stdout=asyncio.subprocess.PIPE,
        )
        for i, (url, n) in enumerate(zip(urls, senders, strict=True))
    ]
    results = [json.loads((await p.communicate())[0]) for p in processes]
    merged = {
        "acked": [k for r in results for k in r["acked"]],
        "busy": sum(r["busy"] for r in results),
        "failed": sum(r["failed"] for r in results),
        "p50": max(r["p50"] or 0 for r in results),
        "p99": max(r["p99"] or 0 for r in results),
        "max": max(r["max"] or 0 for r in results),
        "slow": sorted(s for r in results for s in r["slow"]),
    }
    return merged


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU these processes have used so far (Linux's /proc: the bench's cost figure)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
    return total / os.sysconf("SC_CLK_TCK")


def profiler(pid: int, args) -> subprocess.Popen | None:
    """py-spy sampling the first web process through the flood (`--profile FILE`: collapsed stacks,
    one line per stack with its count, for flamegraph.pl or a grep)."""
    if not args.profile:
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))  # on PATH, else the venv's
    command = [spy, "record", "--pid", str(pid), "--format", "raw", "--output", args.profile]
    command += ["--duration", str(int(args.seconds)), "--rate", "200", "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def stored(store: Store, keys: set[str]) -> int:
    """How many of these requests' plans are stored."""
    async with store.engine.connect() as connection:
        found = (await connection.execute(sa.text("SELECT request FROM plans"))).scalars()
        return len(keys & set(found))


async def run(args, argv: list[str] | None) -> None:
    report = Report(
        "Backlinks bot: plan forms flooded at the real `backlinks serve`",
        __file__,
        argv,
        details=[
            f"{args.database}, {args.processes} web process(es) and {args.workers} worker(s), "
            f"{args.senders} senders retrying {args.retry}, {args.seconds:g} s floods",
            "floor: a bare slack-bolt app that only acks (bench/bare_slack.py), flooded the same way",
        ],
    )
    report.print_head()
    standin = SlackStandIn(check=False)  # its checks would share this CPU with the load
    await standin.start()
    folder = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    processes: list[subprocess.Popen] = []
    try:
        async with database(folder, POSTGRES if args.database == "postgresql" else None, name="bot") as url:
            store = await Store.open(url)  # migrated once here, before the servers start
            try:
                figures = await flooded(args, standin, store, url, folder, processes)
            finally:
                # Stopped off the event loop: the stand-in here must go on answering the posts a
                # stopping server still finishes (a blocking wait held them until its drain ran out).
                await asyncio.gather(*(asyncio.to_thread(stop, process) for process in processes))
                await store.close()
    finally:
        await standin.stop()
        shutil.rmtree(folder, ignore_errors=True)
    for line in lines(args, processes, *figures):
        print(line)
    report.print_tail()


async def flooded(args, standin: SlackStandIn, store: Store, url: str, folder: Path, processes: list) -> tuple:
    """The floor flooded, then ours; the figures `lines` prints. `processes` gets every one started."""
    ports = [free_port() for _ in range(args.processes)]
    processes += [server(url, standin, port) for port in ports]
    processes += [server(url, standin, free_port(), role="worker") for _ in range(args.workers)]
    for process, port in zip(processes, ports, strict=False):
        await started(process, port, "/healthz")
    # The plan modal, as the bot opens it: the body every submission fills in.
    async with aiohttp.ClientSession() as session:
        await SlackBot(ports[0], standin, store, session).command("plan")
    [opened] = await standin.wait_for("views.open", timeout=10)
    view_file = folder / "view.json"
    view_file.write_text(json.dumps(opened.body["view"]))

    floor_port = free_port()
    bare = [sys.executable, str(REPO / "bench" / "bare_slack.py"), str(floor_port), standin.api_url]
    floor = drained(server_process(bare))
    processes.append(floor)
    await started(floor, floor_port, "/slack/events")
    floor_cpu = cpu_seconds([floor.pid])
    floor_result = await flood([f"http://127.0.0.1:{floor_port}/slack/events"], view_file, args, "F")
    floor_cpu = cpu_seconds([floor.pid]) - floor_cpu
    servers = [p.pid for p in processes if p is not floor]
    ours_cpu = cpu_seconds(servers)

    before = await count_rows(store, "plans")
    began = time.monotonic()
    ours = [f"http://127.0.0.1:{port}/slack/events" for port in ports]
    spy = profiler(processes[0].pid, args)
    result = await flood(ours, view_file, args, "O")
    if spy is not None:
        spy.wait()
    took = time.monotonic() - began
    during = await count_rows(store, "plans") - before
    keys = set(result["acked"])
    deadline = time.monotonic() + 300
    while (done := await stored(store, keys)) < len(keys) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    drained_after = time.monotonic() - began
    ours_cpu = cpu_seconds(servers) - ours_cpu
    return floor_result, floor_cpu, result, ours_cpu, took, during, done, drained_after


def lines(args, processes, floor_result, floor_cpu, result, ours_cpu, took, during, done, drained_after) -> list[str]:
    """The table (the bare app's acks/s the floor row) and what it does not hold."""
    keys = result["acked"]

    def latency(flood_result: dict) -> dict[str, str]:
        p50 = f"{flood_result['p50'] * 1000:.1f} ms"
        return {"p50": p50, "busy": f"{flood_result['busy']:,}", "failed": f"{flood_result['failed']:,}"}

    floor = Result(
        "bare Bolt app: acked (ack only; floor)",
        len(floor_result["acked"]),
        len(floor_result["acked"]) / args.seconds,
        "forms/s",
        p99=floor_result["p99"] * 1000,
        p99_unit="ms",
        extra=latency(floor_result),
    )
    acked = Result(
        "backlinks serve: acknowledged",
        len(keys),
        len(keys) / args.seconds,
        "forms/s",
        p99=result["p99"] * 1000,
        p99_unit="ms",
        floor=floor,
        extra=latency(result),
    )
    stored_rate = Result("backlinks serve: stored during the flood", during, during / took, "forms/s", floor=floor)
    out = table([floor, acked, stored_rate], title="flood (forms)", count="forms")
    out.append(
        f"stored during the flood: {during}; every acknowledged one stored after {drained_after:.1f} s "
        f"({done} of {len(keys)}); stored/s over the whole run: {done / drained_after:.1f}"
    )
    floor_ms, ours_ms = floor_cpu / max(1, len(floor_result["acked"])) * 1000, ours_cpu / max(1, done) * 1000
    out.append(
        f"server CPU: the floor {floor_ms:.2f} ms an ack; ours {ours_ms:.2f} ms a form, acked to stored and "
        f"posted (every process, until the last was stored): one core's worth is {1000 / ours_ms:.0f} forms/s"
    )
    if args.profile:  # where that CPU went, by stage of a form's life (bench/profile_stages.py)
        out += stages(Path(args.profile), ours_ms)
    if result["slow"]:
        shown = ", ".join(f"{at_took:g} s at {at:g} s" for at, at_took in result["slow"][:8])
        out.append(f"answers slower than a second (how long, and when into the flood): {shown}")
    for process in processes[:-1]:  # what the servers said (a refusal is logged with its reason)
        said = [line.rstrip() for line in SAID.get(process.pid, []) if "WARNING" in line or "ERROR" in line]
        out += [f"  server: {line[:200]}" for line in said[-5:]]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--processes", type=int, default=1, help="web processes")
    parser.add_argument("--workers", type=int, default=0, help="Procfile workers beside them")
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--retry", choices=["now", "1s"], default="now")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="4-second floods")
    parser.add_argument(
        "--profile", metavar="FILE", help="py-spy's stacks of the first web process, and its CPU a form by stage"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 4.0
    asyncio.run(run(args, argv))


if __name__ == "__main__":
    main()
