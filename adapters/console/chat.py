"""The terminal adapter: lines in, plain text out. Thin by design: no branching on answers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from adapters.console.layout import fill, terminal_width
from adapters.console.output import TERMINAL, write
from adapters.console.text import render
from bot.conversation.rendering import Renderer
from bot.core.events import ChannelKey, Said
from bot.core.replies import Reply, files, images
from bot.engine import Engine
from bot.exports.commands import import_target

if TYPE_CHECKING:  # readline is loaded only for a person at a terminal
    from adapters.console.keyboard import Keyboard

QUIT_WORDS = {"quit", "exit", ":q"}
CHART_OPTION = "--chart"


def chart_option(line: str) -> tuple[str, str | None]:
    """`show --chart FILE.png` → ("show", "FILE.png"): the terminal saves the chart `show` draws."""
    try:
        words = shlex.split(line)
    except ValueError:  # an unclosed quote: not ours to read
        return line, None
    if len(words) == 3 and words[0].lower() == "show" and words[1] == CHART_OPTION:
        return "show", words[2]
    return line, None


def local_timezone() -> str | None:
    """This machine's IANA zone (a first reminder's default), if the system says."""
    try:
        from tzlocal import get_localzone_name

        return get_localzone_name()
    except Exception:  # no zone configured: the reminder falls back to UTC
        return None


def local_language() -> str | None:
    """The language this terminal is set to, as POSIX orders the settings: LC_ALL, LC_MESSAGES,
    LANG ("de_DE.UTF-8"); the bot speaks it unless the channel chose one (`language`)."""
    return next((os.environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(name)), None)


class ConsoleChat:
    def __init__(
        self,
        *,
        engine: Engine,
        channel: ChannelKey,
        user: str,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        keyboard: Keyboard | None = None,
    ):
        self.engine = engine
        self.channel = channel
        self.user = user
        self.stdin = stdin
        self.stdout = stdout
        self.renderer = Renderer(engine.knowledge, TERMINAL)
        self.keyboard = keyboard  # a person at a terminal (else lines come from a pipe or a file)
        self.timezone = local_timezone()
        self.locale = local_language()

    def say(self, text: str) -> None:
        write(self.stdout, text + "\n\n")

    def show(self, reply: Reply) -> None:
        self.say(render(reply, self.renderer, terminal_width(self.stdout)))

    async def read_line(self) -> str | None:
        if self.keyboard is not None:
            return await self.keyboard.read_line("> ", secret=self.engine.carries_secret)
        line = await asyncio.to_thread(self.stdin.readline)
        return line.rstrip("\n") if line else None

    def event(self, line: str) -> Said:
        """A typed line as an event; `import PATH` hands the file over, as an upload would elsewhere."""
        words = line.strip().split(maxsplit=1)
        if len(words) == 2 and words[0].lower() == "import":
            file, competitor = import_target(words[1])
            if file:
                said = "import competitor" if competitor else "import"
                return Said(self.channel, self.user, said, self.timezone, file, manages=True, locale=self.locale)
        # (the file is the user's own)
        return Said(self.channel, self.user, line, self.timezone, manages=True, locale=self.locale)

    async def run(self, *, reminders_every: float | None = 60.0) -> None:
        """Chat until quit; meanwhile due reminders of console channels are printed here."""
        width = terminal_width(self.stdout)
        # The terminal's own lines in the language the replies come in (what `language` chose, else LANG).
        words = self.renderer.speaking(await self.engine.languages.of(self.channel, self.locale))
        self.say(fill(words.render("welcome"), width) + "\n" + fill(words.render("console.commands"), width))
        self.show(replace(await self.engine.greeting(self.channel, self.user), language=words.language))
        loop = None
        if reminders_every:
            from adapters.console.notify import ConsoleNotifier
            from bot.monthly.reminders import ReminderLoop

            notifier = ConsoleNotifier(self.renderer, self.stdout)
            loop = asyncio.create_task(
                ReminderLoop(checkins=self.engine.monthly, notifiers=[notifier]).run_forever(reminders_every)
            )
        try:
            while (line := await self.read_line()) is not None:
                if line.strip().lower() in QUIT_WORDS:
                    break
                line, chart_to = chart_option(line)
                replies = await self.engine.handle(self.event(line))
                words = self.renderer.speaking(replies[-1].language) if replies else words
                for reply in replies:
                    self.show(reply)
                if chart_to is not None:
                    self.say(await save_chart(replies, chart_to, words))
                for saved in await save_files(replies, Path.cwd(), words):
                    self.say(saved)
        finally:
            if loop is not None:
                # Wait for the loop to stop: it may be mid-query, and the store closes right after us
                # (closing it under a running query left the process hanging at exit).
                loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await loop
            self.say(words.render("console.bye"))  # after Ctrl-C (a cancel) too: nothing awaited here


async def save_files(replies: list[Reply], folder: Path, renderer: Renderer) -> list[str]:
    """Write the replies' files (`export`'s CSV) into `folder`; what to tell the user of each."""
    said = []
    for block in (block for reply in replies for block in files(reply)):
        target = folder / Path(block.filename).name  # a name, never a path the reply could choose
        try:
            await asyncio.to_thread(target.write_bytes, block.data)
        except OSError as error:
            said.append(
                renderer.render("history.save_failed", {"path": str(target), "reason": error.strerror or str(error)})
            )
        else:
            said.append(renderer.render("history.saved", {"path": str(target.resolve())}))
    return said


async def save_chart(replies: list[Reply], path: str, renderer: Renderer) -> str:
    """Write the first chart among the replies to `path`; what to tell the user."""
    found = [image for reply in replies for image in images(reply)]
    if not found:
        return renderer.render("console.no_chart")
    target = Path(path).expanduser()
    try:
        await asyncio.to_thread(target.write_bytes, found[0].data)
    except OSError as error:
        return renderer.render("console.chart_failed", {"path": str(target), "reason": error.strerror or str(error)})
    return renderer.render("console.chart_saved", {"path": str(target.resolve())})
