"""Group commit: many small writes that arrive together go to the database as one.

On SQLite every write transaction takes the one writer connection and several trips to its thread,
so under load the writes queue. A caller hands its item over and waits until the write that took
it is committed: one write runs at a time, and each takes every item that arrived while the
previous one ran. A lone caller pays nothing extra (its write starts at once); a busy moment pays
one transaction for a whole group. Nothing is acknowledged before it is committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    def __init__(self, write: Callable[[list[Item]], Awaitable[Sequence[Result]]]):
        """`write` stores a group in one transaction and returns one result per item, in order."""
        self.write = write
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Result:
        """Returns once `item` is committed (its result); raises what its group's write raised."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieved)  # a caller gone before its write failed is not an error to log
        self._waiting.append((item, done))
        if self._writer is None or self._writer.done():
            # The writing is a task of its own, not the first caller's: under a flood, a caller that
            # wrote for everyone arriving after it would wait for all of them (seconds) before its
            # own answer, though its row was committed in the first group.
            self._writer = asyncio.create_task(self._write_all(), name="group commit")
        return await asyncio.shield(done)  # a caller gone (a timeout) leaves its write to finish

    async def _write_all(self) -> None:
        await asyncio.sleep(0)  # items arriving at this same moment join the first group
        while self._waiting:
            group, self._waiting = self._waiting, []
            await self._write(group)

    async def _write(self, group: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self.write([item for item, _ in group])
        except Exception as error:
            for _, done in group:
                done.set_exception(error)
        except asyncio.CancelledError:
            for _, done in group:
                done.cancel()
            for _, left in self._waiting:  # stopped (the loop is closing): nothing else is written
                left.cancel()
            self._waiting = []
            raise
        else:
            for (_, done), result in zip(group, results, strict=True):
                done.set_result(result)


def _retrieved(done: asyncio.Future) -> None:
    if not done.cancelled():
        done.exception()
