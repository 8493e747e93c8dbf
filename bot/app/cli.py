"""The `backlinks` command line."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import signal
import sys
from pathlib import Path

import click

# Commands import what they need when they run, so `backlinks --help` starts instantly.


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Backlinks bot: how many backlinks to build each month, and keeping at it."""


@main.command()
@click.option(
    "--database",
    "database",
    metavar="PATH|URL",
    help="SQLite file or database URL (default: $BACKLINKS_DATABASE_URL, $DATABASE_URL, "
    "else backlinks.db in your user data folder).",
)
@click.option("--channel", default=None, help="Channel name the plan is stored under (default: console).")
@click.option("--user", default=None, help="Who is answering (default: your login name).")
def console(database: str | None, channel: str | None, user: str | None) -> None:
    """Chat with the bot in this terminal."""
    from adapters.console.chat import ConsoleChat
    from bot.app.build import running
    from bot.core.events import ChannelKey
    from bot.core.settings import database_url_for

    settings = _settings()
    url = database_url_for(database) if database else settings.database_url

    # A person at a terminal gets line editing, history and an immediate Ctrl-C (see Keyboard).
    keyboard = None
    if sys.stdin.isatty() and sys.stdout.isatty():
        from platformdirs import user_data_dir

        from adapters.console.keyboard import Keyboard

        keyboard = Keyboard(history=Path(user_data_dir("backlinks-bot", appauthor=False)) / "console_history")

    async def run() -> None:
        async with running(settings, url) as engine:
            key = ChannelKey("console", "local", channel or settings.console_channel)
            await ConsoleChat(engine=engine, channel=key, user=user or _login(), keyboard=keyboard).run()

    try:
        _run(run(), keyboard.run if keyboard else asyncio.run)
    except KeyboardInterrupt:
        click.echo("\nBye. Your plan and any answers in progress are saved.")


@main.command("plan")
@click.option(
    "--answers",
    "answers_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML (or JSON) file of answers keyed by question id.",
)
@click.option("--format", "output_format", type=click.Choice(["json", "markdown"]), default="json", show_default=True)
def plan_command(answers_file: Path, output_format: str) -> None:
    """Print a plan from an answer file, with no conversation (same validation as the chat)."""
    import yaml

    from bot.conversation.questionnaire import Draft, answers_as_text, apply, next_question
    from bot.planning import knowledge as knowledge_module
    from bot.planning import planner, report

    knowledge = knowledge_module.default()
    questionnaire = knowledge.questionnaire
    try:
        values = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        _fail([f"{answers_file}: not a readable YAML or JSON file ({error})"])
    if not isinstance(values, dict):
        _fail([f"{answers_file}: expected a mapping of question id to answer, like `referring_domains: 140`"])
    raw = answers_as_text(questionnaire, values)
    problems = [
        f"{name}: not a question I ask (known: {', '.join(q.id for q in questionnaire.questions)})"
        for name in raw
        if questionnaire.resolve(name) is None
    ]
    known = {k: v for k, v in raw.items() if questionnaire.resolve(k) is not None}
    draft, errors = apply(questionnaire, Draft(), known)
    problems += [f"{name}: {reason}" for name, reason in errors.items()]
    # Optional questions left out of the file count as skipped; required ones are missing.
    for question in questionnaire.questions:
        if not draft.settled(question.id) and question.id not in errors:
            if question.optional:
                draft, _ = apply(questionnaire, draft, {question.id: ""})
            else:
                problems.append(f"{question.id}: missing ({question.prompt} Example: {question.example})")
    if problems or next_question(questionnaire, draft) is not None:
        _fail(problems)
    result = planner.plan(draft.answers, knowledge)
    if output_format == "json":
        click.echo(json.dumps(report.as_json(result, knowledge), indent=2, ensure_ascii=False))
    else:
        click.echo(report.as_markdown(result, knowledge), nl=False)


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="json", show_default=True)
def import_command(path: Path, output_format: str) -> None:
    """Profile a backlink export (Ahrefs, Semrush, Moz, Majestic, Search Console); stores nothing."""
    from bot.exports import ExportError, read_profile
    from bot.monthly.schedule import month_key
    from bot.planning import knowledge as knowledge_module
    from bot.storage.store import utc_now

    settings = _settings()
    try:
        profile = read_profile(path, knowledge_module.default().export_formats, max_bytes=settings.import_max_bytes)
    except ExportError as error:
        _fail([str(error)], heading="Cannot import:")
    summary = profile.summary(month_key(utc_now(), "UTC"))
    if output_format == "json":
        click.echo(json.dumps(summary, indent=2))
    else:  # the profile as the chat shows it
        from adapters.console.chat import render
        from adapters.console.output import TERMINAL, printable  # a value may quote the file
        from bot.conversation.rendering import Renderer
        from bot.core.replies import Reply
        from bot.exports.commands import intersect_blocks, profile_blocks

        blocks = intersect_blocks(profile) if profile.compared else profile_blocks(profile, summary)
        click.echo(printable(render(Reply("info", blocks), Renderer(knowledge_module.default(), TERMINAL))))


