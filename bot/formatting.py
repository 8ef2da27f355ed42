"""Small text helpers for Discord replies (no discord import: plain strings)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.i18n.speech import ENGLISH_SPEAKER, Speaker


def discord_timestamp(instant: datetime, style: str = "F") -> str:
    """Discord renders `<t:...>` in each reader's own zone and language."""
    return f"<t:{int(instant.timestamp())}:{style}>"


def when(instant: datetime) -> str:
    return f"{discord_timestamp(instant, 'F')} ({discord_timestamp(instant, 'R')})"


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 night", "3 nights", "1 entry" / "2 entries" (pass `many` where adding s is wrong)."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def human_duration(delta: timedelta, tr: Speaker = ENGLISH_SPEAKER) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return tr.plural(minutes, "{count} minute", "{count} minutes")
    hours, minutes = divmod(minutes, 60)
    text = tr.plural(hours, "{count} hour", "{count} hours")
    return tr("{hours} {minutes} min", hours=text, minutes=minutes) if minutes else text
