"""The SQLite file under a store, watched: the store must not run on a file that is not the one the
operator thinks it is.

SQLite opens whatever is at the path, creating an empty database when nothing is there, and keeps
writing into a file deleted under it. Both lose work without a word. So: a new file is announced
(loudly when the folder suggests a database was expected), a damaged one is refused at start
(`PRAGMA quick_check`), and health compares the file at the path with the one opened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

# What a database file is called, here and by the tools people copy databases with.
DATABASE_LOOKING = ("*.db", "*.db-wal", "*.sqlite", "*.sqlite3", "*.sqlite-wal", "*.sqlite3-wal")
QUICK_CHECK_LINES = 3  # of its findings, enough to say what is wrong


class DamagedDatabase(RuntimeError):
    """The file fails SQLite's integrity check; the message names the file and the check."""


def sqlite_path(url: sa.engine.URL) -> Path | None:
    """The file of a SQLite URL (absolute, so a later change of directory changes nothing)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().absolute()


def announce_if_new(path: Path) -> None:
    """Say where a new, empty database is made; shout when the folder held another one, since
    then the setting (or a deleted file) is the likelier story than a first start."""
    if path.exists() and path.stat().st_size > 0:
        return
    was = "an empty file" if path.exists() else "nothing"
    others = sorted({p.name for pattern in DATABASE_LOOKING for p in path.parent.glob(pattern)} - {path.name})
    if others:
        log.warning(
            "Creating a NEW, EMPTY database at %s (there was %s), but its folder holds %s. If the bot "
            "stored plans before, this is not their database: stop it and check DATABASE_URL "
            "(or whether the file was deleted or moved).",
            path,
            was,
            ", ".join(others),
        )
    else:
        log.info("Creating a new database at %s.", path)


@dataclass(frozen=True, slots=True)
class DatabaseFile:
    path: Path
    identity: tuple[int, int]  # (device, inode) of the file opened

    @classmethod
    async def opened(cls, engine: AsyncEngine, path: Path) -> DatabaseFile:
        """Check the file's integrity (creating it if new) and remember which file it is."""
        try:
            async with engine.connect() as connection:
                found = (await connection.exec_driver_sql("PRAGMA quick_check")).scalars().all()
        except sa.exc.DatabaseError as error:  # not a database at all: the header itself is damaged
            found = [str(getattr(error, "orig", error))]
        if found != ["ok"]:
            raise DamagedDatabase(
                f"the database file {path} is damaged (PRAGMA quick_check: {'; '.join(found[:QUICK_CHECK_LINES])}). "
                "Not starting on it: restore it from a backup, or move it away to start with an empty database."
            )
        status = path.stat()
        return cls(path, (status.st_dev, status.st_ino))

    def problem(self) -> str | None:
        """Why the file at the path is no longer the database this store writes to, or None."""
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return f"the database file {self.path} is gone: what is stored now goes into a deleted file and is lost"
        if (status.st_dev, status.st_ino) != self.identity:
            return f"the database file {self.path} was replaced: this process still writes to the file it opened"
        return None
