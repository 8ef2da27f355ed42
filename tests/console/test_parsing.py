"""Reading commands typed the way Discord shows them, against a hand-written command list."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.console.catalog import CommandCatalog, ConsoleError, OptionSpec, nearest
from bot.console.parsing import parse_command, quote_value, scan_options

REGISTERED: list[dict[str, Any]] = [
    {
        "name": "stretch",
        "description": "Stretch reminders",
        "options": [
            {
                "type": 1,
                "name": "remind",
                "description": "Start reminders",
                "options": [
                    {"type": 3, "name": "time", "description": "When"},
                    {"type": 3, "name": "timezone", "description": "Zone", "autocomplete": True},
                    {
                        "type": 3,
                        "name": "where",
                        "description": "Where",
                        "choices": [
                            {"name": "By DM", "value": "dm"},
                            {"name": "Channel", "value": "channel"},
                        ],
                    },
                ],
            },
            {
                "type": 1,
                "name": "pause",
                "description": "Pause",
                "options": [
                    {
                        "type": 4,
                        "name": "days",
                        "description": "Days",
                        "required": True,
                        "min_value": 1,
                        "max_value": 30,
                    }
                ],
            },
        ],
    },
    {
        "name": "config",
        "description": "Server settings",
        "default_member_permissions": "32",
        "contexts": [0],
        "options": [
            {
                "type": 2,
                "name": "tips",
                "description": "Daily tips",
                "options": [
                    {
                        "type": 1,
                        "name": "channel",
                        "description": "Where",
                        "options": [
                            {
                                "type": 7,
                                "name": "channel",
                                "description": "Channel",
                                "required": True,
                            }
                        ],
                    }
                ],
            }
        ],
    },
    {
        "name": "log",
        "description": "Log a night",
        "options": [
            {"type": 3, "name": "note", "description": "Anything else", "max_length": 20},
            {"type": 5, "name": "private", "description": "Only me"},
            {"type": 10, "name": "hours", "description": "Hours"},
        ],
    },
    {"name": "help", "description": "Help"},
    {"name": "Report", "type": 2, "description": ""},  # a context-menu command: not typed
]
CATALOG = CommandCatalog(REGISTERED)


def no_lookups(option: OptionSpec, text: str) -> Any:
    return f"<{option.name}={text}>"


def parse(line: str) -> tuple[str, dict[str, Any]]:
    invocation = parse_command(line, CATALOG, no_lookups)
    return invocation.command.name, invocation.options


@pytest.mark.parametrize(
    ("line", "name", "options"),
    [
        ("/help", "help", {}),
        ("  /help  ", "help", {}),
        (
            "/stretch remind time:17:30 timezone:Europe/Berlin",
            "stretch remind",
            {"time": "17:30", "timezone": "Europe/Berlin"},
        ),
        (
            "/stretch remind timezone:Europe/Berlin time:5:30 pm",
            "stretch remind",
            {"timezone": "Europe/Berlin", "time": "5:30 pm"},
        ),
        ("/stretch remind where:By DM", "stretch remind", {"where": "dm"}),
        ("/stretch remind where:channel", "stretch remind", {"where": "channel"}),
        ("/stretch pause days:3", "stretch pause", {"days": 3}),
        (
            "/config tips channel channel:#reminders",
            "config tips channel",
            {"channel": "<channel=#reminders>"},
        ),
        (
            '/log note:"slept: badly" private:no hours:7.5',
            "log",
            {"note": "slept: badly", "private": False, "hours": 7.5},
        ),
        ("/log note:legs: awful, again", "log", {"note": "legs: awful, again"}),
        ("/log note:'it\\'s fine'", "log", {"note": "it's fine"}),
        ("/log note:", "log", None),
    ],
)
def test_commands_parse_to_typed_options(
    line: str, name: str, options: dict[str, Any] | None
) -> None:
    if options is None:
        with pytest.raises(ConsoleError, match="note: needs a value"):
            parse(line)
        return
    assert parse(line) == (name, options)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("help", "Commands start with /"),
        ("/", "Type a command after the slash"),
        ("/stretc remind", "Unknown command /stretc — did you mean /stretch?"),
        ("/strech", "did you mean /stretch?"),
        ("/xyzzy", "Unknown command /xyzzy"),
        ("/stretch", "/stretch needs a sub-command: pause, remind"),
        ("/stretch time:17:30", "/stretch needs a sub-command"),
        ("/stretch remnd", "/stretch has no sub-command 'remnd' — did you mean /stretch remind?"),
        ("/config tips", "/config tips needs a sub-command: channel"),
        ("/stretch remind tiem:17:30", "has no option tiem: — did you mean time:?"),
        (
            "/stretch remind 17:30",
            "/stretch remind has no option 17: (options: time:, timezone:, where:)",
        ),
        ("/stretch remind Berlin", "Options are written name:value, e.g. time:… (found 'Berlin')"),
        ("/help topic:x", "/help takes no options"),
        ("/stretch remind where:pigeon", "where: must be one of dm, channel, not 'pigeon'"),
        ("/stretch pause", "/stretch pause needs days:"),
        ("/stretch pause days:0", "days: must be at least 1"),
        ("/stretch pause days:31", "days: must be at most 30"),
        ("/stretch pause days:2.5", "days: takes a whole number"),
        ("/log hours:lots", "hours: takes a number"),
        ("/log hours:nan", "hours: takes a finite number"),
        ("/log private:perhaps", "private: takes true or false"),
        ("/log note:this note is far too long", "note: takes at most 20 characters"),
        ('/log note:"unclosed', "never closed"),
        ('/log note:"a"b', "Put a space after the closing quote"),
        ("/log note:a note:b", "note: is given twice"),
    ],
)
def test_mistakes_get_one_line_with_the_nearest_match(line: str, message: str) -> None:
    with pytest.raises(ConsoleError) as caught:
        parse(line)
    assert message in caught.value.message


def test_a_near_miss_option_ends_the_previous_value_so_it_is_reported() -> None:
    # "privat:" is close to "private:", so it is not swallowed into the note.
    with pytest.raises(ConsoleError, match="did you mean private:"):
        parse("/log note:fine privat:yes")


def test_catalog_lists_runnable_commands_and_their_rules() -> None:
    assert [c.display for c in CATALOG.commands] == [
        "/config tips channel",
        "/help",
        "/log",
        "/stretch pause",
        "/stretch remind",
    ]
    config, _ = CATALOG.resolve(["config", "tips", "channel"])
    assert not config.allowed_in_dm() and config.allowed_in_guild()
    assert config.missing_permissions(0) == ["Manage Server"]
    assert config.missing_permissions(32) == []
    remind, used = CATALOG.resolve(["stretch", "remind", "extra"])
    assert used == 2 and remind.usage() == "/stretch remind [time:] [timezone:] [where:]"


def test_nearest_prefers_a_unique_prefix() -> None:
    assert nearest("st", ["stretch", "sleep", "status"]) is None or True  # ambiguous: no crash
    assert nearest("str", ["stretch", "sleep", "status"]) == "stretch"
    assert nearest("tiemzone", ["time", "timezone"]) == "timezone"
    assert nearest("zzz", ["time"]) is None


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=40))
def test_quoted_values_read_back_unchanged(value: str) -> None:
    if not value.strip() or value != value.strip():
        return  # Discord trims option values too
    line = f"/log note:{quote_value(value)}"
    options = scan_options(line[len("/log ") :], ["note", "private", "hours"]).options
    assert [(o.name, o.text) for o in options] == [("note", value)]
