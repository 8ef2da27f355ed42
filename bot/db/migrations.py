"""Numbered SQL migrations: one history, the same version numbers on both backends, one folder.

A file is `NNNN_short_name.sql`, shared by both backends, or, only where the SQL really differs
(SQLite rebuilds a table to drop a NOT NULL that PostgreSQL drops in place), a pair
`NNNN_short_name.sqlite.sql` + `NNNN_short_name.postgres.sql`. Migration N moves the schema from
version N-1 to N; each runs in one transaction together with the version bump, so a failure leaves
the database at the previous version.

A shared file names its column types by what they hold, and each backend reads the word as its own
type (as Synapse's schema files do): see TYPE_WORDS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Literal

Backend = Literal["sqlite", "postgres"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgres")
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)(?:\.(sqlite|postgres))?\.sql$")

# What a shared migration writes -> each backend's column type. Instants are epoch seconds in
# SQLite and timestamptz in PostgreSQL (the engines convert, see bot.db.engines); a Discord id
# needs 64 bits; SQLite's `INTEGER PRIMARY KEY` is its rowid.
TYPE_WORDS: dict[str, dict[Backend, str]] = {
    "{instant}": {"sqlite": "INTEGER", "postgres": "TIMESTAMPTZ"},
    "{day}": {"sqlite": "TEXT", "postgres": "DATE"},
    "{snowflake}": {"sqlite": "INTEGER", "postgres": "BIGINT"},
    "{serial}": {
        "sqlite": "INTEGER PRIMARY KEY",
        "postgres": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    },
}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class MigrationError(Exception):
    """The database cannot be brought to this code's schema; the message says why and what to do."""


def for_backend(sql: str, backend: Backend) -> str:
    for word, types in TYPE_WORDS.items():
        sql = sql.replace(word, types[backend])
    return sql


def load_migrations(backend: Backend) -> list[Migration]:
    folder = resources.files("bot.db").joinpath("migrations")
    shared: dict[int, tuple[str, str]] = {}
    variants: dict[int, dict[str, tuple[str, str]]] = {}
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if not match:
            continue
        version, name, only = int(match[1]), match[2], match[3]
        text = entry.read_text(encoding="utf-8")
        if only is None:
            shared[version] = (name, text)
        else:
            variants.setdefault(version, {})[only] = (name, text)
    found: list[Migration] = []
    for version in sorted(shared.keys() | variants.keys()):
        pair = variants.get(version, {})
        if version in shared and pair:
            raise MigrationError(f"migration {version:04d} is both shared and per backend")
        if pair and set(pair) != set(BACKENDS):
            raise MigrationError(f"migration {version:04d} needs a file for each backend")
        if pair and len({name for name, _ in pair.values()}) != 1:
            raise MigrationError(f"migration {version:04d}'s files have different names")
        name, text = pair[backend] if pair else shared[version]
        found.append(Migration(version, name, for_backend(text, backend)))
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise MigrationError("migrations must be numbered 1..N without gaps")
    return found


def newer_database_message(found: int, known: int) -> str:
    return (
        f"The database is at schema version {found}, but this rls-companion only knows up to "
        f"version {known}. It was written by a newer release: upgrade rls-companion (the database "
        "was left untouched)."
    )
