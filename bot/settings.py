"""All configuration in one class, read from the environment or a `.env` file."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.endpoints import DISCORD_API_BASE, DISCORD_GATEWAY_URL
from bot.logging_setup import LogFormat
from bot.reminders.streaks import MAX_STREAK_DAYS

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        frozen=True,
    )

    discord_token: SecretStr | None = Field(
        default=None, description="The bot token from the Discord developer portal."
    )
    database_path: Path = Field(
        default=Path("data/rls-companion.sqlite3"),
        description="SQLite database file (used when DATABASE_URL is not set).",
    )
    database_url: SecretStr | None = Field(
        default=None, description="postgresql://user:pass@host/db selects PostgreSQL."
    )
    discord_api_base: str = Field(
        default=DISCORD_API_BASE, description="Discord REST base URL (a REST proxy or emulator)."
    )
    discord_gateway_url: str = Field(
        default=DISCORD_GATEWAY_URL, description="Discord gateway URL."
    )
    reminder_tick_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="How often due reminders are claimed."
    )
    reminder_skip_after_minutes: int = Field(
        default=120, ge=10, le=24 * 60, description="Reminders later than this are skipped."
    )
    reminder_lease_seconds: int = Field(
        default=120,
        ge=5,
        le=3600,
        description="How long a process may hold due reminders before another takes them over.",
    )
    delivery_retention_days: int = Field(
        default=400,
        ge=MAX_STREAK_DAYS,
        le=100 * 365,
        description="Finished reminder deliveries older than this are pruned (Done streaks "
        f"look back {MAX_STREAK_DAYS} days, so no less).",
    )
    send_rate_per_second: float | None = Field(
        default=None,
        gt=0,
        le=50,
        description="Requests per second this process may send (default 45 / PROCESS_COUNT).",
    )
    process_count: int = Field(
        default=1, ge=1, le=1000, description="How many bot processes share this bot's token."
    )
    shard_count: int | None = Field(
        default=None, ge=1, description="Total gateway shards over all processes."
    )
    shard_ids: str | None = Field(
        default=None, description="Shards this process runs, e.g. 0-3 or 4,5,6,7."
    )
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve /metrics and /health on this port."
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Address /metrics and /health listen on (0.0.0.0 for every interface).",
    )
    log_level: LogLevel = Field(default="INFO", description="Logging level.")
    log_format: LogFormat = Field(
        default="text", description="text, or json for one JSON object per line (log shippers)."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _looks_like_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("must be a full URL such as https://discord.com/api/v10")
        return value.rstrip("/") if value.startswith("http") else value

    @field_validator("database_url")
    @classmethod
    def _postgres_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        scheme = value.get_secret_value().split("://", 1)[0]
        if scheme not in {"postgres", "postgresql"}:
            raise ValueError("must start with postgresql://")
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shard_list(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_shard_ids(value)  # raises ValueError with the reason
        return value.strip()

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT (the total over all processes)")
            too_big = [i for i in parse_shard_ids(self.shard_ids) if i >= self.shard_count]
            if too_big:
                raise ValueError(
                    f"SHARD_IDS {too_big} must be below SHARD_COUNT {self.shard_count}"
                )
        return self

    @property
    def shard_id_list(self) -> list[int] | None:
        return None if self.shard_ids is None else parse_shard_ids(self.shard_ids)

    @property
    def send_rate(self) -> float:
        """Discord's 50 requests/s are per bot, shared by every process: split a safe 45."""
        if self.send_rate_per_second is not None:
            return self.send_rate_per_second
        return 45.0 / self.process_count

    @property
    def token(self) -> str | None:
        if self.discord_token is None:
            return None
        return self.discord_token.get_secret_value().strip() or None

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None


def parse_shard_ids(text: str) -> list[int]:
    """ "0-3" or "4,5,6,7" (or a mix, "0-1,5") to a sorted list of distinct shard ids."""
    ids: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise ValueError(f"{part!r} is not a shard id or range like 0-3") from None
        if first < 0 or last < first:
            raise ValueError(f"{part!r} is not a valid range")
        ids.update(range(first, last + 1))
    if not ids:
        raise ValueError("no shard ids given")
    return sorted(ids)


# Names that start like ours are meant for this bot; anything else in .env may be for another tool.
OUR_PREFIXES = (
    "DISCORD_",
    "DATABASE_",
    "REMINDER_",
    "DELIVERY_",
    "SEND_",
    "PROCESS_",
    "SHARD_",
    "METRICS_",
    "LOG_",
)


def unknown_settings(env_file: Path = Path(".env")) -> list[str]:
    """Names in ENV_FILE that look like ours but are not (a typo such as REMINDER_TICK_SECOND,
    which pydantic-settings would silently ignore), each with the nearest real name if any."""
    if not env_file.is_file():
        return []
    known = [name.upper() for name in Settings.model_fields]
    found: list[str] = []
    for key in dotenv_values(env_file):
        name = key.upper()
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if close:
            found.append(f"{key} (did you mean {close[0]}?)")
        elif name.startswith(OUR_PREFIXES):
            found.append(key)
    return found


class SettingsError(Exception):
    """Settings could not be loaded; the message names the setting, in one line."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        # Cross-field problems have no single location; their message names the settings.
        name = str(first["loc"][0]).upper() if first["loc"] else "SHARD_IDS"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {name}: {message}") from None