@main.command("chart")
@click.option("--channel", required=True, help="The channel whose progress to draw (a console channel's name).")
@click.option("--platform", default="console", show_default=True, help="console, slack or discord.")
@click.option("--workspace", default="local", show_default=True, help="The Slack team id or Discord server id.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def chart_command(channel: str, platform: str, workspace: str, output: Path, database: str | None) -> None:
    """Save a channel's progress chart as a PNG (from two months of history) and print its path."""
    from bot.app.build import running
    from bot.core.events import ChannelKey
    from bot.core.settings import database_url_for

    settings = _settings()
    url = database_url_for(database) if database else settings.database_url

    async def run() -> bytes | None:
        async with running(settings, url) as engine:
            image = await engine.monthly.chart(ChannelKey(platform, workspace, channel))
            return image.data if image else None

    found: list[bytes | None] = []
    _run(_collect(run(), found))
    if not found or found[0] is None:
        _stop(f"No chart for {channel}: it needs a plan with two months of history.")
    try:
        output.write_bytes(found[0])
    except OSError as error:
        _stop(f"Cannot write {output}: {error.strerror or error}")
    click.echo(str(output.resolve()))


async def _collect(work, into: list) -> None:
    into.append(await work)


@main.command()
@click.option(
    "--role",
    type=click.Choice(["all", "web", "worker"]),
    default="all",
    show_default=True,
    help="web: Slack over HTTP on PORT; worker: Discord, Slack Socket Mode and the reminder loop; all: both.",
)
def serve(role: str) -> None:
    """Run the bot for the chat platforms configured in the environment (see README)."""
    import logging

    from bot.app.serve import (
        StartError,
        check_database,
        install_command,
        missing_database_driver,
        missing_library,
        nothing_to_serve,
        run,
        slack_settings_problem,
    )
    from bot.core import logs
    from bot.storage.store import StoreError

    settings = _settings()
    # Start-up problems in one line each, before anything is opened or connected.
    problem = (
        slack_settings_problem(settings)
        or missing_library(settings, role)
        or missing_database_driver(settings.database_url)
    )
    if problem:
        _stop(f"Cannot start: {problem}")
    if reason := nothing_to_serve(settings, role):
        _run(check_database(settings.database_url))  # a wrong DATABASE_URL is worth hearing about too
        _stop(f"Nothing to serve: {reason}")
    # Plain or JSON lines, secrets hidden either way; errors to Sentry when a DSN is set (bot/core/logs.py).
    logs.configure(settings)
    try:
        logs.start_error_reports(settings)
    except logs.SentryMissing as error:
        _stop(f"Cannot start: {error}. Install it with: {install_command('sentry')}")

    async def main_task() -> None:
        # Platforms stop a process with SIGTERM: finish cleanly (close sockets and the database).
        task = asyncio.current_task()
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        await run(settings, role)

    try:
        with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
            asyncio.run(main_task())
    except (StartError, StoreError) as error:
        _stop(f"Cannot start: {error}. Check the settings (README, Configuration) and the network.")
    logging.getLogger(__name__).info("stopped")


@main.group()
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
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def run_once(now_text: str | None, dry_run: bool, yes: bool, database: str | None) -> None:
    """Send the reminders that are due, once, through every configured platform (and the terminal)."""
    import datetime as dt

    from bot.app.build import running
    from bot.app.serve import _notifiers, missing_database_driver, missing_library
    from bot.core.settings import database_url_for
    from bot.monthly.reminders import ReminderLoop
    from bot.storage.store import utc_now

    settings = _settings()
    url = database_url_for(database) if database else settings.database_url
    now = utc_now()
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text.replace("Z", "+00:00"))
        except ValueError:
            _fail([f"--now: “{now_text}” is not an ISO time like 2026-12-01T09:00Z"], heading="Cannot run:")
        now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    # Sending a future month's reminders closes that month for good (the plan is re-run a month on),
    # so trying it out only lists them unless asked twice.
    listing_only = dry_run or (now > utc_now() and not yes)
    if problem := missing_library(settings, "worker") or missing_database_driver(url):
        _stop(f"Cannot run: {problem}")
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

    _run(run())
    if listing_only and not dry_run and listed:
        _stop(
            f"Not sent: {now_text} is in the future. Sending these closes their month for good: each check-in "
            "goes out, and each plan is re-run a month on (the site a month older, the horizon a month shorter). "
            "Add --yes to do it, or --dry-run to only list them."
        )


