from __future__ import annotations

from pathlib import Path

import pytest

from bot.endpoints import DISCORD_API_BASE
from bot.settings import SettingsError, load_settings

SETTING_NAMES = [
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "DATABASE_URL",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "REMINDER_TICK_SECONDS",
    "LOG_LEVEL",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_work_locally() -> None:
    settings = load_settings()
    assert settings.token is None
    assert settings.database_path == Path("data/rls-companion.sqlite3")
    assert settings.discord_api_base == DISCORD_API_BASE
    assert settings.reminder_tick_seconds == 30
    assert settings.log_level == "INFO"
    assert not settings.uses_postgres


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def.ghi")
    monkeypatch.setenv("REMINDER_TICK_SECONDS", "5")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("DISCORD_API_BASE", "http://127.0.0.1:9999/api/v10/")
    settings = load_settings()
    assert settings.token == "abc.def.ghi"
    assert settings.reminder_tick_seconds == 5
    assert settings.log_level == "DEBUG"
    assert settings.discord_api_base == "http://127.0.0.1:9999/api/v10"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-dotenv\nLOG_LEVEL=WARNING\n")
    settings = load_settings()
    assert settings.token == "from-dotenv"
    assert settings.log_level == "WARNING"


def test_token_is_never_shown_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token-value")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2-password@db/x")
    settings = load_settings()
    assert "super-secret-token-value" not in repr(settings)
    assert "hunter2-password" not in repr(settings)
    assert settings.uses_postgres


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REMINDER_TICK_SECONDS", "abc"),
        ("REMINDER_TICK_SECONDS", "0"),
        ("REMINDER_TICK_SECONDS", "-3"),
        ("LOG_LEVEL", "loud"),
        ("DISCORD_API_BASE", "not a url"),
        ("DATABASE_URL", "mysql://x/y"),
    ],
)
def test_invalid_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as excinfo:
        load_settings()
    message = str(excinfo.value)
    assert message.startswith(f"Invalid setting {name}:")
    assert "\n" not in message
