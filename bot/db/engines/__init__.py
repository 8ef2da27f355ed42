"""What a repository sees of a database: one small, backend-neutral API, in the Synapse manner.

Repositories write ONE SQL text per statement, with `?` placeholders, and store and read values
through their database's :class:`Engine`. What really differs between SQLite and PostgreSQL lives
in one module per backend (:mod:`bot.db.engines.sqlite`, :mod:`bot.db.engines.postgres`):

- placeholders: `?` as written for SQLite; `$1, $2, …` for asyncpg, converted once per statement
  text and cached;
- instants: epoch seconds in SQLite, `timestamptz` (whole seconds) in PostgreSQL; nights: ISO text
  vs `DATE`;
- row locks: several processes share a PostgreSQL database, so a claim picks rows `FOR UPDATE SKIP
  LOCKED`; SQLite's `BEGIN IMMEDIATE` already gives one writer the whole database, so there the
  same clauses are empty;
- bulk writes: `executemany` on SQLite (one trip to its thread), one set-based statement over
  `unnest` arrays on PostgreSQL (one round trip whatever the batch size);
- lists in one row: `json_group_array` on SQLite, `ARRAY(…)` on PostgreSQL;
- a batch as a table (`rows_source`): one JSON array read by `json_each` on SQLite, `unnest` of
  one array per column on PostgreSQL; a group's ids as one text (`group_ids`, `each_id`): a JSON
  array on SQLite, an array literal on PostgreSQL.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol, TypeVar

Row = Sequence[Any]
# A column of a bulk write: its name and its PostgreSQL type (for the `unnest` arrays).
Column = tuple[str, str]


T = TypeVar("T")
# A statement and its parameters, known before the transaction starts.
Statement = tuple[str, Sequence[Any]]
# atomic_decide's `decide`: the read's rows -> the answer and the statements to write.
Decide = Callable[[list[Row]], tuple[T, Sequence[Statement]]]


@dataclass(frozen=True, slots=True)
class Engine:
    """How one backend stores values and spells the SQL that differs: each backend's module
    builds its one ENGINE from its values, so the two read side by side, field by field."""

    name: Literal["sqlite", "postgres"]
    # Appended to a SELECT that picks rows to change: wait for rows another process is changing.
    for_update: str
    # Appended to a SELECT that picks a batch of work: take rows nobody else holds, skip the rest.
    skip_locked: str
    # `column` + this + one parameter from id_list(): the column is one of the ids.
    in_ids: str
    # This process is the database's only writer (SQLite), so what it wrote last is what is
    # there: a repository may remember a read until its own next write.
    sole_writer: bool
    row_order: str  # ORDER BY this lists a table's rows in insertion order (as near as it gets)
    # An aware datetime as the backend stores it (whole seconds on both), and a stored instant
    # as an aware UTC datetime.
    instant: Callable[[datetime], Any]
    from_instant: Callable[[Any], datetime]
    day: Callable[[date], Any]
    from_day: Callable[[Any], date]
    id_list: Callable[[Sequence[int]], Any]  # the parameter that goes with in_ids
    # What rows_array or values_array returned, as a list of rows or values.
    read_array: Callable[[Any], list[Any]]
    # The statement text of rows_source (cached per COLUMNS, hence the tuple).
    rows_source_sql: Callable[[tuple[Column, ...]], str]
    # The parameters that go with rows_source(COLUMNS), in its place in the statement.
    rows_params: Callable[[Sequence[Column], Sequence[Sequence[Any]]], list[Any]]
    read_ids: Callable[[str], list[int]]  # the ids in a text from group_ids
    # The texts the methods below fill in (str.format, named fields).
    rows_array_sql: str  # {columns}, {query}
    values_array_sql: str  # {column}, {query}
    group_ids_sql: str  # {column}
    each_id_sql: str  # {ids}, {alias}
    # {table}, {key}; None where the transaction already excludes every other writer (SQLite).
    lock_sql: str | None
    # (table, column) of every table having one of two named columns (two parameters).
    user_columns_sql: str

    def opt_instant(self, value: datetime | None) -> Any:
        return None if value is None else self.instant(value)

    def opt_from_instant(self, value: Any) -> datetime | None:
        return None if value is None else self.from_instant(value)

    def rows_array(self, columns: str, query: str) -> str:
        """An expression for a list of rows: `SELECT columns` + query, in its order."""
        return self.rows_array_sql.format(columns=columns, query=query)

    def values_array(self, column: str, query: str) -> str:
        """An expression for the list of `SELECT column` + query's values, in no promised order."""
        return self.values_array_sql.format(column=column, query=query)

    def lock_for_update(self, table: str, key: str) -> str | None:
        """A statement that makes writers of one row (`key = ?`) of `table` take turns, or None
        where the transaction already excludes every other writer (SQLite)."""
        return None if self.lock_sql is None else self.lock_sql.format(table=table, key=key)

    def rows_source(self, columns: Sequence[Column]) -> str:
        """A FROM item (give it an alias: `… AS b`) that is a table of COLUMNS whose rows travel
        as the parameters rows_params() makes: a batch joined set-wise in one statement."""
        return self.rows_source_sql(tuple(columns))

    def group_ids(self, column: str) -> str:
        """An aggregate: the group's values of COLUMN (integer ids), in order, as one text that
        travels back as a parameter and is walked by each_id() (no Python per id)."""
        return self.group_ids_sql.format(column=column)

    def each_id(self, ids: str, alias: str) -> str:
        """A FROM item (a lateral one: IDS may name an earlier item's column): one row per id
        in the text IDS (from group_ids), the id being ALIAS.value."""
        return self.each_id_sql.format(ids=ids, alias=alias)