async def _close(notifiers) -> None:
    for notifier in notifiers:
        if hasattr(notifier, "close"):
            await notifier.close()


@main.group("lookups")
def lookups_group() -> None:
    """Backlink data lookups (DataForSEO, Moz): what the bot's own key has spent, keys that can't be opened."""


@lookups_group.command("status")
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def lookups_status(database: str | None) -> None:
    """This month's lookups on BACKLINKS_PROVIDER_KEY, every workspace's together, against
    BACKLINKS_PROVIDER_KEY_MONTHLY_CAP; and the keys connected in workspaces that BACKLINKS_TOKEN_KEY
    does not open (never a key, nor part of one)."""
    from bot.app.build import running
    from bot.app.serve import missing_database_driver
    from bot.core.settings import database_url_for

    settings = _settings()
    url = database_url_for(database) if database else settings.database_url
    if problem := missing_database_driver(url):
        _stop(f"Cannot read: {problem}")
    found: list = []

    async def run() -> None:
        async with running(settings, url) as engine:
            service = engine.lookups
            keys = await engine.store.lookups.keys()
            found.extend([await service.shared_usage(), len(keys), await service.unreadable()])
            found.append(service.label(settings.provider or ""))

    _run(run())
    usage, connected, unreadable, label = found
    if usage is None:
        click.echo("No BACKLINKS_PROVIDER_KEY is set: only keys connected in workspaces look figures up.")
    else:
        click.echo(
            f"BACKLINKS_PROVIDER_KEY ({label}), {usage.month}: {usage.used:,} of {usage.cap:,} lookups used, "
            "every workspace together (the cap is BACKLINKS_PROVIDER_KEY_MONTHLY_CAP)."
        )
        if usage.used >= usage.cap:
            click.echo("The cap is reached: plans on this key ask for the figures until next month.")
    click.echo(f"Keys connected in workspaces: {connected}.")
    if unreadable:
        why = "BACKLINKS_TOKEN_KEY is not set" if unreadable[0][1].missing else "BACKLINKS_TOKEN_KEY does not open them"
        names = ", ".join(f"{where[0]} {where[1]} ({error.label}, ending {error.last4})" for where, error in unreadable)
        click.echo(
            f"{len(unreadable)} of them can't be opened ({why}): {names}. Set the old BACKLINKS_TOKEN_KEY back "
            "(to move to a new key: NEW,OLD), or have each workspace connect its key again."
        )


