"""What the reminder benchmarks share (bench_reminders, bench_chart, bench_checkins, bench_scale): a
platform that posts nothing, one run of the reminder loop at the due minute, and the same data made
"all due" again before each run (tests/helpers/reminder_worker.populate makes it)."""

from __future__ import annotations

from typing import Any

import common  # noqa: F401 - puts the tree and the tests' helpers on the path


class NoOpNotifier:
    """A platform that posts nothing: what is left of a reminder run is the bot's own work."""

    platform = "bench"  # the channels reminder_worker.populate makes

    def __init__(self) -> None:
        self.count = 0

    async def send(self, channel: Any, reply: Any) -> None:
        self.count += 1


async def run_due(engine: Any, batch: int, notifier: Any = None) -> Any:
    """One ReminderLoop.run_once at reminder_worker.DUE, every channel's check-in handed to `notifier`
    (a NoOpNotifier unless given); its RunReport."""
    from reminder_worker import DUE

    from bot.monthly.reminders import ReminderLoop

    loop = ReminderLoop(checkins=engine.monthly, notifiers=[notifier or NoOpNotifier()], batch=batch, clock=lambda: DUE)
    return await loop.run_once(DUE)


async def full_loop(engine: Any, batch: int) -> int:
    """run_due to a NoOpNotifier; the reminders sent."""
    notifier = NoOpNotifier()
    report = await run_due(engine, batch, notifier)
    assert report.sent == notifier.count, report
    return report.sent


async def all_due(store: Any, *, lookups: bool = False) -> None:
    """Every reminder due again at reminder_worker.DUE, unclaimed, nothing sent and no plan adapted by a
    check-in; with `lookups`, the month's lookups and the budget spent on them forgotten too (the
    month's first run): the same data for every run of a reminder benchmark."""
    import sqlalchemy as sa
    from reminder_worker import DUE

    from bot.storage.schema import lookup_budget, plans, reminder_sends, reminders
    from bot.storage.schema import lookups as lookup_rows

    async with store.engine.begin() as connection:
        await connection.execute(sa.delete(reminder_sends))
        await connection.execute(sa.delete(plans).where(plans.c.created_by == "reminder"))
        await connection.execute(
            sa.update(reminders).values(next_due_at=DUE, claimed_by=None, claimed_until=None, attempts=0)
        )
        if lookups:
            await connection.execute(sa.delete(lookup_rows))
            await connection.execute(sa.delete(lookup_budget))
