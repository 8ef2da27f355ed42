"""Limits Discord enforces that its OpenAPI description does not express (or expresses loosely)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CONTENT_MAX = 2000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
CUSTOM_ID_MAX = 100
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
SELECT_OPTIONS_MAX = 25
BUTTON_LABEL_MAX = 80
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
CHOICES_MAX = 25
NONCE_MAX = 25
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
GLOBAL_CHAT_COMMANDS_MAX = 100

FLAG_IS_COMPONENTS_V2 = 1 << 15

# Which operations carry a message body at the top level.
_MESSAGE_ROUTES = frozenset(
    {
        ("POST", "/channels/{channel_id}/messages"),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
        ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
    }
)
_COMMAND_LIST_ROUTES = frozenset(
    {
        ("PUT", "/applications/{application_id}/commands"),
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"),
    }
)
_COMMAND_ONE_ROUTES = frozenset(
    {
        ("POST", "/applications/{application_id}/commands"),
        ("POST", "/applications/{application_id}/guilds/{guild_id}/commands"),
        ("PATCH", "/applications/{application_id}/commands/{command_id}"),
        ("PATCH", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}"),
    }
)
CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"


def explicit_problems(method: str, template: str, body: Any) -> list[str]:
    key = (method, template)
    if not isinstance(body, dict | list):
        return []
    if key in _MESSAGE_ROUTES and isinstance(body, dict):
        return list(_message_problems(body, ""))
    if key in _COMMAND_LIST_ROUTES and isinstance(body, list):
        return list(_command_list_problems(body))
    if key in _COMMAND_ONE_ROUTES and isinstance(body, dict):
        return list(_command_problems(body, ""))
    if method == "POST" and template == CALLBACK_ROUTE and isinstance(body, dict):
        return list(_callback_problems(body))
    return []


def _too_long(value: Any, limit: int, where: str, what: str) -> Iterator[str]:
    if isinstance(value, str) and len(value) > limit:
        yield f"{where}: {what} is {len(value)} characters (max {limit})"


def _callback_problems(body: dict[str, Any]) -> Iterator[str]:
    data = body.get("data")
    if not isinstance(data, dict):
        return
    kind = body.get("type")
    if kind in (4, 5, 7):
        yield from _message_problems(data, "data/")
    elif kind == 8:
        choices = data.get("choices") or []
        if len(choices) > CHOICES_MAX:
            yield f"data/choices: {len(choices)} autocomplete choices (max {CHOICES_MAX})"
        for i, choice in enumerate(choices):
            if isinstance(choice, dict):
                yield from _too_long(
                    choice.get("name"), 100, f"data/choices/{i}/name", "choice name"
                )
                yield from _too_long(choice.get("value"), 100, f"data/choices/{i}/value", "value")
    elif kind == 9:
        yield from _modal_problems(data)


def _modal_problems(data: dict[str, Any]) -> Iterator[str]:
    yield from _too_long(data.get("title"), MODAL_TITLE_MAX, "data/title", "modal title")
    yield from _too_long(data.get("custom_id"), CUSTOM_ID_MAX, "data/custom_id", "custom_id")
    top = data.get("components") or []
    if len(top) > MODAL_COMPONENTS_MAX:
        yield f"data/components: {len(top)} top-level modal components (max {MODAL_COMPONENTS_MAX})"
    for where, component in _walk_components(top, "data/components"):
        yield from _too_long(component.get("custom_id"), CUSTOM_ID_MAX, where, "custom_id")
        if component.get("type") == 4:
            label = component.get("label")
            yield from _too_long(label, TEXT_INPUT_LABEL_MAX, where + "/label", "text input label")
            yield from _too_long(component.get("value"), TEXT_INPUT_VALUE_MAX, where, "value")
        if component.get("type") == 18:
            yield from _too_long(component.get("label"), TEXT_INPUT_LABEL_MAX, where, "label")


def _message_problems(body: dict[str, Any], prefix: str) -> Iterator[str]:
    yield from _too_long(body.get("content"), CONTENT_MAX, prefix + "content", "content")
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        yield from _too_long(nonce, NONCE_MAX, prefix + "nonce", "nonce")
    for i, embed in enumerate(body.get("embeds") or []):
        if isinstance(embed, dict):
            yield from _embed_problems(embed, f"{prefix}embeds/{i}")
    total = sum(_embed_size(e) for e in body.get("embeds") or [] if isinstance(e, dict))
    if total > EMBED_TOTAL_MAX:
        yield f"{prefix}embeds: {total} characters across embeds (max {EMBED_TOTAL_MAX})"
    flags = body.get("flags") or 0
    yield from _component_problems(
        body.get("components") or [],
        prefix + "components",
        v2=isinstance(flags, int) and bool(flags & FLAG_IS_COMPONENTS_V2),
    )


def _embed_size(embed: dict[str, Any]) -> int:
    def text(value: Any) -> int:
        return len(value) if isinstance(value, str) else 0

    size = text(embed.get("title")) + text(embed.get("description"))
    size += text((embed.get("footer") or {}).get("text"))
    size += text((embed.get("author") or {}).get("name"))
    for field in embed.get("fields") or []:
        if isinstance(field, dict):
            size += text(field.get("name")) + text(field.get("value"))
    return size


def _embed_problems(embed: dict[str, Any], where: str) -> Iterator[str]:
    yield from _too_long(embed.get("title"), EMBED_TITLE_MAX, where + "/title", "embed title")
    yield from _too_long(
        embed.get("description"), EMBED_DESCRIPTION_MAX, where + "/description", "description"
    )
    footer = embed.get("footer") or {}
    yield from _too_long(footer.get("text"), EMBED_FOOTER_MAX, where + "/footer/text", "footer")
    author = embed.get("author") or {}
    yield from _too_long(author.get("name"), EMBED_AUTHOR_MAX, where + "/author/name", "author")
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_MAX:
        yield f"{where}/fields: {len(fields)} fields (max {EMBED_FIELDS_MAX})"
    for i, field in enumerate(fields):
        if not isinstance(field, dict):
            continue
        name, value = field.get("name"), field.get("value")
        yield from _too_long(name, EMBED_FIELD_NAME_MAX, f"{where}/fields/{i}/name", "field name")
        yield from _too_long(
            value, EMBED_FIELD_VALUE_MAX, f"{where}/fields/{i}/value", "field value"
        )
        if not name or not value:
            yield f"{where}/fields/{i}: field name and value must be non-empty"


def _walk_components(components: list[Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        here = f"{where}/{i}"
        yield here, component
        yield from _walk_components(component.get("components") or [], here + "/components")
        child = component.get("component")
        if isinstance(child, dict):
            yield from _walk_components([child], here + "/component")
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            yield from _walk_components([accessory], here + "/accessory")


def _component_problems(components: list[Any], where: str, *, v2: bool) -> Iterator[str]:
    if not v2 and len(components) > ACTION_ROWS_MAX:
        yield f"{where}: {len(components)} action rows (max {ACTION_ROWS_MAX})"
    for path, component in _walk_components(components, where):
        kind = component.get("type")
        yield from _too_long(component.get("custom_id"), CUSTOM_ID_MAX, path, "custom_id")
        if kind == 1:
            children = component.get("components") or []
            buttons = [c for c in children if isinstance(c, dict) and c.get("type") == 2]
            if len(buttons) > BUTTONS_PER_ROW_MAX:
                yield f"{path}: {len(buttons)} buttons in one row (max {BUTTONS_PER_ROW_MAX})"
        elif kind == 2:
            yield from _too_long(component.get("label"), BUTTON_LABEL_MAX, path, "button label")
            is_link = component.get("style") == 5
            if is_link and not component.get("url"):
                yield f"{path}: link button needs a url"
            if not is_link and component.get("style") != 6 and not component.get("custom_id"):
                yield f"{path}: button needs a custom_id"
        elif kind == 3:
            options = component.get("options") or []
            if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
                yield f"{path}: select has {len(options)} options (1..{SELECT_OPTIONS_MAX})"


def _is_valid_chat_name(name: str) -> bool:
    return (
        1 <= len(name) <= COMMAND_NAME_MAX
        and name == name.lower()
        and all(ch.isalnum() or ch in "-_" for ch in name)
    )


def _command_list_problems(commands: list[Any]) -> Iterator[str]:
    seen: set[tuple[Any, Any]] = set()
    chat = 0
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            continue
        key = (command.get("type", 1), command.get("name"))
        if key in seen:
            yield f"{i}/name: duplicate command name {command.get('name')!r}"
        seen.add(key)
        chat += key[0] == 1
        yield from _command_problems(command, f"{i}/")
    if chat > GLOBAL_CHAT_COMMANDS_MAX:
        yield f"(body): {chat} chat input commands (max {GLOBAL_CHAT_COMMANDS_MAX})"


def _command_problems(command: dict[str, Any], prefix: str) -> Iterator[str]:
    kind = command.get("type", 1)
    name = command.get("name")
    if not isinstance(name, str):
        return
    if kind == 1:
        if not _is_valid_chat_name(name):
            yield f"{prefix}name: {name!r} must be lowercase letters/digits/-/_ (1..32)"
        description = command.get("description") or ""
        if not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
            yield f"{prefix}description: {len(description)} characters (1..100) for /{name}"
    else:
        if not 1 <= len(name) <= COMMAND_NAME_MAX:
            yield f"{prefix}name: context menu name {name!r} must be 1..32 characters"
        if command.get("description"):
            yield f"{prefix}description: context menu commands take an empty description"
    yield from _options_problems(command.get("options") or [], prefix + "options")


def _options_problems(options: list[Any], where: str) -> Iterator[str]:
    if len(options) > COMMAND_OPTIONS_MAX:
        yield f"{where}: {len(options)} options (max {COMMAND_OPTIONS_MAX})"
    seen_optional = False
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        here = f"{where}/{i}"
        name = option.get("name")
        if isinstance(name, str) and not _is_valid_chat_name(name):
            yield f"{here}/name: {name!r} must be lowercase letters/digits/-/_ (1..32)"
        description = option.get("description") or ""
        if not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
            yield f"{here}/description: {len(description)} characters (1..100)"
        choices = option.get("choices") or []
        if len(choices) > CHOICES_MAX:
            yield f"{here}/choices: {len(choices)} choices (max {CHOICES_MAX})"
        if choices and option.get("autocomplete"):
            yield f"{here}: an option cannot have both choices and autocomplete"
        if option.get("type") in (1, 2):
            yield from _options_problems(option.get("options") or [], here + "/options")
            continue
        if option.get("required"):
            if seen_optional:
                yield f"{here}: required options must come before optional ones"
        else:
            seen_optional = True
