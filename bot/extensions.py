"""Find every extension in `cogs/`, so adding a feature never means editing a list."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import cogs


def walk_extensions() -> Iterator[str]:
    """Yield the modules in `cogs/` that define `setup` and whose names don't start with `_`."""
    for module_info in pkgutil.walk_packages(cogs.__path__, f"{cogs.__name__}."):
        if any(part.startswith("_") for part in module_info.name.split(".")):
            continue
        module = importlib.import_module(module_info.name)
        if inspect.isfunction(getattr(module, "setup", None)):
            yield module_info.name
