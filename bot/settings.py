"""All configuration in one class, read from the environment or a `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.endpoints import DISCORD_API_BASE, DISCORD_GATEWAY_URL

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
    send_rate_per_second: float = Field(
        default=45.0, gt=0, le=50, description="Reminder messages per second (Discord allows 50)."
    )
    log_level: LogLevel = Field(default="INFO", description="Logging level.")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

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

    @property
    def token(self) -> str | None:
        if self.discord_token is None:
            return None
        return self.discord_token.get_secret_value().strip() or None

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None


class SettingsError(Exception):
    """Settings could not be loaded; the message names the setting, in one line."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"Invalid setting {name}: {first['msg']}") from None
