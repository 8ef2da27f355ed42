"""Tab completion from plain strings, with a stand-in for the session."""

from __future__ import annotations

from typing import Any

import pytest

from bot.console.catalog import CommandCatalog, OptionSpec
from bot.console.completion import complete
from bot.console.render import Action
from tests.console.test_parsing import REGISTERED

META = [("help", "this help"), ("time", "move the clock"), ("mod", "mod on|off")]


class FakeSession:
    def __init__(self) -> None:
        self.users: dict[str, Any] = {"alice": object(), "bob": object()}
        self.asked: list[tuple[str, dict[str, Any], str]] = []

    def catalog(self) -> CommandCatalog:
        return CommandCatalog(REGISTERED)

    def channel_names(self) -> list[str]:
        return ["general", "reminders"]

    def resolve(self, option: OptionSpec, text: str) -> Any:
        return text

    def clickable_actions(self) -> list[Action]:
        return [Action(1, "option", "Apple", "menu", "a"), Action(2, "button", "Done", "done")]

    async def autocomplete(
        self, command_name: str, options: dict[str, Any], focused: str
    ) -> list[dict[str, Any]]:
        self.asked.append((command_name, options, focused))
        return [{"name": "Europe/Berlin — 13:00 now", "value": "Europe/Berlin"}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/", ["config ", "help ", "log ", "stretch "]),
        ("/s", ["stretch "]),
        ("/stretch ", ["pause ", "remind "]),
        ("/config tips ", ["channel "]),
        ("/stretch remind ", ["time:", "timezone:", "where:"]),
        ("/stretch remind ti", ["time:", "timezone:"]),
        ("/stretch remind where:", ["dm ", "channel "]),
        ("/stretch remind where:By", ["dm "]),
        ("/log private:", ["true ", "false "]),
        ("/config tips channel channel:", ["#general ", "#reminders "]),
        ("/log note:fine pri", ["private:"]),
        ("/nope ", []),
        ("hello", []),
        (":", [":help ", ":time ", ":mod "]),
        (":mod ", ["on", "off"]),
        (":click ", ["2"]),
        (":select ", ["1"]),
        (":time n", ["next"]),
    ],
)
async def test_suggestions(text: str, expected: list[str]) -> None:
    assert [s.text for s in await complete(text, FakeSession(), META)] == expected


async def test_autocomplete_asks_the_bot_with_the_other_options_typed_so_far() -> None:
    session = FakeSession()
    [suggestion] = await complete("/stretch remind time:17:30 timezone:ber", session, META)
    assert (suggestion.text, suggestion.start) == ("Europe/Berlin ", -3)
    assert suggestion.display == "Europe/Berlin — 13:00 now"
    assert session.asked == [("stretch remind", {"time": "17:30", "timezone": "ber"}, "timezone")]


async def test_values_with_spaces_are_completed_with_quotes() -> None:
    class Titles(FakeSession):
        async def autocomplete(self, *args: Any) -> list[dict[str, Any]]:
            return [{"name": "Burning legs", "value": "Burning legs"}]

    [suggestion] = await complete("/stretch remind timezone:bur", Titles(), META)
    assert (suggestion.text, suggestion.start) == ('"Burning legs" ', -3)
