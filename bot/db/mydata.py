"""Everything stored about one user, for `/mydata export` and `/mydata delete`.

Rather than a hand-kept list, the tables are read from the database's own catalog: `users` (by
`id`), every table with a `user_id` column (the user's own rows), and every table with a
`moderator_id` column (changes the user made to a server's settings). A feature that adds such a
table is therefore exported and deleted without touching this file. Table and column names come
from the catalog, never from input, so quoting them into the SQL is safe; values are always
parameters.

A server's audit of setting changes belongs to the server as much as to the moderator: deleting
a moderator's data keeps each change but replaces who made it with :data:`FORMER_MEMBER`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.db.engines import Repository, Session
from bot.db.guild_settings import FORMER_MEMBER

Rows = dict[str, list[dict[str, Any]]]

OWNED = "user_id"
ACTED_BY = "moderator_id"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# How /mydata export shapes values for JSON, the same on both backends. Ids go out as strings: a
# Discord id is above 2**53, where a JSON number read by JavaScript silently loses its last digits.
# Instants go out twice, as seconds since 1970 (as SQLite stores them) and, beside that, as ISO
# 8601 with the offset (`due_at_iso`), for people and spreadsheets. Columns are recognised by
# name; tests/db/test_mydata.py checks the names against PostgreSQL's column types, so a new
# column that breaks the pattern fails there instead of leaking a number.
INSTANT_SUFFIXES = ("_at", "_until")
INSTANT_NAMES = frozenset(
    {"next_due", "into_bed", "tried_sleep", "final_wake", "out_of_bed", "rls_onset"}
)
ID_NAMES = frozenset({"id", "snoozed_from"})


def is_instant(column: str) -> bool:
    return column.endswith(INSTANT_SUFFIXES) or column in INSTANT_NAMES


def is_id(column: str) -> bool:
    return column in ID_NAMES or column.endswith("_id")


def json_ready(rows: Rows) -> Rows:
    """The export's rows with ids as strings and every instant also as ISO 8601."""
    return {table: [_json_row(row) for row in table_rows] for table, table_rows in rows.items()}


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    for column, value in row.items():
        if isinstance(value, int) and is_id(column):
            shaped[column] = str(value)
        elif is_instant(column):
            instant = _instant(value)
            shaped[column] = None if instant is None else int(instant.timestamp())
            shaped[f"{column}_iso"] = None if instant is None else instant.isoformat()
        else:
            shaped[column] = value
    return shaped


def _instant(value: Any) -> datetime | None:
    """SQLite stores epoch seconds; PostgreSQL's timestamptz arrives here as ISO text."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.astimezone(UTC)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _keyed_by_user(user_tables: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(table, the column holding the user's id): the profile first, then every other table."""
    return [("users", "id"), *user_tables]


def _forget_sql(table: str, column: str) -> str:
    """The user's own rows are deleted; rows recording what they did lose only their id."""
    if column == ACTED_BY:
        return f"UPDATE {_quote(table)} SET {column} = ? WHERE {column} = ?"
    return f"DELETE FROM {_quote(table)} WHERE {column} = ?"


ANONYMISED = ":anonymised"


def anonymised_key(table: str) -> str:
    """delete_all's key for the rows of `table` that only lost the user's id."""
    return table + ANONYMISED


def _forget_params(column: str, user_id: int) -> tuple[int, ...]:
    return (FORMER_MEMBER, user_id) if column == ACTED_BY else (user_id,)


class UserDataRepository(Repository):
    async def _user_tables(self, s: Session) -> list[tuple[str, str]]:
        rows = await s.fetch_all(self._e.user_columns_sql, OWNED, ACTED_BY)
        return [(row[0], row[1]) for row in rows]

    async def export(self, user_id: int) -> Rows:
        """Table name -> the user's rows (column -> JSON-friendly value), `users` first."""
        rows: Rows = {}
        async with self._db.read() as s:
            for table, column in _keyed_by_user(await self._user_tables(s)):
                found = await s.fetch_dicts(
                    f"SELECT * FROM {_quote(table)} WHERE {column} = ? "
                    f"ORDER BY {self._e.row_order}",
                    user_id,
                )
                rows[table] = [{k: _plain(v) for k, v in record.items()} for record in found]
        return rows

    async def delete_all(self, user_id: int) -> dict[str, int]:
        """Delete every row about the user in one transaction, and take their id out of the
        rows that record what they did as a moderator; table -> rows deleted, and
        `anonymised_key(table)` -> rows that only lost the id (they are not the user's to delete,
        and a reply must not count them as deleted)."""
        deleted: dict[str, int] = {}
        async with self._db.atomic() as s:
            for table, column in await self._user_tables(s):
                key = anonymised_key(table) if column == ACTED_BY else table
                deleted[key] = await s.execute(
                    _forget_sql(table, column), *_forget_params(column, user_id)
                )
            deleted["users"] = await s.execute("DELETE FROM users WHERE id = ?", user_id)
        return deleted
