"""Processes that draw charts, started at the first chart and tied to the process that started them.

A drawer is a fresh interpreter (`python -c`, never a fork of a process with threads and an event
loop running) that reads chart requests from its stdin and answers on its stdout. Drawing in another
process keeps the event loop free and uses the cores a check-in fan-out leaves idle; a thread here
per drawer waits on its pipes (which holds no GIL).

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

Requests and answers are length-prefixed, several to a round trip when a fan-out has many waiting
(each round trip wakes two processes, which costs about as much as a drawing): a request is the
chart's numbers and words as JSON (no pickle), an answer a status byte and the PNG (or the traceback).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

DRAWERS = max(1, min(4, os.cpu_count() or 1))
BATCH = 16  # charts a drawer takes in one round trip, when that many are waiting
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

    def ask(self, requests: Sequence[bytes]) -> list[tuple[int, bytes]]:
        """Each request's (status, answer), drawn in this drawer; a dead one is started again once."""
        try:
            return self._ask(requests)
        except DrawerFailed:
            return self._ask(requests)  # it had died (or never started): once more, in a new one

    def _ask(self, requests: Sequence[bytes]) -> list[tuple[int, bytes]]:
        if self.process is None or self.process.poll() is not None:
            self.start()
        assert self.process is not None and self.process.stdin and self.process.stdout
        frame = [len(requests).to_bytes(4, "big")]
        for request in requests:
            frame += [len(request).to_bytes(4, "big"), request]
        try:
            # The drawer reads the whole batch before it answers, so neither side waits on a full pipe.
            self.process.stdin.write(b"".join(frame))
            self.process.stdin.flush()
            return [_read_answer(self.process.stdout) for _ in requests]
        except (OSError, EOFError) as error:
            self.stop()
            raise DrawerFailed(f"the drawing process ended ({error or 'no answer'})") from None

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
    """A few drawers, each with a thread of this process that hands it what is waiting: up to
    BATCH charts in one round trip when many wait (a check-in fan-out), one when one does."""

    def __init__(self, size: int = DRAWERS, batch: int = BATCH):
        self.size, self.batch = size, batch
        self.drawers = [Drawer() for _ in range(size)]
        # (priority, order, request, future): interactive charts (0) before a fan-out's (1).
        self._waiting: queue.PriorityQueue[tuple[int, int, bytes, Future[bytes] | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    async def draw(self, request: bytes, *, background: bool = False) -> bytes:
        return await asyncio.wrap_future(self.submit(request, background=background))

    def submit(self, request: bytes, *, background: bool = False) -> Future[bytes]:
        with self._lock:
            if not self._threads:
                for drawer in self.drawers:
                    # Drawers are started from these threads, which live as long as the process:
                    # the kernel's parent-death signal follows the thread that started a process.
                    thread = threading.Thread(target=self._work, args=(drawer,), name="chart-drawer", daemon=True)
                    thread.start()
                    self._threads.append(thread)
        future: Future[bytes] = Future()
        self._waiting.put((int(background), next(self._order), request, future))
        return future

    def _work(self, drawer: Drawer) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self.batch and batch[-1][3] is not None:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            closing = batch[-1][3] is None
            live = [
                (request, future) for _, _, request, future in batch if future and future.set_running_or_notify_cancel()
            ]
            if live:
                try:
                    answers = drawer.ask([request for request, _ in live])
                except Exception as failure:  # whatever it was, nobody is left waiting for an answer
                    if not isinstance(failure, DrawerFailed):
                        log.exception("a drawing thread failed")
                        failure = DrawerFailed(f"the drawing thread failed: {failure!r}")
                    for _, future in live:
                        future.set_exception(failure)
                else:
                    for (_, future), (status, answer) in zip(live, answers, strict=True):
                        if status == DRAWN:
                            future.set_result(answer)
                        else:
                            future.set_exception(DrawerFailed(answer.decode(errors="replace")))
            if closing:
                return

    def pids(self) -> list[int]:
        return [pid for drawer in self.drawers if (pid := drawer.pid) is not None]

    def close(self) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._waiting.put((2, next(self._order), b"", None))  # after everything waiting: stop
        for thread in threads:
            thread.join()
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


def submit(data: Mapping[str, Any], labels: Mapping[str, str], *, background: bool = False) -> Future[bytes]:
    """A chart (`ChartData.to_json()` and its words) handed to the drawers now; its future holds
    the PNG, or DrawerFailed. `background`: one of a fan-out's, drawn after those someone waits for."""
    request = json.dumps({"data": data, "labels": dict(labels)}, separators=(",", ":")).encode()
    return pool().submit(request, background=background)


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
        try:  # a batch: its count, then each request; all read before any answer is written
            count = int.from_bytes(_read(requests, 4), "big")
            batch = [json.loads(_read(requests, int.from_bytes(_read(requests, 4), "big"))) for _ in range(count)]
        except EOFError:
            return
        for request in batch:
            try:
                status, answer = DRAWN, render(ChartData.from_json(request["data"]), request["labels"])
            except Exception:
                import traceback

                status, answer = FAILED, traceback.format_exc().encode()
            answers.write(bytes([status]) + len(answer).to_bytes(4, "big") + answer)
        try:
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
