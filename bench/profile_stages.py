"""Where a served form's CPU goes: py-spy's raw stacks of a web process (bench_intake.py --profile)
summed by stage of a plan form's life, as shares of the samples that ran Python on the event loop's
thread, and as milliseconds of the CPU a form cost in the same run.

    .venv/bin/python bench/profile_stages.py STACKS.txt 3.4     # the stacks, and the run's ms a form

Samples waiting for work (the selector's poll; uvloop's loop, whose C leaves the runner as the
innermost Python frame) and aiosqlite's thread (blocked on its queue most of the time, which py-spy
cannot tell from running; its CPU is SQLite's, a few percent, read from /proc) are left out. A
stack counts for the first stage, in this order, that any of its frames names.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

IDLE_LEAVES = ("EpollSelector.select", "Runner.run ", "BaseEventLoop.run_forever ")
THREAD = "_connection_worker_thread"  # aiosqlite's
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("looking for work (inbox, Home)", ("Recovery._look", "Home._look")),
    ("ack: reading the form (validators, payload)", ("Engine.read", "payloads.py", "Views.on_form_submitted")),
    ("ack: the durable inbox write", ("Intake.accept", "InboxRows._insert")),
    (
        "HTTP in and Bolt (aiohttp, signature, body, dispatch)",
        ("AsyncioListenerRunner", "run_ack_function", "_signed", "guard.py", "AsyncBoltRequest", "async_dispatch")
        + ("RequestHandler", "web_protocol", "web_app"),
    ),
    ("worker: rendering the Slack message", ("SlackRenderer.messages",)),
    ("worker: posting it (slack_sdk, aiohttp client)", ("chat_postMessage", "_post_in_channel", "aiohttp/client")),
    (
        "worker: planning (planner, reply, engine)",
        ("planner.py", "plan_reply", "Engine.handle", "_deliver", "_perform"),
    ),
    (
        "storage: plan, uses, session, done (SQLAlchemy)",
        ("_save_plans", "_record_uses", "_mark_done", "_load_sessions", "sqlalchemy", "GroupCommit"),
    ),
]
OTHER = "event loop and the rest"


def stages(stacks: Path, ms_a_form: float) -> list[str]:
    """The lines: each stage's milliseconds a form and share of the loop thread's busy samples."""
    counts: Counter[str] = Counter()
    for line in stacks.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or THREAD in stack or stack.rpartition(";")[2].startswith(IDLE_LEAVES):
            continue
        stage = next((name for name, marks in STAGES if any(mark in stack for mark in marks)), OTHER)
        counts[stage] += int(n)
    busy = sum(counts.values())
    if not busy:
        return [f"{stacks}: no busy samples"]
    lines = [f"CPU a form by stage ({busy} busy samples of the first web process, {ms_a_form:.2f} ms a form):"]
    for name in [*(name for name, _ in STAGES), OTHER]:
        share = counts[name] / busy
        lines.append(f"  {ms_a_form * share:5.2f} ms  {share:6.1%}  {name}")
    return lines


def main() -> None:
    print("\n".join(stages(Path(sys.argv[1]), float(sys.argv[2]))))


if __name__ == "__main__":
    main()
