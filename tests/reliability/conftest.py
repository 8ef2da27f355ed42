"""Reliability fixtures: the in-process bot against the emulator comes from the end-to-end suite."""

from tests.e2e.conftest import bot, clock, emu

__all__ = ["bot", "clock", "emu"]
