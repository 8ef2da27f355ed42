"""Log lines as an operator's log shipper receives them: secrets redacted everywhere, tracebacks
included, and LOG_FORMAT=json one object per line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import configure_logging

TOKEN = "MTA.secret-token-value.xyz"
URL = "postgresql://bot:db-password-123@db.internal:5432/rls"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def fail_with_secrets() -> None:
    try:
        raise ConnectionError(f"could not reach {URL} with token {TOKEN}")
    except ConnectionError:
        logging.getLogger("bot.test").exception("tick failed for %s", "db-password-123")


def test_tracebacks_are_redacted_like_messages(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", [TOKEN, URL, "db-password-123"])
    fail_with_secrets()
    err = capsys.readouterr().err
    assert "Traceback" in err and "ConnectionError: could not reach [redacted]" in err
    assert TOKEN not in err and "db-password-123" not in err


def test_json_format_is_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", [TOKEN, URL, "db-password-123"], "json")
    logging.getLogger("bot.test").info("hello %s", "world")
    fail_with_secrets()
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "hello world" and first["level"] == "INFO"
    assert first["logger"] == "bot.test" and first["time"].endswith("+00:00")
    assert second["message"] == "tick failed for [redacted]"
    assert "ConnectionError" in second["exception"]
    assert TOKEN not in lines[1] and "db-password-123" not in lines[1]


def test_apscheduler_ticks_are_quiet_at_info_and_shown_at_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO")
    logging.getLogger("apscheduler.executors.default").info('Running job "tick"')
    assert capsys.readouterr().err == ""
    configure_logging("DEBUG")
    logging.getLogger("apscheduler.executors.default").info('Running job "tick"')
    assert "Running job" in capsys.readouterr().err


def test_the_database_password_on_its_own_is_a_secret() -> None:
    from bot.logging_setup import secrets_of

    assert secrets_of(TOKEN, URL) == [TOKEN, URL, "db-password-123"]
    assert secrets_of(None, "postgresql://127.0.0.1/test") == ["postgresql://127.0.0.1/test"]
    in_query = "postgresql://db/rls?password=query-secret-1"
    assert secrets_of(None, in_query) == [in_query, "query-secret-1"]
