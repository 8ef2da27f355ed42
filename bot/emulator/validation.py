"""Check request bodies against Discord's published OpenAPI description.

The spec is 1.2 MB, so it is parsed once per process and each operation's validator is compiled once.
Two adjustments make it usable for a discord.py bot:

* snowflakes are typed as digit strings, but discord.py sends some as integers: both are accepted;
* unions of components / options / callbacks are rewritten to dispatch on the body's ``type`` field,
  because a plain ``oneOf`` reports "not valid under any of the given schemas" for a single typo.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from bot.emulator.limits import explicit_problems

log = logging.getLogger(__name__)

_SCHEMA_PREFIX = "#/components/schemas/"
_DIGITS = "^(0|[1-9][0-9]*)$"
# Fields Discord documents as strings but the spec types as integers (discord.py sends strings).
_STRINGLY_INTEGERS = frozenset({"default_member_permissions", "permissions"})


def _load_raw_spec() -> dict[str, Any]:
    text = resources.files("bot.emulator").joinpath("openapi/openapi.json").read_text("utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


@functools.cache
def load_spec() -> dict[str, Any]:
    """The adjusted spec, parsed once per process."""
    spec = _load_raw_spec()
    schemas: dict[str, Any] = spec["components"]["schemas"]
    schemas["SnowflakeType"] = {
        "anyOf": [
            {"type": "string", "pattern": _DIGITS},
            {"type": "integer", "minimum": 0},
        ]
    }
    for name, schema in list(schemas.items()):
        schemas[name] = _rewrite(schema, schemas)
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                for media in operation["requestBody"].get("content", {}).values():
                    media["schema"] = _rewrite(media["schema"], schemas)
    log.debug("loaded OpenAPI spec with %d schemas", len(schemas))
    return spec


def _discriminators(ref: str, schemas: dict[str, Any]) -> list[Any] | None:
    """The values of ``type`` a referenced object schema accepts, if it pins them down."""
    if not ref.startswith(_SCHEMA_PREFIX):
        return None
    target = schemas.get(ref.removeprefix(_SCHEMA_PREFIX))
    if not isinstance(target, dict):
        return None
    type_schema = target.get("properties", {}).get("type")
    if not isinstance(type_schema, dict):
        return None
    if "const" in type_schema:
        return [type_schema["const"]]
    values = type_schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _narrow_union(branches: list[Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    by_value: dict[Any, list[dict[str, Any]]] = {}
    for branch in branches:
        if not isinstance(branch, dict) or set(branch) != {"$ref"}:
            return None
        values = _discriminators(branch["$ref"], schemas)
        if not values:
            return None
        for value in values:
            by_value.setdefault(value, []).append(branch)
    clauses: list[dict[str, Any]] = []
    for value, refs in by_value.items():
        then: dict[str, Any] = refs[0] if len(refs) == 1 else {"anyOf": refs}
        clauses.append(
            {
                "if": {"required": ["type"], "properties": {"type": {"const": value}}},
                "then": then,
            }
        )
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(by_value)}},
        "allOf": clauses,
    }


def _rewrite(node: Any, schemas: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _rewrite(value, schemas) for key, value in node.items()}
    for keyword in ("oneOf", "anyOf"):
        branches = out.get(keyword)
        if isinstance(branches, list) and branches and all(_is_const(b) for b in branches):
            # Enums are spelled as oneOf-of-consts (with titles); an enum checks in one step.
            del out[keyword]
            out["enum"] = [b["const"] for b in branches]
        elif isinstance(branches, list) and {"type": "null"} in branches and len(branches) == 2:
            # "null or X": check X directly so errors come from X, not from the null branch.
            del out[keyword]
            out.pop("x-discord-union", None)
            other = next(b for b in branches if b != {"type": "null"})
            out.update({"if": {"type": "null"}, "else": other})
        elif isinstance(branches, list) and len(branches) > 1:
            narrowed = _narrow_union(branches, schemas)
            if narrowed is not None:
                del out[keyword]
                out.pop("x-discord-union", None)
                out.update(narrowed)
    props = out.get("properties")
    if isinstance(props, dict):
        for name in _STRINGLY_INTEGERS & props.keys():
            prop = props[name]
            if isinstance(prop, dict) and "integer" in _as_list(prop.get("type")):
                props[name] = {"anyOf": [prop, {"type": "string", "pattern": _DIGITS}]}
    return out


def _is_const(branch: Any) -> bool:
    return isinstance(branch, dict) and "const" in branch and "$ref" not in branch


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _most_specific(error: ValidationError) -> ValidationError:
    """Descend into combinator errors, preferring the deepest, least generic complaint."""
    while error.context:
        error = max(
            error.context,
            key=lambda e: (len(e.absolute_path), e.validator not in ("type", "enum", "const")),
        )
    return error


def _format_error(error: ValidationError) -> str:
    error = _most_specific(error)
    where = "/".join(str(part) for part in error.absolute_path) or "(body)"
    message = error.message
    if len(message) > 240:
        message = message[:200] + " …" + message[-30:]
    return f"{where}: {message}"


class SpecValidator:
    """Validates JSON bodies per operation (method + OpenAPI path template)."""

    def __init__(self) -> None:
        self._validators: dict[tuple[str, str], Draft202012Validator | None] = {}

    def _validator(self, method: str, template: str) -> Draft202012Validator | None:
        key = (method.upper(), template)
        if key not in self._validators:
            self._validators[key] = _compile(*key)
        return self._validators[key]

    def has_schema(self, method: str, template: str) -> bool:
        return self._validator(method, template) is not None

    def validate(self, method: str, template: str, body: Any) -> list[str]:
        """Problems with ``body`` for this operation; empty when Discord would accept it."""
        problems: list[str] = []
        validator = self._validator(method, template)
        if validator is not None:
            problems.extend(_format_error(e) for e in validator.iter_errors(body))
        problems.extend(explicit_problems(method.upper(), template, body))
        return list(dict.fromkeys(problems))


@functools.cache
def _compile(method: str, template: str) -> Draft202012Validator | None:
    spec = load_spec()
    operation = spec["paths"].get(template, {}).get(method.lower())
    if not isinstance(operation, dict):
        return None
    content = operation.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    if media is None:
        return None
    # Embedding the operation's schema next to ``components`` lets the spec's local
    # ``#/components/...`` references resolve without a separate registry.
    schema = copy.copy(media["schema"])
    schema["components"] = spec["components"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return Draft202012Validator(schema)


@functools.cache
def shared_validator() -> SpecValidator:
    """One validator per process: compiled validators are reused across emulators and tests."""
    return SpecValidator()
