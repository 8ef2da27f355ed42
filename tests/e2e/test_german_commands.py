"""The registration the bot syncs carries German descriptions and names (issue 22): every command,
option and choice has a German name that Discord's spec accepts (the emu fixture fails the test on
any violation), unique among its siblings, as Discord requires per locale. The interactions still
carry the English names, so dispatch is unchanged (every German e2e test sends them)."""

from __future__ import annotations

from typing import Any

from bot.client import RlsBot
from bot.emulator import DiscordEmulator
from tests.i18n.test_commands import follows_discord_name_rules


def _walk(items: list[dict[str, Any]], path: str = "") -> list[tuple[str, list[dict[str, Any]]]]:
    """Each list of siblings (top-level commands, a command's options, an option's choices)."""
    found = [(path or "/", items)]
    for item in items:
        found += _walk(item.get("options") or [], f"{path}/{item['name']}")
    return found


async def test_the_running_bot_syncs_a_german_name_for_every_command(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    registered = emu.registered_commands()
    assert registered
    for where, siblings in _walk(registered):
        german_names = []
        for item in siblings:
            de_name = (item.get("name_localizations") or {}).get("de")
            de_description = (item.get("description_localizations") or {}).get("de")
            assert de_name, f"{where}: {item['name']} has no German name"
            assert follows_discord_name_rules(de_name), de_name
            assert de_description and len(de_description) <= 100, f"{where}: {item['name']}"
            german_names.append(de_name)
            for choice in item.get("choices") or []:
                assert (choice.get("name_localizations") or {}).get("de"), choice
        assert len(german_names) == len(set(german_names)), f"{where}: duplicate German names"
    assert {c["name_localizations"]["de"] for c in registered} >= {"dehnen", "schlaf", "hilfe"}
    assert emu.violations == []
