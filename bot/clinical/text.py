"""The clinical lines without Discord's markdown, for the doctor's report (PNG/PDF) and CSV.

The lines are written for Discord (bold labels, `-#` small print, `<url>` so no preview card
unfolds). The report draws plain text, so the same words are reused with only that markup taken
off: one wording for both places, which the wiring then cannot let drift apart.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"<(https?://[^>\s]+)>")


def plain(line: str) -> str:
    text = line.removeprefix("-# ").replace("**", "").replace("`", "")
    return _LINK.sub(r"\1", text).removeprefix("• ")


def plain_lines(lines: list[str]) -> list[str]:
    return [plain(line) for line in lines]
