"""Talking to the bot without a chat platform: `console` (a chat in this terminal) and `plan`
(a plan from a file of answers, no conversation)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

import click

from bot.app.cli.common import database_url, fail, login, read_settings, run_or_stop, stop


@click.command()
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
    from bot.app.serve import missing_database_driver
    from bot.core.events import ChannelKey

    settings = read_settings()
    url = database_url(database, settings)
    if problem := missing_database_driver(url):  # one line naming the install, not asyncpg's ModuleNotFoundError
        stop(f"Cannot start: {problem}")

    # A person at a terminal gets line editing, history and an immediate Ctrl-C (see Keyboard).
    keyboard = None
    if sys.stdin.isatty() and sys.stdout.isatty():
        from platformdirs import user_data_dir

        from adapters.console.keyboard import Keyboard

        keyboard = Keyboard(history=Path(user_data_dir("backlinks-bot", appauthor=False)) / "console_history")

    async def run() -> None:
        async with running(settings, url) as engine:
            key = ChannelKey("console", "local", channel or settings.console_channel)
            await ConsoleChat(engine=engine, channel=key, user=user or login(), keyboard=keyboard).run()

    try:
        run_or_stop(run(), keyboard.run if keyboard else asyncio.run)
    except KeyboardInterrupt:
        click.echo("\nBye. Your plan and any answers in progress are saved.")


@click.command("plan")
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
        fail([f"{answers_file}: not a readable YAML or JSON file ({error})"])
    if not isinstance(values, dict):
        fail([f"{answers_file}: expected a mapping of question id to answer, like `referring_domains: 140`"])
    raw = answers_as_text(questionnaire, values)
    problems = [
        f"{name}: not a question I ask (known: {', '.join(q.id for q in questionnaire.questions)})"
        for name in raw
        if questionnaire.resolve(name) is None
    ]
    known = {k: v for k, v in raw.items() if questionnaire.resolve(k) is not None}
    draft, errors = apply(questionnaire, Draft(), known, dt.datetime.now(dt.UTC).date())
    problems += [f"{name}: {reason}" for name, reason in errors.items()]
    # Optional questions left out of the file count as skipped; required ones are missing.
    for question in questionnaire.questions:
        if not draft.settled(question.id) and question.id not in errors:
            if question.optional:
                draft, _ = apply(questionnaire, draft, {question.id: ""})
            else:
                problems.append(f"{question.id}: missing ({question.prompt} Example: {question.example})")
    if problems or next_question(questionnaire, draft) is not None:
        fail(problems)
    result = planner.plan(draft.answers, knowledge)
    if output_format == "json":
        click.echo(json.dumps(report.as_json(result, knowledge), indent=2, ensure_ascii=False))
    else:
        click.echo(report.as_markdown(result, knowledge), nl=False)
