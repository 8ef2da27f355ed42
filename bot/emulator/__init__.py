"""A local Discord: the HTTP API v10 and gateway subset discord.py uses, on 127.0.0.1.

The real bot and the tests talk to it over the wire, so no Discord account is needed. Request
bodies are checked against Discord's OpenAPI description (``openapi/``, MIT licence).
"""

from bot.emulator.interactions import EmuCallback, EmuInteraction
from bot.emulator.permissions import Permissions
from bot.emulator.records import FaultRule, RecordedRequest, UploadedFile, Violation
from bot.emulator.server import DiscordEmulator
from bot.emulator.state import EmuAttachment, EmuChannel, EmuGuild, EmuMessage, EmuUser
from bot.emulator.validation import SpecValidator, shared_validator

__all__ = [
    "DiscordEmulator",
    "EmuAttachment",
    "EmuCallback",
    "EmuChannel",
    "EmuGuild",
    "EmuInteraction",
    "EmuMessage",
    "EmuUser",
    "FaultRule",
    "Permissions",
    "RecordedRequest",
    "SpecValidator",
    "UploadedFile",
    "Violation",
    "shared_validator",
]
