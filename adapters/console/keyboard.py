"""The keyboard side of the terminal chat: line editing and history (readline), Ctrl-C and Ctrl-D.

The history keeps what people type, so it is the keyboard's to keep secrets out of it: a line the
core says carries one (`connect dataforseo LOGIN:PASSWORD`: `Engine.carries_secret`) is never added,
not even for the up arrow in the same session, and lines an older version kept are dropped when the
history is loaded. The file is readable by its owner only (0600), an older file's mode put right.

readline handles Ctrl-C, and puts the terminal back as it found it, only in the main thread. Reading
with input() in a worker thread (as the chat once did) also made Ctrl-C wait for Enter: asyncio.run
joins its worker threads before it returns. So here the chat's event loop runs in a helper thread,
and the main thread does nothing but read the lines the chat asks for.

How input() meets Ctrl-C: Python waits in select() until a key can be read, and only then lets GNU
readline read it (rl_callback_read_char). A signal that interrupts Python's select() raises
KeyboardInterrupt; one that interrupts readline's own wait for the key (rl_getc) does not: readline
waits again, and gives control back only once a key is read. Two things keep Ctrl-C out of there:
the terminal keeps the keys typed before Ctrl-C (see _typed_keys_kept), so the key select() saw is
there to read and readline never waits; and a helper repeats the SIGINT (see _unmissable_interrupts)
until Python's select() has taken it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import socket
import stat
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

try:
    import readline  # importing it is what gives input() line editing and history
except ImportError:  # Windows without pyreadline: plain input() still works
    readline = None

try:
    import termios
except ImportError:  # Windows
    termios = None

HISTORY_LINES = 1000
OWNER_ONLY = 0o600  # the history file: what people type is nobody else's to read

Secret = Callable[[str], bool]  # whether a typed line carries a secret (never kept in the history)


class Keyboard:
    def __init__(self, *, history: Path | None = None):
        self.history = history
        self._asks: queue.Queue[tuple[str, Secret | None, asyncio.Future[str | None]] | None] = queue.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._interrupted = threading.Event()
        self._secrets_dropped = False  # from the history loaded, at the first line read

    async def read_line(self, prompt: str, *, secret: Secret | None = None) -> str | None:
        """The next line typed (None at Ctrl-D); called from the chat's event loop. A line for which
        `secret` is true is never kept in the history."""
        answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._asks.put((prompt, secret, answer))
        return await answer

    def run(self, main: Coroutine[Any, Any, None]) -> None:
        """Run `main` (the chat) in a helper thread's event loop, reading lines for it here until it
        ends. Ctrl-C cancels it at once, whatever it is doing; its exception, if any, is raised here."""
        failure: list[BaseException] = []
        chat = threading.Thread(target=self._serve, args=(main, failure), name="chat", daemon=True)
        self._load_history()
        with _ctrl_c_raises(), self._typed_keys_kept(), self._unmissable_interrupts():
            chat.start()
            try:
                self._read_until_done()
            except KeyboardInterrupt:
                self._interrupted.set()
                _forget_typed_keys()  # as the terminal itself does at Ctrl-C: none go to the shell
                sys.stdout.write("\n")  # leave the half-typed line; the goodbye gets a line of its own
                sys.stdout.flush()
                if self._loop is not None and self._task is not None:
                    self._loop.call_soon_threadsafe(self._task.cancel)
            finally:
                # A daemon thread: a second Ctrl-C while the chat is closing still ends the program.
                chat.join()
        self._save_history()
        if failure and not isinstance(failure[0], asyncio.CancelledError):
            raise failure[0]

    @contextlib.contextmanager
    def _typed_keys_kept(self) -> Iterator[None]:
        """Tell the terminal not to throw away the keys typed so far when Ctrl-C comes (NOFLSH).

        Without it, a Ctrl-C right after a key (`exam` then Ctrl-C, on a busy machine) could land
        after Python's select() saw the key and before readline read it: the terminal dropped the
        key, readline sat waiting for one (its wait ignores signals: it just waits again) and
        Ctrl-C did nothing until the next key. With the keys kept readline reads them, input()
        returns to select(), and the SIGINT is taken there. At Ctrl-C the keys still unread are
        dropped by us instead (_forget_typed_keys). The terminal's own setting is put back after."""
        if termios is None or not sys.stdin.isatty():
            yield
            return
        fd = sys.stdin.fileno()
        try:
            before = termios.tcgetattr(fd)
            kept = termios.tcgetattr(fd)
            kept[3] |= termios.NOFLSH  # index 3: the local modes
            termios.tcsetattr(fd, termios.TCSANOW, kept)
        except termios.error:  # not a terminal after all: nothing to keep
            yield
            return
        try:
            yield
        finally:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(fd, termios.TCSANOW, before)

    @contextlib.contextmanager
    def _unmissable_interrupts(self) -> Iterator[None]:
        """Python's readline takes Ctrl-C when the signal interrupts its select() for a key; one
        landing elsewhere (before that wait, while readline reads a key, or in another thread) was
        noted but left until the next key. So each signal also wakes a helper (signal.set_wakeup_fd)
        that repeats a SIGINT to the main thread until the main thread has acted on it."""
        if not hasattr(signal, "pthread_kill"):  # Windows: its console delivers Ctrl-C differently
            yield
            return
        wake, wake_write = socket.socketpair()
        wake_write.setblocking(False)
        previous = signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        threading.Thread(target=self._repeat_interrupts, args=(wake,), name="ctrl-c", daemon=True).start()
        try:
            yield
        finally:
            signal.set_wakeup_fd(previous)
            self._interrupted.set()  # nothing left to repeat a Ctrl-C to
            wake_write.close()  # ends the helper

    def _repeat_interrupts(self, wake: socket.socket) -> None:
        _main_thread_takes_ctrl_c()
        main = threading.main_thread().ident
        with wake:
            while signals := wake.recv(64):
                if signal.SIGINT in signals:
                    while not self._interrupted.wait(0.05):
                        signal.pthread_kill(main, signal.SIGINT)

    def _serve(self, main: Coroutine[Any, Any, None], failure: list[BaseException]) -> None:
        _main_thread_takes_ctrl_c()

        async def tracked() -> None:
            self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
            if self._interrupted.is_set():  # Ctrl-C came before the loop was up to be cancelled
                main.close()
                return
            await main

        try:
            asyncio.run(tracked())
        except BaseException as error:  # handed to the main thread, which raises it
            failure.append(error)
        finally:
            self._asks.put(None)  # the chat is over: stop reading

    def _read_until_done(self) -> None:
        while (ask := self._asks.get()) is not None:
            prompt, secret, answer = ask
            if secret is not None and not self._secrets_dropped:
                self._drop_secrets(secret)
            try:
                line: str | None = input(prompt)
            except EOFError:  # Ctrl-D: the cursor is still after the prompt
                sys.stdout.write("\n")
                sys.stdout.flush()
                line = None
            if line is not None:
                self._remember(line, secret)
            answer.get_loop().call_soon_threadsafe(_settle, answer, line)

    # The history: readline's, touched only here in the main thread (readline is not thread-safe).

    def _load_history(self) -> None:
        if readline is None:
            return
        # Lines are added by _remember, which keeps secrets out (readline would add every line).
        readline.set_auto_history(False)
        if self.history is None:
            return
        readline.set_history_length(HISTORY_LINES)  # the file is cut to this many lines when saved
        _owner_only(self.history)  # an older file others could read is closed before anything else
        with contextlib.suppress(OSError):  # none yet, or unreadable: start without
            readline.read_history_file(self.history)

    def _remember(self, line: str, secret: Secret | None) -> None:
        """Add a typed line to the history as readline itself would (not an empty line, nor the
        same as the last one), unless it carries a secret."""
        if readline is None or not line or (secret is not None and secret(line)):
            return
        last = readline.get_current_history_length()
        if last and readline.get_history_item(last) == line:
            return
        readline.add_history(line)

    def _drop_secrets(self, secret: Secret) -> None:
        """Lines with a secret that an older version kept: gone from this session, and from the file
        when it is saved."""
        self._secrets_dropped = True
        if readline is None:
            return
        for index in range(readline.get_current_history_length(), 0, -1):  # 1-based; from the end
            if secret(readline.get_history_item(index) or ""):
                readline.remove_history_item(index - 1)  # 0-based

    def _save_history(self) -> None:
        if readline is None or self.history is None:
            return
        with contextlib.suppress(OSError):  # a read-only home is no reason to fail on the way out
            self.history.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only before a line is in it, and checked after: not every readline library
            # (nor every version) sees to the mode itself, and an existing file's mode may be kept.
            os.close(os.open(self.history, os.O_WRONLY | os.O_CREAT, OWNER_ONLY))
            _owner_only(self.history)
            readline.write_history_file(self.history)
            _owner_only(self.history)


def _owner_only(path: Path) -> None:
    with contextlib.suppress(OSError):  # none yet; or not ours to change (then reading it fails too)
        if stat.S_IMODE(path.stat().st_mode) != OWNER_ONLY:
            path.chmod(OWNER_ONLY)


@contextlib.contextmanager
def _ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt while the chat runs, whatever this process inherited.

    Started from a process that ignores SIGINT (nohup, some IDE and CI runners), Python keeps the
    inherited "ignore" and installs no KeyboardInterrupt, and Ctrl-C did nothing. A person at this
    terminal means it: the chat sets its own handling, and puts back what it found."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _main_thread_takes_ctrl_c() -> None:
    """Block SIGINT in this thread (and the threads it starts, which inherit the mask), so the kernel
    hands Ctrl-C to the main thread, where readline waits for it."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _forget_typed_keys() -> None:
    if termios is not None:
        with contextlib.suppress(termios.error, ValueError, OSError):
            termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)


def _settle(answer: asyncio.Future[str | None], line: str | None) -> None:
    if not answer.done():  # cancelled meanwhile (Ctrl-C)
        answer.set_result(line)
