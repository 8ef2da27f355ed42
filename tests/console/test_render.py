"""Drawing messages: markup, embeds, numbered components, modal fields."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text

from bot.console.markup import Reader, discord_text, relative
from bot.console.render import SavedFile, actions_of, draw_message, modal_fields, only_changes

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
READER = Reader(
    user_name=lambda uid: {1: "alice"}.get(uid, "unknown-user"),
    channel_name=lambda cid: {2: "reminders"}.get(cid, "unknown-channel"),
    zone=ZoneInfo("Europe/Berlin"),
    now=NOW,
)
STAMP = int(datetime(2026, 3, 2, 16, 30, tzinfo=UTC).timestamp())


def plain(renderables: list[Any]) -> str:
    out = io.StringIO()
    console = Console(file=out, width=80, emoji=False, highlight=False, markup=False)
    for part in renderables:
        console.print(part, crop=False)
    return out.getvalue()


def test_mentions_and_timestamps_read_like_discord_shows_them() -> None:
    text = discord_text(
        f"<@1> see <#2> at <t:{STAMP}:t>, <t:{STAMP}:F> (<t:{STAMP}:R>) via </stretch remind:99>",
        READER,
    )
    assert text.plain == (
        "@alice see #reminders at 17:30, Monday, 2 March 2026 17:30 (in 4 hours) via /stretch remind"
    )


def test_timestamps_read_in_the_readers_language_like_discord_shows_them() -> None:
    """Found in a console walk: a German reader saw "Wednesday, 4 March 2026 17:00 (in 1 day)"
    inside German replies; a German Discord client shows the date in German."""
    german = dataclasses.replace(READER, locale="de")
    styles = "tTdDfF"
    text = discord_text(" | ".join(f"<t:{STAMP}:{style}>" for style in styles), german)
    assert text.plain.split(" | ") == [
        "17:30",
        "17:30:00",
        "02.03.2026",
        "2. März 2026",
        "2. März 2026 17:30",
        "Montag, 2. März 2026 17:30",
    ]
    assert relative(datetime(2026, 3, 1, 12, tzinfo=UTC), NOW, "de") == "vor 1 Tag"
    assert relative(datetime(2026, 3, 4, 12, tzinfo=UTC), NOW, "de") == "in 2 Tagen"
    assert relative(datetime(2026, 3, 2, 12, 45, tzinfo=UTC), NOW, "de") == "in 45 Minuten"
    assert relative(datetime(2026, 3, 2, 13, tzinfo=UTC), NOW, "de") == "in 1 Stunde"
    assert relative(NOW, NOW, "de") == "jetzt"
    assert relative(datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC), NOW, "de") == "in wenigen Sekunden"
    # Any other language reads them as before, in English.
    english = discord_text(
        f"<t:{STAMP}:F> (<t:{STAMP}:R>)", dataclasses.replace(READER, locale="fr")
    )
    assert english.plain == "Monday, 2 March 2026 17:30 (in 4 hours)"


def test_markdown_becomes_styles_not_symbols() -> None:
    text = discord_text(
        "# Title\n**bold** and *it* and `code` and [docs](https://x.org)\n-# small", READER
    )
    assert text.plain == "Title\nbold and it and code and docs (https://x.org)\nsmall"
    styles = {str(span.style) for span in text.spans}
    assert {"bold", "italic", "dim"} <= styles


def test_relative_times() -> None:
    assert relative(NOW, NOW) == "now"
    assert relative(datetime(2026, 3, 1, 12, tzinfo=UTC), NOW) == "1 day ago"
    assert relative(datetime(2026, 3, 2, 12, 45, tzinfo=UTC), NOW) == "in 45 minutes"


COMPONENTS: list[dict[str, Any]] = [
    {
        "type": 1,
        "components": [
            {
                "type": 3,
                "custom_id": "menu",
                "placeholder": "Pick",
                "max_values": 2,
                "options": [
                    {"label": "A", "value": "a"},
                    {"label": "B", "value": "b", "default": True},
                ],
            }
        ],
    },
    {
        "type": 1,
        "components": [
            {"type": 2, "style": 1, "label": "Done", "custom_id": "done"},
            {"type": 2, "style": 5, "label": "Docs", "url": "https://x.org"},
            {"type": 2, "style": 2, "label": "Later", "custom_id": "later", "disabled": True},
        ],
    },
]


def test_buttons_and_options_are_numbered_in_reading_order() -> None:
    actions = actions_of(COMPONENTS)
    assert [(a.number, a.kind, a.label) for a in actions] == [
        (1, "option", "A"),
        (2, "option", "B"),
        (3, "button", "Done"),
        (4, "button", "Later"),
    ]
    assert actions[3].disabled and actions[0].max_values == 2


def test_a_whole_message(tmp_path: Path) -> None:
    body = {
        "content": "Hello <@1>",
        "embeds": [
            {
                "title": "Tip",
                "description": "Stretch **gently**.",
                "fields": [{"name": "Topic", "value": "Exercise"}],
                "footer": {"text": "Not medical advice"},
                "color": 0x1ABC9C,
                "image": {"url": "attachment://chart.png"},
            }
        ],
        "components": COMPONENTS,
    }
    saved = SavedFile("chart.png", tmp_path / "01-chart.png", 2048)
    drawing = draw_message(body, Text("● header"), READER, [saved])
    shown = plain(drawing.parts)
    for expected in (
        "● header",
        "  Hello @alice",
        "╭─ Tip",
        "Stretch gently.",
        "Topic",
        "Not medical advice",
        "🖼  chart.png",
        "▾ Pick (pick 1 to 2 with :select)",
        "(1) A",
        "(2) B ✓",
        "[3] Done   🔗 Docs (https://x.org)   [4] Later",
        f"chart.png saved to {tmp_path / '01-chart.png'} (2 KB)",
    ):
        assert expected in shown, expected
    assert [a.number for a in drawing.actions] == [1, 2, 3, 4]


def test_modal_fields_from_both_layouts() -> None:
    classic = {
        "components": [
            {
                "type": 1,
                "components": [
                    {
                        "type": 4,
                        "custom_id": "bed",
                        "label": "Into bed",
                        "style": 1,
                        "value": "23:00",
                    }
                ],
            },
            {
                "type": 1,
                "components": [
                    {
                        "type": 4,
                        "custom_id": "note",
                        "label": "Note",
                        "style": 2,
                        "required": False,
                        "max_length": 50,
                    }
                ],
            },
        ]
    }
    labelled = {
        "components": [
            {
                "type": 18,
                "label": "Mood",
                "component": {
                    "type": 3,
                    "custom_id": "mood",
                    "max_values": 1,
                    "options": [{"label": "Good", "value": "g"}, {"label": "Bad", "value": "b"}],
                },
            },
            {"type": 10, "content": "Just text"},
        ]
    }
    bed, note = modal_fields(classic)
    assert (bed.custom_id, bed.label, bed.default, bed.required) == (
        "bed",
        "Into bed",
        "23:00",
        True,
    )
    assert note.paragraph and not note.required and note.max_length == 50
    [mood] = modal_fields(labelled)
    assert mood.is_select and mood.options == (("Good", "g"), ("Bad", "b"))


def test_pinned_ids_depend_only_on_the_name() -> None:
    from bot.console.world import stable_id

    assert stable_id("user", "alice") == stable_id("user", "alice")
    assert stable_id("user", "alice") != stable_id("user", "bob")
    assert stable_id("user", "alice") != stable_id("channel", "alice")
    assert all(0 < stable_id("user", n) < 2**63 for n in ("a", "bob", "x" * 32))


def test_an_edit_shows_only_what_changed() -> None:
    steps = [{"name": f"Step {n}", "value": "stretch"} for n in range(3)]
    before = {
        "content": "",
        "embeds": [{"title": "Time to stretch", "fields": steps, "footer": {"text": "Go gently"}}],
        "components": COMPONENTS,
    }
    after = {
        "content": "",
        "embeds": [{"title": "Time to stretch", "fields": steps, "footer": {"text": "Done."}}],
        "components": [],
    }
    assert only_changes(before, after) == {
        "components": [],
        "embeds": [{"title": "Time to stretch", "fields": [], "footer": {"text": "Done."}}],
    }
    retitled = {**after, "embeds": [{"title": "Stopped"}], "content": "bye"}
    assert only_changes(before, retitled)["embeds"] == [{"title": "Stopped"}]
    assert only_changes(before, retitled)["content"] == "bye"
    assert only_changes(before, before)["embeds"] == []
