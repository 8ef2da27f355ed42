"""bot/clinical is domain logic only: no Discord (tests/test_architecture.py) and no storage, so
the next step wires it to repositories and cogs without it knowing about either."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_architecture import imported_modules

CLINICAL = Path(__file__).resolve().parents[2] / "bot" / "clinical"
STORAGE = {"bot.db", "aiosqlite", "asyncpg", "sqlite3", "sqlalchemy", "discord", "cogs"}


@pytest.mark.parametrize("path", sorted(CLINICAL.glob("*.py")), ids=lambda p: p.name)
def test_no_storage_or_discord_imports(path: Path) -> None:
    found = imported_modules(path)
    leaks = {m for m in found if any(m == s or m.startswith(s + ".") for s in STORAGE)}
    assert leaks == set()
