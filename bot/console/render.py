"""What the bot sent, drawn for a terminal: embeds as panels, buttons and select options numbered.

Buttons and select options on one message share one numbering (1, 2, 3 ...) so ``:click 2`` and
``:select 4`` need no further qualification; link buttons are shown with their address instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.style import Style
from rich.text import Text

from bot.console.markup import Reader, discord_text, timestamp

BUTTON = 2
STRING_SELECT = 3
TEXT_INPUT = 4
LINK_STYLE = 5
PREMIUM_STYLE = 6
SECTION = 9
TEXT_DISPLAY = 10
THUMBNAIL = 11
MEDIA_GALLERY = 12
FILE = 13
SEPARATOR = 14
CONTAINER = 17
LABEL = 18
_AUTO_SELECTS = {5: "user", 6: "role", 7: "user or role", 8: "channel"}


@dataclass(frozen=True)
class Action:
    """A numbered thing the person can use: a button, or one option of a select menu."""

    number: int
    kind: Literal["button", "option"]
    label: str
    custom_id: str
    value: str = ""
    disabled: bool = False
    min_values: int = 1
    max_values: int = 1


@dataclass(frozen=True)
class SavedFile:
    filename: str
    path: Path
    size: int


class Verbatim:
    """A line never wrapped (print it with ``crop=False``): a file path is for copying."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from console.render(self.text, options.update(no_wrap=True, overflow="ignore"))


@dataclass
class Drawing:
    """A message drawn, and the actions it offers (numbered in reading order)."""

    parts: list[RenderableType] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def _walk(components: list[Any]) -> Iterator[dict[str, Any]]:
    for component in components:
        if not isinstance(component, dict):
            continue
        yield component
        yield from _walk(component.get("components") or [])
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from _walk([child])


def actions_of(components: list[Any]) -> list[Action]:
    """The usable components, numbered the way :func:`draw_message` shows them."""
    actions: list[Action] = []
    for component in _walk(components):
        kind = component.get("type")
        if kind == BUTTON and component.get("custom_id"):
            actions.append(
                Action(
                    len(actions) + 1,
                    "button",
                    _button_label(component),
                    str(component["custom_id"]),
                    disabled=bool(component.get("disabled")),
                )
            )
        elif kind == STRING_SELECT:
            for option in component.get("options") or []:
                actions.append(
                    Action(
                        len(actions) + 1,
                        "option",
                        str(option.get("label", "")),
                        str(component["custom_id"]),
                        value=str(option.get("value", "")),
                        disabled=bool(component.get("disabled")),
                        min_values=int(component.get("min_values", 1)),
                        max_values=int(component.get("max_values", 1)),
                    )
                )
    return actions


def _button_label(component: dict[str, Any]) -> str:
    label = str(component.get("label") or "")
    emoji = component.get("emoji") or {}
    if isinstance(emoji, dict) and emoji.get("name") and not emoji.get("id"):
        label = f"{emoji['name']} {label}".strip()
    return label or "(no label)"


def draw_message(
    message_body: dict[str, Any],
    header: Text,
    reader: Reader,
    files: list[SavedFile],
) -> Drawing:
    """``message_body`` holds content, embeds and components as the bot sent them."""
    drawing = Drawing(parts=[header])
    content = str(message_body.get("content") or "")
    if content:
        drawing.parts.append(_indent(discord_text(content, reader)))
    for embed in message_body.get("embeds") or []:
        drawing.parts.append(embed_panel(embed, reader))
    components = list(message_body.get("components") or [])
    actions = actions_of(components)
    drawing.actions = actions
    drawing.parts += _components(components, actions, reader)
    for saved in files:
        line = Text("  📎 ")
        line.append(saved.filename, style="bold")
        line.append(f" saved to {saved.path} ({_size(saved.size)})")
        drawing.parts.append(Verbatim(line))
    return drawing


def only_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """An edited message cut down to what differs from how it was drawn before.

    A reminder marked Done changes one footer line; printing its whole routine again would bury
    that. Embeds are matched by position and title; a changed title means a new embed.
    """
    changed: dict[str, Any] = {"components": after.get("components") or []}
    if after.get("content") != before.get("content"):
        changed["content"] = after.get("content") or "(text removed)"
    old_embeds = list(before.get("embeds") or [])
    embeds = []
    for index, embed in enumerate(after.get("embeds") or []):
        old = old_embeds[index] if index < len(old_embeds) else None
        if old is None or old.get("title") != embed.get("title"):
            embeds.append(embed)
        elif old != embed:
            kept = {k: v for k, v in embed.items() if k in ("title", "color") or old.get(k) != v}
            old_fields = old.get("fields") or []
            kept["fields"] = [f for f in embed.get("fields") or [] if f not in old_fields]
            embeds.append(kept)
    changed["embeds"] = embeds
    return changed


def _indent(text: Text) -> Text:
    lines = text.split("\n", allow_blank=True)
    out = Text()
    for index, line in enumerate(lines):
        if index:
            out.append("\n")
        out.append("  ")
        out.append_text(line)
    return out


def _size(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.0f} KB"