class Session(ABC):
    """One connection, inside a transaction (atomic) or in autocommit (read). Each backend's
    session implements the fetches, execute and the two bulk forms below it."""

    engine: Engine

    @abstractmethod
    async def fetch_all(self, sql: str, *params: Any) -> list[Row]:
        """Every row of a query (or a write with RETURNING), in one trip."""

    @abstractmethod
    async def fetch_one(self, sql: str, *params: Any) -> Row | None: ...

    @abstractmethod
    async def fetch_value(self, sql: str, *params: Any) -> Any:
        """The first column of the first row, or None when there is no row."""

    @abstractmethod
    async def fetch_dicts(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """Rows as column name -> value (for catalog-driven code such as /mydata)."""

    @abstractmethod
    async def execute(self, sql: str, *params: Any) -> int:
        """A write whose rows are not read; returns how many rows it changed."""

    async def insert_many(
        self,
        table: str,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Any]],
        *,
        fixed: Mapping[str, tuple[str, Any]] | None = None,
        suffix: str = "",
        returning: str | None = None,
    ) -> list[Row]:
        """Insert ROWS (values in COLUMNS order) plus the FIXED columns (name -> (PostgreSQL
        type, value), the same for every row), then SUFFIX (e.g. an ON CONFLICT clause). With
        RETURNING, the returned rows come back (and the rows are inserted in the given order)."""
        return await self._insert_many(
            BulkInsert(table, tuple(columns), rows, Fixed.of(fixed), suffix, returning)
        )

    async def update_many(
        self,
        table: str,
        key: str,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Any]],
        assignments: str,
        *,
        fixed: Mapping[str, tuple[str, Any]] | None = None,
    ) -> None:
        """For each row (values in COLUMNS order, FIXED added): UPDATE TABLE SET ASSIGNMENTS
        WHERE TABLE.KEY = new.KEY. ASSIGNMENTS name a row's values `new.column` and the stored
        ones `table.column`."""
        await self._update_many(
            BulkUpdate(
                table, tuple(columns), rows, Fixed.of(fixed), key=key, assignments=assignments
            )
        )

    @abstractmethod
    async def _insert_many(self, batch: BulkInsert) -> list[Row]: ...

    @abstractmethod
    async def _update_many(self, batch: BulkUpdate) -> None: ...


@dataclass(frozen=True, slots=True)
class Fixed:
    """The columns a bulk write gives one value for every row: their (name, type), the values."""

    columns: tuple[Column, ...]
    values: tuple[Any, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @staticmethod
    def of(fixed: Mapping[str, tuple[str, Any]] | None) -> Fixed:
        fixed = fixed or {}
        return Fixed(
            tuple((name, kind) for name, (kind, _) in fixed.items()),
            tuple(value for _, value in fixed.values()),
        )


@dataclass(frozen=True, slots=True)
class Bulk:
    """A bulk write's rows as the backend's session gets them (see insert_many, update_many)."""

    table: str
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[Any]]
    fixed: Fixed

    @property
    def names(self) -> tuple[str, ...]:
        """Every column a row carries: the batch's, then the fixed ones."""
        return tuple(name for name, _ in self.columns) + self.fixed.names


@dataclass(frozen=True, slots=True)
class BulkInsert(Bulk):
    suffix: str
    returning: str | None


@dataclass(frozen=True, slots=True)
class BulkUpdate(Bulk):
    key: str
    assignments: str


class Database(Protocol):
    """What every repository is handed: the engine and the two ways to a session."""

    @property
    def engine(self) -> Engine: ...

    def read(self) -> AbstractAsyncContextManager[Session]:
        """A session for reads and single statements, joining the running task's transaction."""
        ...

    def atomic(self) -> AbstractAsyncContextManager[Session]:
        """A transaction; inside another one of the same task it is a savepoint of that one."""
        ...

    async def atomic_batch(self, statements: Sequence[Statement]) -> None:
        """Statements whose parameters are known up front, as one transaction (or a savepoint of
        the task's own): on SQLite all of it, BEGIN to COMMIT, is one trip to the connection's
        thread instead of one per statement."""
        ...

    async def atomic_decide(self, sql: str, params: Sequence[Any], decide: Decide[T]) -> T:
        """One transaction: a read, then `decide` (plain Python, no I/O: it may run on the
        database's thread) turns its rows into an answer and the statements to write, which
        follow in the same transaction. On SQLite all of it is one trip, like atomic_batch."""
        ...


class Repository:
    """What every repository keeps: its database (for sessions) and that database's engine (how
    values are stored, the SQL that differs)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._e = db.engine

    async def _changes_a_row(self, sql: str, *params: Any) -> bool:
        """One write in a transaction of its own (a savepoint inside the task's); True when it
        changed or removed at least one row."""
        async with self._db.atomic() as s:
            return await s.execute(sql, *params) > 0


def qualified(columns: str, alias: str) -> str:
    """``"a, b"`` as ``"x.a, x.b"``."""
    return ", ".join(f"{alias}.{name.strip()}" for name in columns.split(","))