@main.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--workspace",
    metavar="PLATFORM:ID",
    help="Only this workspace's data, e.g. slack:T0123, discord:81234, console:local (default: everything).",
)
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def export_command(path: Path, workspace: str | None, database: str | None) -> None:
    """Write the plans, answers, history, progress, reminders and settings to one JSON file (keys
    and tokens stay sealed with BACKLINKS_TOKEN_KEY); `backlinks restore` loads it elsewhere."""
    from bot.app.serve import missing_database_driver
    from bot.core.settings import database_url_for
    from bot.storage import backup
    from bot.storage.store import Store

    url = database_url_for(database) if database else _settings().database_url
    scope = None
    if workspace is not None:
        platform, _, name = workspace.partition(":")
        if not platform or not name:
            _fail([f"--workspace: “{workspace}” is not PLATFORM:ID, like slack:T0123"], heading="Cannot export:")
        scope = (platform, name)
    if problem := missing_database_driver(url):
        _stop(f"Cannot export: {problem}")
    found: list = []

    async def run() -> None:
        store = await Store.open(url, migrate=False)
        try:
            found.append(await backup.export(store, scope))
        finally:
            await store.close()

    _run(run())
    document = found[0]
    try:
        path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except OSError as error:
        _stop(f"Cannot write {path}: {error.strerror or error}")
    counts = {name: len(table["rows"]) for name, table in document["tables"].items()}
    click.echo(f"Exported {_rows(counts)} to {path}.")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def restore_command(path: Path, database: str | None) -> None:
    """Load a file of `backlinks export` into a new, empty database (it is migrated first)."""
    from bot.app.serve import missing_database_driver
    from bot.core.settings import database_url_for
    from bot.storage import backup
    from bot.storage.store import Store

    url = database_url_for(database) if database else _settings().database_url
    if problem := missing_database_driver(url):
        _stop(f"Cannot restore: {problem}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        _stop(f"Cannot restore: {path} is not a readable export ({error})")
    restored: list = []
    try:
        backup.check(document)  # before a database is made for it
    except backup.BackupError as error:
        _stop(f"Cannot restore: {error}. Nothing was changed.")

    async def run() -> None:
        store = await Store.open(url)
        try:
            restored.append(await backup.restore(store, document))
        finally:
            await store.close()

    try:
        _run(run())
    except backup.BackupError as error:
        _stop(f"Cannot restore: {error}. Nothing was changed.")
    click.echo(f"Restored {_rows(restored[0])} from {path}.")


def _rows(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    shown = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
    return f"{total} row{'s' if total != 1 else ''}" + (f" ({shown})" if shown else "")


@main.group("links")
def links_group() -> None:
    """The links people logged: are they still there?"""


@links_group.command("check")
@click.option("--channel", required=True, help="The channel whose logged links to check (a console channel's name).")
@click.option("--platform", default="console", show_default=True, help="console, slack or discord.")
@click.option("--workspace", default="local", show_default=True, help="The Slack team id or Discord server id.")
@click.option("--allow-private", is_flag=True, help="Also fetch pages on private or local addresses (an intranet).")
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def links_check(channel: str, platform: str, workspace: str, allow_private: bool, database: str | None) -> None:
    """Fetch every link URL logged in a channel (robots.txt respected, one request a second per
    host) and say which are live and which were lost: page gone, link removed, or now nofollow."""
    from bot.app.serve import missing_database_driver
    from bot.core.events import ChannelKey
    from bot.core.settings import database_url_for
    from bot.links.checker import LinkChecker
    from bot.links.logged import logged_links, summary
    from bot.storage.store import Store

    url = database_url_for(database) if database else _settings().database_url
    if problem := missing_database_driver(url):
        _stop(f"Cannot check: {problem}")
    found: list = []

    async def run() -> None:
        store = await Store.open(url, migrate=False)
        try:
            site, urls = await logged_links(store, ChannelKey(platform, workspace, channel))
        finally:
            await store.close()
        if site is None or not urls:
            return
        async with LinkChecker(allow_private=allow_private) as checker:
            found.extend(await checker.check([(u, site) for u in urls]))

    _run(run())
    if not found:
        _stop(f"No links to check in {channel}: log URLs first (log https://…), with a plan there.")
    for state in found:
        why = f" ({state.reason})" if state.reason else ""
        click.echo(f"{state.state:9}  {state.url}{why}")
    click.echo(summary(found) + ".")


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def upgrade(database: str | None) -> None:
    """Apply the schema migrations (they also run at every start; this is for release steps)."""
    from sqlalchemy.engine import make_url

    from bot.app.serve import missing_database_driver
    from bot.core.settings import database_url_for
    from bot.storage.store import Store

    url = database_url_for(database) if database else _settings().database_url
    if problem := missing_database_driver(url):
        _stop(f"Cannot migrate: {problem}")

    async def run() -> None:
        store = await Store.open(url)
        await store.close()

    _run(run())
    click.echo(f"The database schema of {make_url(url).render_as_string(hide_password=True)} is up to date.")


@db.command("encrypt-tokens")
@click.option("--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`).")
def encrypt_tokens(database: str | None) -> None:
    """Encrypt the stored Slack workspace tokens and data provider keys with the first key of
    BACKLINKS_TOKEN_KEY: ones saved before a key was set, and ones under an older key (after a
    rotation), so the old key can be dropped."""
    from bot.core.settings import database_url_for
    from bot.storage.secrets import Sealer, TokenKeyError
    from bot.storage.store import Store

    settings = _settings()
    if settings.token_key is None:
        _fail(["set BACKLINKS_TOKEN_KEY first (the README says how to make a key)"], heading="Cannot encrypt:")
    try:
        from adapters.slack.installations import EncryptedInstallationStore, cipher
    except ImportError:  # no Slack here: the provider keys are all there is to seal
        slack = False
    else:
        slack = True
    url = database_url_for(database) if database else settings.database_url
    sealer = Sealer(settings.token_key.get_secret_value())
    changed = {"tokens": 0, "keys": 0}

    async def run() -> None:
        store = await Store.open(url)
        try:
            # A provider key no key opens stops the run before anything is written (the Slack
            # tokens are checked inside their own transaction).
            for (platform, workspace), stored in await store.lookups.keys():
                try:
                    sealer.open(stored.secret)
                except TokenKeyError:
                    raise TokenKeyError(
                        f"the data provider key of {platform} {workspace} can't be decrypted with BACKLINKS_TOKEN_KEY: "
                        "was the key replaced? Put the new key first and keep the old one after it (NEW,OLD)."
                    ) from None
            if slack:
                fernet = cipher(settings.token_key.get_secret_value())
                client_id = settings.slack_client_id or ""
                tokens = EncryptedInstallationStore(fernet, client_id=client_id, engine=store.engine)
                changed["tokens"] = await tokens.seal_stored()
            changed["keys"] = await store.lookups.reseal_keys(sealer.reseal)
        finally:
            await store.close()

    try:
        _run(run())
    except TokenKeyError as error:
        _fail([f"{error} Nothing was changed."], heading="Cannot encrypt:")
    tokens, keys = changed["tokens"], changed["keys"]
    if slack:
        click.echo(f"Encrypted {tokens} stored Slack token{'s' if tokens != 1 else ''} with the first key.")
    if keys or not slack:
        click.echo(f"Encrypted {keys} stored data provider key{'s' if keys != 1 else ''} with the first key.")


def _run(work, runner=asyncio.run) -> None:
    """asyncio.run (or another runner), with a database that can't be opened reported in one clear line."""
    from bot.storage.store import StoreError

    try:
        runner(work)
    except StoreError as error:
        _stop(f"Cannot start: {error}")


def _settings():
    """The settings, or a clear stop naming each wrong variable (never its value: it may be a secret)."""
    from pydantic import ValidationError

    from bot.core.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "a setting"
            problems.append(f"{_variables(Settings).get(name, name)}: {item['msg']}")
        _fail(problems, heading="Cannot start: a setting in the environment (or .env) is wrong:")


def _variables(settings_type) -> dict[str, str]:
    """Each setting's environment variables as a user sets them (`BACKLINKS_PORT or PORT`), by the
    names pydantic reports: the field's name or its first alias."""
    from pydantic import AliasChoices

    names = {}
    for field, info in settings_type.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias or f"BACKLINKS_{field.upper()}"]
        names[field] = names[str(choices[0])] = " or ".join(str(c) for c in choices)
    return names


def _fail(problems: list[str], heading: str = "The answers have problems:") -> None:
    from adapters.console.output import printable  # a problem may quote a file's text

    click.echo(heading, err=True)
    for problem in problems:
        click.echo(printable(f"  - {problem}"), err=True)
    sys.exit(1)


def _stop(line: str) -> None:
    """Stop with one line on stderr: what is wrong and what to do, no traceback."""
    click.echo(line, err=True)
    sys.exit(1)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


if __name__ == "__main__":
    main()
