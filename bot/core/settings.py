"""Settings from the environment (and a `.env` file), read once at start-up.

Tokens and URLs come only from here, never from code or logs. The embedded SQLite database is the
default; a `DATABASE_URL` (the Procfile platforms' convention) or `BACKLINKS_DATABASE_URL` moves
the store elsewhere.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_path() -> Path:
    return Path(user_data_dir("backlinks-bot", appauthor=False)) / "backlinks.db"


def database_url_for(path_or_url: str) -> str:
    """`--database` takes a URL, or a plain file path for SQLite."""
    if "://" in path_or_url:
        return path_or_url
    return f"sqlite:///{Path(path_or_url).expanduser().resolve()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BACKLINKS_", env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default_factory=lambda: database_url_for(str(default_database_path())),
        validation_alias=AliasChoices("BACKLINKS_DATABASE_URL", "DATABASE_URL"),
    )
    console_channel: str = "console"
    # Connections per process to a database server (PostgreSQL); SQLite uses one writer and 4 readers.
    db_pool_size: int = 5
    log_level: str = "INFO"
    # `json`: one JSON object a line, for a log collector (bot/core/logs.py); `text`: plain lines.
    log_format: Literal["text", "json"] = "text"
    # Unhandled errors reported to Sentry (the `sentry` extra), secrets scrubbed; off when unset.
    sentry_dsn: SecretStr | None = None

    # Slack. Socket Mode needs the app-level token (xapp-…); HTTP mode needs the signing secret and
    # either one workspace's bot token or, to be installed in many workspaces, the OAuth client.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    slack_scopes: str = Field(
        default="commands,chat:write,chat:write.public,users:read,files:read,files:write",
        validation_alias="SLACK_SCOPES",
    )
    slack_redirect_uri: str | None = Field(default=None, validation_alias="SLACK_REDIRECT_URI")
    # Slack's Web API; another base URL serves users behind a proxy (and the tests' stand-in).
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_mode: Literal["auto", "socket", "http"] = "auto"
    slack_command: str = "/backlinks"
    # Encrypts the workspaces' tokens stored by the OAuth install (Fernet keys, comma-separated:
    # the first encrypts, every one decrypts, so a new key goes first and the old one stays a while).
    token_key: SecretStr | None = None

    @field_validator("token_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        for key in value.get_secret_value().split(",") if value else ():
            try:
                raw = base64.urlsafe_b64decode(key.strip().encode())
            except (ValueError, binascii.Error):
                raw = b""
            if len(raw) != 32:
                raise ValueError(
                    'each key must be 32 bytes in URL-safe base64 (make one with: python -c "from '
                    'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")'
                )
        return value

    # Discord: the bot token; commands sync instantly to a development guild when one is given,
    # otherwise globally (which Discord may take up to an hour to show everywhere).
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_guild_id: int | None = Field(default=None, validation_alias="DISCORD_GUILD_ID")

    # The largest backlink export `import` takes (megabytes); bigger files are refused before reading.
    import_max_mb: int = 200

    @property
    def import_max_bytes(self) -> int:
        return self.import_max_mb * 1_000_000

    # A backlink data provider for the whole bot (a workspace's own key from `connect` wins): its
    # name and key ("login:password" for DataForSEO, "access_id:secret_key" for Moz); another base
    # URL serves a proxy (and the tests' stand-ins). Lookups a workspace may make a month.
    provider: Literal["dataforseo", "moz"] | None = None
    provider_key: SecretStr | None = None
    provider_url: str | None = None
    lookup_budget: int = Field(default=200, ge=0)
    # Lookups a month on the deployment's own key, every workspace's together: the operator's bill
    # is bounded however many workspaces (a public Discord bot in 100 servers) use it. 1,000 is
    # five workspaces' full budgets, about 20 USD a month at DataForSEO's 0.02 USD a call (an
    # assumption: its documented examples' price).
    provider_key_monthly_cap: int = Field(default=1000, ge=0)

    # How often (seconds) a serving process looks for due reminders.
    reminder_every: float = 60.0

    # Logged links fetched again (bot/links/): how often (seconds) a worker looks for links whose last
    # check is older than 25 days (0: never), and whether pages on private or loopback addresses may be
    # fetched (off: a logged "link" must not make the bot probe the network it runs in).
    link_check_every: float = Field(default=3600.0, ge=0)
    link_check_private: bool = False

    # How long a Discord server that removed the bot keeps its data (days): added back within it, it
    # keeps everything; after it, a serving process deletes the server's data. Seven days covers a
    # removal by mistake noticed after a weekend (an assumption, not a platform rule).
    removal_grace_days: float = Field(default=7.0, ge=0)

    # Form submissions (see bot/intake/): how many one process works at once (BACKLINKS_INBOX_CAPACITY,
    # its old name, is still read); past how many seconds of work waiting a new one is answered
    # "busy, try again" (kept under half the lease); how long a taken one belongs to its process
    # before another (or the next start) works it again; how long a stop (SIGTERM) waits for those in
    # flight. Procfile platforms allow about 30 s between SIGTERM and SIGKILL.
    intake_workers: int = Field(
        default=32, ge=1, validation_alias=AliasChoices("BACKLINKS_INTAKE_WORKERS", "BACKLINKS_INBOX_CAPACITY")
    )
    intake_backlog_seconds: float = Field(default=60.0, gt=0)
    inbox_lease_seconds: float = 120.0
    drain_seconds: float = 25.0

    # HTTP server (Slack's events and OAuth routes, /healthz): the platform gives the port.
    host: str = Field(default="0.0.0.0", validation_alias=AliasChoices("BACKLINKS_HOST", "HOST"))
    port: int = Field(default=3000, validation_alias=AliasChoices("BACKLINKS_PORT", "PORT"))

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_app_token or self.slack_signing_secret)

    @property
    def slack_uses_socket_mode(self) -> bool:
        if self.slack_mode != "auto":
            return self.slack_mode == "socket"
        return self.slack_app_token is not None

    @property
    def slack_uses_oauth(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)
