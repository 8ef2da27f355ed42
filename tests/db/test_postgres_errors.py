"""How a PostgreSQL URL appears in an operator's error line: the password never does."""

from __future__ import annotations

import pytest

from bot.db.postgres import hide_password


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bot:s3cret@db:5432/rls", "postgresql://bot:***@db:5432/rls"),
        ("postgresql://bot@db/rls", "postgresql://bot@db/rls"),
        (
            "postgresql://db/rls?user=bot&password=s3cret",
            "postgresql://db/rls?user=bot&password=***",
        ),
        ("postgresql://:s3cret@db/rls?search_path=x", "postgresql://:***@db/rls?search_path=x"),
    ],
)
def test_the_password_is_hidden(url: str, shown: str) -> None:
    assert hide_password(url) == shown
