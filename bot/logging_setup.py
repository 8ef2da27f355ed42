"""Logging: UTC timestamps, text or one JSON object per line, and secrets kept out of every line,
tracebacks included."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

LogFormat = Literal["text", "json"]

# Libraries whose INFO lines are routine: APScheduler writes two per job run (5,760 a day at a 30 s
# tick), discord.py's HTTP layer one per request. At DEBUG they are all shown.
QUIET_AT_INFO = ("apscheduler", "discord.http")


class Redactor:
    """Replaces every configured secret (the token, DATABASE_URL and its password) in a text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Short strings would blank out ordinary words; secrets this short are not secret anyway.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "[redacted]")
        return text


class RedactingTextFormatter(logging.Formatter):
    """Redacts the whole formatted record: message, arguments, traceback and stack alike (a filter
    sees only the message, and a traceback is formatted after filters ran)."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(
            "%(asctime)s.%(msecs)03dZ %(levelname)-7s %(name)s: %(message)s",
            datefmt="%Y-%m-%dT%H:%M:%S",
        )
        self.converter = time.gmtime
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log shippers: time (UTC, ISO 8601), level, logger, message,
    and the traceback as one string field."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self._redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self._redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def secrets_of(token: str | None, database_url: str | None) -> list[str]:
    """What must never be logged: the token, the database URL, and its password on its own (a
    driver may print it without the rest of the URL)."""
    found = [s for s in (token, database_url) if s]
    if database_url:
        try:
            parts = urlsplit(database_url)
            passwords = [parts.password, *(v for k, v in parse_qsl(parts.query) if k == "password")]
        except ValueError:
            passwords = []
        found.extend(p for p in passwords if p)
    return found


def configure_logging(
    level: str, secrets: Iterable[str] = (), log_format: LogFormat = "text"
) -> None:
    redact = Redactor(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(redact) if log_format == "json" else RedactingTextFormatter(redact)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(logging.NOTSET if level == "DEBUG" else logging.WARNING)
    _silence_voice_warnings()


def _silence_voice_warnings() -> None:
    """The bot never joins a voice channel, yet discord.py warns at every start that PyNaCl and
    davey (its voice libraries) are missing. The warnings are one-shot class flags: clear them."""
    try:
        from discord.voice_client import VoiceClient
    except ImportError:  # pragma: no cover - discord.py is a dependency
        return
    for flag in ("warn_nacl", "warn_dave"):
        if hasattr(VoiceClient, flag):
            setattr(VoiceClient, flag, False)
