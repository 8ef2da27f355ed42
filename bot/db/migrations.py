"""Numbered SQL migrations, one folder per backend with the same numbers in each.

A file is `NNNN_short_name.sql`; migration N moves the schema from version N-1 to N. Each runs in one
transaction together with the version bump, so a failure leaves the database at the previous version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Literal

Backend = Literal["sqlite", "postgres"]
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class MigrationError(Exception):
    """The database cannot be brought to this code's schema; the message says why and what to do."""


def load_migrations(backend: Backend) -> list[Migration]:
    folder = resources.files("bot.db").joinpath("migrations", backend)
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise MigrationError(f"{backend} migrations must be numbered 1..N without gaps")
    return found


def newer_database_message(found: int, known: int) -> str:
    return (
        f"The database is at schema version {found}, but this rls-companion only knows up to "
        f"version {known}. It was written by a newer release: upgrade rls-companion (the database "
        "was left untouched)."
    )
