"""The same clinical words without Discord markdown, for the report."""

from __future__ import annotations

from datetime import date

from bot.clinical.labs import LabResult, labs_text
from bot.clinical.text import plain, plain_lines
from bot.clinical.watch import SOURCE_URL, watch, watch_lines
from tests.clinical.test_watch import TODAY, everything_worse


def test_plain_takes_off_only_the_markup() -> None:
    assert plain("**Stronger symptoms:** median 7/10") == "Stronger symptoms: median 7/10"
    assert plain("-# Not a diagnosis. Source: X, <https://a.example/b>") == (
        "Not a diagnosis. Source: X, https://a.example/b"
    )
    assert plain("• Ferritin **45 ng/mL** · 13 Nov 2026") == "Ferritin 45 ng/mL · 13 Nov 2026"


def test_every_watch_and_lab_line_comes_out_plain() -> None:
    nights, doses = everything_worse()
    lines = watch_lines(watch(nights, TODAY, doses))
    lines += labs_text([LabResult(date(2026, 6, 1), 45.0, 18.0, True, "Lab")], TODAY)
    for line in plain_lines(lines):
        assert "**" not in line and not line.startswith(("-#", "•")) and "<" not in line
    assert any(line.endswith(SOURCE_URL) for line in plain_lines(lines))
