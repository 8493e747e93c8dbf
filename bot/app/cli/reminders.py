"""`backlinks reminders run-once`: send the monthly reminders that are due, once."""

from __future__ import annotations

import click

from bot.app.cli.common import database_option, database_url, fail, read_settings, run_or_stop, stop


@click.group()
def reminders() -> None:
    """Monthly reminders (the bot sends them itself while `serve` runs)."""


@reminders.command("run-once")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-TIME",
    help="Act as if it were this moment (default: now), e.g. 2026-12-01T09:00Z.",
)
@click.option("--dry-run", is_flag=True, help="List what is due; claim and send nothing.")
@click.option("--yes", is_flag=True, help="Send even though --now is in the future (it closes those months).")
@database_option
def run_once(now_text: str | None, dry_run: bool, yes: bool, database: str | None) -> None:
    """Send the reminders that are due, once, through every configured platform (and the terminal)."""
    import datetime as dt

    from bot.app.build import running
    from bot.app.serve import _notifiers, missing_database_driver, missing_library
    from bot.monthly.reminders import ReminderLoop
    from bot.storage.store import utc_now

    settings = read_settings()
    url = database_url(database, settings)
    now = utc_now()
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text.replace("Z", "+00:00"))
        except ValueError:
            fail([f"--now: “{now_text}” is not an ISO time like 2026-12-01T09:00Z"], heading="Cannot run:")
        now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    # Sending a future month's reminders closes that month for good (the plan is re-run a month on),
    # so trying it out only lists them unless asked twice.
    listing_only = dry_run or (now > utc_now() and not yes)
    if problem := missing_library(settings, "worker") or missing_database_driver(url):
        stop(f"Cannot run: {problem}")
    listed = []

    async def run() -> None:
        async with running(settings, url, clock=lambda: now) as engine:
            await send(engine)

    async def send(engine) -> None:
        notifiers = _notifiers(engine, settings, console=True)  # a listing too shows only what they can send
        try:
            loop = ReminderLoop(
                checkins=engine.monthly, notifiers=notifiers, clock=lambda: now, checked_in=engine.changed
            )
            if listing_only:
                listed.extend(due := await loop.due())
                click.echo(
                    f"{len(due)} reminder(s) due at {now.isoformat()} (nothing claimed or sent){':' if due else '.'}"
                )
                for reminder in due:
                    key = reminder.channel
                    click.echo(
                        f"  {key.platform}/{key.workspace}/{key.channel}  due {reminder.next_due_at.isoformat()}"
                    )
                return
            report = await loop.run_once()
            click.echo(
                f"claimed {report.claimed}, sent {report.sent} ({report.late} late), "
                f"already sent {report.already_sent}, no plan {report.no_plan}, paused {len(report.paused)}, "
                f"to retry {report.retried}, failed {report.failed}"
            )
        finally:
            await engine.home.settle()  # the pages that show a check-in, published again before the exit
            await _close(notifiers)

    run_or_stop(run())
    if listing_only and not dry_run and listed:
        stop(
            f"Not sent: {now_text} is in the future. Sending these closes their month for good: each check-in "
            "goes out, and each plan is re-run a month on (the site a month older, the horizon a month shorter). "
            "Add --yes to do it, or --dry-run to only list them."
        )


async def _close(notifiers) -> None:
    for notifier in notifiers:
        if hasattr(notifier, "close"):
            await notifier.close()