def embed_panel(embed: dict[str, Any], reader: Reader) -> Panel:
    parts: list[RenderableType] = []
    author = embed.get("author") or {}
    if author.get("name"):
        parts.append(Text(str(author["name"]), style="bold"))
    if embed.get("description"):
        parts.append(discord_text(str(embed["description"]), reader))
    for item in embed.get("fields") or []:
        block = Text(str(item.get("name") or ""), style="bold")
        block.append("\n")
        block.append_text(discord_text(str(item.get("value") or ""), reader))
        parts.append(block)
    for key in ("image", "thumbnail"):
        url = (embed.get(key) or {}).get("url")
        if url:
            shown = url.removeprefix("attachment://")
            parts.append(Text(f"🖼  {shown}", style="dim"))
    footer = Text(str((embed.get("footer") or {}).get("text") or ""), style="dim")
    if embed.get("timestamp"):
        moment = datetime.fromisoformat(str(embed["timestamp"]))
        footer.append((" · " if footer else "") + timestamp(int(moment.timestamp()), "f", reader))
    if footer:
        parts.append(footer)
    body: list[RenderableType] = []
    for index, part in enumerate(parts):
        if index:
            body.append(Text(""))
        body.append(part)
    title = Text(str(embed.get("title") or ""), style="bold")
    colour = embed.get("color")
    border = Style(color=f"#{int(colour):06x}") if isinstance(colour, int) and colour else "blue"
    return Panel(
        Group(*body) if body else Text(""),
        title=title if title else None,
        title_align="left",
        border_style=border,
        expand=False,
        padding=(0, 1),
    )


def _components(
    components: list[Any], actions: list[Action], reader: Reader
) -> list[RenderableType]:
    """Buttons of one row on one line; each select as a heading with its options below."""
    numbers = iter(actions)
    lines: list[RenderableType] = []

    def take() -> Action:
        return next(numbers)

    def flush(row: list[Text]) -> None:
        if row:
            lines.append(Text("  ") + Text("   ").join(row))
            row.clear()

    def draw(items: list[Any]) -> None:
        row: list[Text] = []
        for component in items:
            if not isinstance(component, dict):
                continue
            kind = component.get("type")
            if kind == BUTTON:
                if component.get("custom_id"):
                    action = take()
                    button = Text(f"[{action.number}] ", style="cyan")
                    button.append(action.label, style="dim strike" if action.disabled else "bold")
                    row.append(button)
                elif component.get("url"):
                    row.append(Text(f"🔗 {_button_label(component)} ({component['url']})"))
                continue
            flush(row)
            if kind == STRING_SELECT:
                lines.extend(_select(component, take))
            elif kind in _AUTO_SELECTS:
                lines.append(Text(f"  ▾ a {_AUTO_SELECTS[kind]} menu (the console can't use it)"))
            elif kind == TEXT_DISPLAY:
                lines.append(_indent(discord_text(str(component.get("content") or ""), reader)))
            elif kind == SEPARATOR:
                lines.append(Text("  ───", style="dim"))
            elif kind in (MEDIA_GALLERY, FILE, THUMBNAIL):
                lines.append(Text("  🖼  media", style="dim"))
            nested = [component.get("component"), component.get("accessory")]
            draw(list(component.get("components") or []) + [n for n in nested if n])
        flush(row)

    draw(components)
    return lines


def _select(component: dict[str, Any], take: Any) -> list[Text]:
    low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
    heading = Text("  ▾ ")
    heading.append(str(component.get("placeholder") or "Choose"), style="bold")
    picks = f"pick {low}" if low == high else f"pick {low} to {high}"
    heading.append(f" ({picks} with :select)", style="dim")
    out = [heading]
    for option in component.get("options") or []:
        action = take()
        line = Text("    ")
        line.append(f"({action.number}) ", style="cyan")
        line.append(action.label)
        if option.get("description"):
            line.append(f" — {option['description']}", style="dim")
        if option.get("default"):
            line.append(" ✓", style="green")
        out.append(line)
    return out


@dataclass(frozen=True)
class ModalField:
    custom_id: str
    label: str
    required: bool = True
    default: str = ""
    placeholder: str = ""
    paragraph: bool = False
    min_length: int | None = None
    max_length: int | None = None
    # For a select menu inside the modal: (label, value) and how many to pick.
    options: tuple[tuple[str, str], ...] = ()
    max_values: int = 1

    @property
    def is_select(self) -> bool:
        return bool(self.options)


def modal_fields(data: dict[str, Any]) -> list[ModalField]:
    """The inputs of a modal, in order (classic action rows and the newer label layout)."""
    found: list[ModalField] = []
    for top in data.get("components") or []:
        if not isinstance(top, dict):
            continue
        if top.get("type") == 1:
            for child in top.get("components") or []:
                if isinstance(child, dict) and child.get("type") == TEXT_INPUT:
                    found.append(_text_field(child, str(child.get("label") or "")))
        elif top.get("type") == LABEL and isinstance(top.get("component"), dict):
            child = top["component"]
            label = str(top.get("label") or "")
            if child.get("type") == TEXT_INPUT:
                found.append(_text_field(child, label))
            elif child.get("type") == STRING_SELECT:
                options = tuple(
                    (str(o.get("label", "")), str(o.get("value", "")))
                    for o in child.get("options") or []
                )
                found.append(
                    ModalField(
                        str(child["custom_id"]),
                        label,
                        required=bool(child.get("required", True)),
                        options=options,
                        max_values=int(child.get("max_values", 1)),
                    )
                )
    return found


def _text_field(component: dict[str, Any], label: str) -> ModalField:
    return ModalField(
        str(component["custom_id"]),
        label,
        required=bool(component.get("required", True)),
        default=str(component.get("value") or ""),
        placeholder=str(component.get("placeholder") or ""),
        paragraph=component.get("style") == 2,
        min_length=component.get("min_length"),
        max_length=component.get("max_length"),
    )
