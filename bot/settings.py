"""Settings from the environment (and a `.env` file), read once at start-up.

Tokens and URLs come only from here, never from code or logs. The embedded SQLite database is the
default; a `DATABASE_URL` (the Procfile platforms' convention) or `BACKLINKS_DATABASE_URL` moves
the store elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_path() -> Path:
    return Path(user_data_dir("backlinks-bot", appauthor=False)) / "backlinks.db"


def database_url_for(path_or_url: str) -> str:
    """`--database` takes a URL, or a plain file path for SQLite."""
    if "://" in path_or_url:
        return path_or_url
    return f"sqlite:///{Path(path_or_url).expanduser().resolve()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BACKLINKS_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: database_url_for(str(default_database_path())),
        validation_alias=AliasChoices("BACKLINKS_DATABASE_URL", "DATABASE_URL"),
    )
    console_channel: str = "console"
