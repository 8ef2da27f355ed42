"""The contract of every parser of typed text: it reads a value or refuses with a message for the
person (a UserError), never anything else; shared by the property tests that feed them any text."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.errors import UserError

T = TypeVar("T")


def parsed_or_refused(parse: Callable[[str], T], text: str) -> T | None:
    """What ``parse`` reads in ``text``, or None where it refused; a refusal without a message, or
    any other exception, fails the test."""
    try:
        return parse(text)
    except UserError as error:
        assert error.message
        return None
