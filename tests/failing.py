"""A real repository with one method that fails: a crash between two steps of one user action,
for the tests that prove the steps commit together or not at all."""

from __future__ import annotations

from typing import Any, TypeVar, cast

T = TypeVar("T")


class Broken(Exception):
    pass


class Failing:
    """The real repository, except that `method` raises :class:`Broken`."""

    def __init__(self, real: Any, method: str) -> None:
        self._real = real
        self._method = method

    def __getattr__(self, name: str) -> Any:
        if name == self._method:

            async def fail(*args: Any, **kwargs: Any) -> Any:
                raise Broken(name)

            return fail
        return getattr(self._real, name)


def failing(real: T, method: str) -> T:
    """`real` wrapped in :class:`Failing`, typed as the repository it stands in for: the
    repositories are concrete classes, and the wrapper has all their methods by delegation."""
    return cast(T, Failing(real, method))
