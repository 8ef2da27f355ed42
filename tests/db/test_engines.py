"""The backend-neutral session API (bot/db/engines): one SQL text, the engine's conversions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.db import Database
from bot.db.engines.postgres import numbered

NOW = datetime(2026, 3, 2, 16, 0, 30, 123456, tzinfo=UTC)


def test_placeholders_are_numbered_in_order_outside_quoted_text() -> None:
    sql = "SELECT ? , '?', json_extract(x, '$[0]') FROM t WHERE a = ? AND b IN (?, 'a''?')"
    assert numbered(sql) == (
        "SELECT $1 , '?', json_extract(x, '$[0]') FROM t WHERE a = $2 AND b IN ($3, 'a''?')"
    )
    assert numbered(sql) is numbered(sql)  # converted once per statement text


async def test_naive_instants_are_refused_on_both_engines(database: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        database.engine.instant(datetime(2026, 3, 2, 16, 0))


async def test_instants_and_days_round_trip_in_whole_seconds(database: Database) -> None:
    e = database.engine
    async with database.atomic() as s:
        await s.execute(
            "INSERT INTO users (id, timezone, created_at) VALUES (?, NULL, ?)", 1, e.instant(NOW)
        )
        stored = await s.fetch_value("SELECT created_at FROM users WHERE id = ?", 1)
    assert e.from_instant(stored) == NOW.replace(microsecond=0)
    assert e.from_day(e.day(date(2026, 3, 2))) == date(2026, 3, 2)


async def test_bulk_insert_returns_rows_in_the_given_order_and_bulk_update_changes_each(
    database: Database,
) -> None:
    e = database.engine
    async with database.atomic() as s:
        rows = await s.insert_many(
            "guild_config_audit",
            [("setting", "text"), ("old_value", "text"), ("new_value", "text")],
            [("a", None, "1"), ("b", "2", None), ("c", "3", "4")],
            fixed={
                "guild_id": ("bigint", 7),
                "moderator_id": ("bigint", 2**62),
                "changed_at": ("timestamptz", e.instant(NOW)),
            },
            returning="id, setting, old_value, new_value, moderator_id",
        )
        assert [tuple(r)[1:] for r in sorted(rows, key=lambda r: r[0])] == [
            ("a", None, "1", 2**62),
            ("b", "2", None, 2**62),
            ("c", "3", "4", 2**62),
        ]
        ids = sorted(r[0] for r in rows)
        await s.update_many(
            "guild_config_audit",
            "id",
            [("new_value", "text"), ("id", "bigint")],
            [("x", ids[0]), (None, ids[2])],
            "new_value = coalesce(new.new_value, guild_config_audit.old_value), "
            "moderator_id = new.moderator_id",
            fixed={"moderator_id": ("bigint", 0)},
        )
        after = await s.fetch_all(
            "SELECT setting, new_value, moderator_id FROM guild_config_audit ORDER BY id"
        )
    assert [tuple(r) for r in after] == [("a", "x", 0), ("b", None, 2**62), ("c", "3", 0)]


async def test_a_list_of_ids_is_one_parameter(database: Database) -> None:
    e = database.engine
    async with database.atomic() as s:
        await s.insert_many(
            "users",
            [("id", "bigint"), ("created_at", "timestamptz")],
            [(n, e.instant(NOW)) for n in (1, 2, 3)],
        )
        found = await s.fetch_all(
            "SELECT id FROM users WHERE id" + e.in_ids + " ORDER BY id", e.id_list([1, 3])
        )
    assert [r[0] for r in found] == [1, 3]


# Where a backend may be named: opening and migrating it, choosing it, copying one into the other.
BACKEND_MODULES = {"__init__.py", "sqlite.py", "postgres.py", "transfer.py", "migrations.py"}
BACKEND_NAMES = ("aiosqlite", "asyncpg", "bot.db.sqlite", "bot.db.postgres", "bot.db.engines.")


def test_repositories_do_not_branch_on_the_backend() -> None:
    """Every repository module is one implementation for both backends: it imports neither
    driver nor backend module and never asks which engine it has (the engine answers instead)."""
    import ast
    from pathlib import Path

    import bot.db

    folder = Path(bot.db.__file__).parent
    repositories = sorted(p for p in folder.glob("*.py") if p.name not in BACKEND_MODULES)
    assert len(repositories) >= 8
    for path in repositories:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names.append(getattr(node, "module", None) or "")
                assert not [n for n in names if n.startswith(BACKEND_NAMES)], path.name
            if isinstance(node, ast.Attribute) and node.attr in ("name", "backend"):
                assert not (
                    isinstance(node.value, ast.Attribute)
                    and node.value.attr
                    in (
                        "engine",
                        "_e",
                    )
                ), f"{path.name}:{node.lineno} asks which backend it has"


async def test_a_batch_is_one_transaction_all_or_nothing(database: Database) -> None:
    e = database.engine
    insert = "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?)"
    await database.atomic_batch(
        [(insert, (1, "UTC", e.instant(NOW))), (insert, (2, None, e.instant(NOW)))]
    )
    # The second statement fails (a duplicate id): the batch's first insert is undone with it.
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await database.atomic_batch(
            [(insert, (3, None, e.instant(NOW))), (insert, (1, None, e.instant(NOW)))]
        )
    # Inside a transaction it is a savepoint of that one: the caller's own writes stay.
    async with database.atomic() as s:
        await s.execute(insert, 4, None, e.instant(NOW))
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            await database.atomic_batch(
                [(insert, (5, None, e.instant(NOW))), (insert, (2, None, e.instant(NOW)))]
            )
        await database.atomic_batch([(insert, (6, None, e.instant(NOW)))])
    async with database.read() as s:
        ids = [row[0] for row in await s.fetch_all("SELECT id FROM users ORDER BY id")]
    assert ids == [1, 2, 4, 6]


async def test_a_decided_write_reads_decides_and_writes_all_or_nothing(database: Database) -> None:
    e = database.engine
    insert = "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?)"
    count = "SELECT id FROM users ORDER BY id"

    def next_id(rows: list[Any]) -> tuple[int, list[tuple[str, tuple[Any, ...]]]]:
        new = (rows[-1][0] if rows else 0) + 1
        return new, [(insert, (new, None, e.instant(NOW)))]

    # Each decision sees what the one before it wrote.
    assert [await database.atomic_decide(count, (), next_id) for _ in range(3)] == [1, 2, 3]

    def clash(rows: list[Any]) -> tuple[int, list[tuple[str, tuple[Any, ...]]]]:
        return 0, [(insert, (10, None, e.instant(NOW))), (insert, (1, None, e.instant(NOW)))]

    def refuse(rows: list[Any]) -> tuple[int, list[tuple[str, tuple[Any, ...]]]]:
        raise ValueError("nothing fits")

    # A failing write or a failing decision: nothing of it stays.
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await database.atomic_decide(count, (), clash)
    with pytest.raises(ValueError, match="nothing fits"):
        await database.atomic_decide(count, (), refuse)
    # Inside a transaction it is a savepoint of that one: the caller's own writes stay.
    async with database.atomic() as s:
        await s.execute(insert, 20, None, e.instant(NOW))
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            await database.atomic_decide(count, (), clash)
        assert await database.atomic_decide(count, (), next_id) == 21
    async with database.read() as s:
        ids = [row[0] for row in await s.fetch_all(count)]
    assert ids == [1, 2, 3, 20, 21]


async def test_a_batch_travels_as_a_table_and_a_groups_ids_as_one_text(database: Database) -> None:
    """rows_source / group_ids / each_id, what the claim is built of: a group's ids come back in
    order as one value, go back in unchanged, and are walked one row per id."""
    e = database.engine
    columns = [("ids", "text"), ("label", "text"), ("n", "integer")]
    async with database.atomic() as s:
        for i in (5, 3, 9, 4):
            await s.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?)",
                i,
                "UTC" if i % 2 else "Europe/Berlin",
                e.instant(NOW),
            )
        groups = await s.fetch_all(
            "SELECT timezone, " + e.group_ids("id") + " FROM (SELECT id, timezone FROM users "
            "ORDER BY id) AS u GROUP BY timezone ORDER BY timezone"
        )
        assert [(zone, e.read_ids(ids)) for zone, ids in groups] == [
            ("Europe/Berlin", [4]),
            ("UTC", [3, 5, 9]),
        ]
        rows = [(ids, zone, n) for n, (zone, ids) in enumerate(groups)]
        walked = await s.fetch_all(
            "SELECT i.value, d.label, d.n FROM "
            + e.rows_source(columns)
            + " AS d CROSS JOIN "
            + e.each_id("d.ids", "i")
            + " ORDER BY i.value",
            *e.rows_params(columns, rows),
        )
    assert [tuple(r) for r in walked] == [
        (3, "UTC", 1),
        (4, "Europe/Berlin", 0),
        (5, "UTC", 1),
        (9, "UTC", 1),
    ]
