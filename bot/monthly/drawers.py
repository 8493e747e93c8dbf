"""Processes that draw charts, started at the first chart and tied to the process that started them.

A drawer is a fresh interpreter (`python -c`, never a fork of a process with threads and an event
loop running) that reads chart requests from its stdin and answers on its stdout, one at a time.
Drawing in another process keeps the event loop free and uses the cores a check-in fan-out leaves
idle; a thread here per drawer waits on its pipes (which holds no GIL).

A drawer must never outlive its parent, however the parent ends (SIGKILL from a supervisor or the
OOM killer included): a leftover would keep its memory and, worse, the parent's stdout if it had
inherited it, and a supervisor reading that pipe would wait forever. So:

- its stdin is a pipe only the parent holds (close_fds): when the parent dies, for any reason, the
  kernel closes it, the drawer reads end-of-file and exits;
- on Linux it also asks the kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), in
  case something else ever holds that pipe (a fork of the parent); and it checks that the parent
  it was started for is still its parent, in case that died before the request was made. (The
  kernel's "parent" is the thread that started the process: drawers are started from this
  module's own threads, which live as long as the process);
- it inherits none of the parent's stdio: stdin and stdout are its own pipes, stderr is /dev/null
  (a failed drawing is answered with its traceback, which the parent logs);
- no multiprocessing: no resource tracker process, which holds the parent's stdio and lives until
  every process that shares it has exited;
- it ignores Ctrl-C (SIGINT goes to the terminal's whole process group; the parent decides).

Requests and answers are length-prefixed: a request is the chart's numbers and words as JSON (no
pickle), an answer a status byte and the PNG (or the traceback).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

DRAWERS = max(1, min(4, os.cpu_count() or 1))
DRAWN, FAILED = 0, 1  # an answer's status byte
PR_SET_PDEATHSIG = 1  # linux/prctl.h
ROOT = Path(__file__).resolve().parents[2]  # where the `bot` package is, for the drawer's imports
# What a drawer runs: this module's `serve`, with the pid of the process it must not outlive.
BOOT = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bot.monthly.drawers import serve; serve()"


class DrawerFailed(RuntimeError):
    """A drawer could not draw the chart: it died, could not start, or the drawing raised."""


class Drawer:
    """One drawing process, started on first use (and again after it died)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def ask(self, request: bytes) -> bytes:
        if self.process is None or self.process.poll() is not None:
            self.start()
        assert self.process is not None and self.process.stdin and self.process.stdout
        try:
            self.process.stdin.write(len(request).to_bytes(4, "big") + request)
            self.process.stdin.flush()
            status, answer = _read_answer(self.process.stdout)
        except (OSError, EOFError) as error:
            self.stop()
            raise DrawerFailed(f"the drawing process ended ({error or 'no answer'})") from None
        if status != DRAWN:
            raise DrawerFailed(answer.decode(errors="replace"))
        return answer

    def start(self) -> None:
        self.stop()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", BOOT, str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                close_fds=True,
            )
        except OSError as error:
            raise DrawerFailed(f"could not start a drawing process: {error}") from None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        for pipe in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        try:  # end-of-file on its stdin ends it; a stuck one is killed
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


class Drawers:
    """A few drawers, each with a thread of this process that talks to it."""

    def __init__(self, size: int = DRAWERS):
        self.size = size
        self.drawers = [Drawer() for _ in range(size)]
        self._idle: queue.SimpleQueue[Drawer] = queue.SimpleQueue()
        for drawer in self.drawers:
            self._idle.put(drawer)
        self._threads = ThreadPoolExecutor(size, thread_name_prefix="chart-drawer")

    async def draw(self, request: bytes) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self._threads, self._ask, request)

    def _ask(self, request: bytes) -> bytes:
        drawer = self._idle.get()
        try:
            try:
                return drawer.ask(request)
            except DrawerFailed:
                if drawer.process is not None:  # alive: the drawing itself failed
                    raise
            return drawer.ask(request)  # it had died (or never started): once more, in a new one
        finally:
            self._idle.put(drawer)

    def pids(self) -> list[int]:
        return [pid for drawer in self.drawers if (pid := drawer.pid) is not None]

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        for drawer in self.drawers:
            drawer.stop()


_drawers: Drawers | None = None
_lock = threading.Lock()


def pool() -> Drawers:
    global _drawers
    with _lock:
        if _drawers is None:
            _drawers = Drawers()
        return _drawers


async def draw(data: Mapping[str, Any], labels: Mapping[str, str]) -> bytes:
    """The PNG of a chart (`ChartData.to_json()` and its words), drawn in a drawer. Raises DrawerFailed."""
    request = json.dumps({"data": data, "labels": dict(labels)}, separators=(",", ":")).encode()
    return await pool().draw(request)


def _read_answer(stream: IO[bytes]) -> tuple[int, bytes]:
    head = _read(stream, 5)
    return head[0], _read(stream, int.from_bytes(head[1:], "big"))


def _read(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


# The drawer's side.


def serve() -> None:
    """A drawer's life: answer requests until its stdin ends (the parent closed it, or died)."""
    import signal

    parent = int(sys.argv[1])
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    # Nothing else may write to the answers' pipe (a library's print): fd 1 becomes /dev/null.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    from bot.monthly.picture import ChartData, render

    while True:
        try:
            head = _read(requests, 4)
            request = json.loads(_read(requests, int.from_bytes(head, "big")))
        except EOFError:
            return
        try:
            status, answer = DRAWN, render(ChartData.from_json(request["data"]), request["labels"])
        except Exception:
            import traceback

            status, answer = FAILED, traceback.format_exc().encode()
        try:
            answers.write(bytes([status]) + len(answer).to_bytes(4, "big") + answer)
            answers.flush()
        except OSError:  # the parent is gone
            return


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):  # no prctl: the pipe's end-of-file still ends us
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before we asked
        os._exit(0)
