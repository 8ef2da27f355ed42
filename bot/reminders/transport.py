"""What the engine hands to whatever sends messages, and the failures it understands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.db.reminders import Delivery, Schedule
from bot.reminders.target import DeliveryTarget, delivery_target


async def _always_ready() -> bool:
    return True


@dataclass(frozen=True)
class Outgoing:
    delivery: Delivery
    schedule: Schedule
    late_seconds: int
    is_late: bool  # late enough that the message should say so
    # Awaited by the transport right before the request that posts the message, after any wait
    # for the pacer: False means the delivery is no longer this sender's (its lease ran out and
    # another sender has it, or the user paused or stopped): raise LeaseLost, send nothing.
    ready: Callable[[], Awaitable[bool]] = field(default=_always_ready, compare=False)
    # Derived from the schedule when the delivery is handed over; the transport posts there.
    target: DeliveryTarget = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", delivery_target(self.schedule))

    @property
    def nonce(self) -> str:
        """Stable per delivery, so a resend after a crash is recognised by Discord (≤ 25 chars)."""
        return f"rls-d{self.delivery.id}"


@dataclass(frozen=True)
class SentMessage:
    channel_id: int
    message_id: int


class DeliveryError(Exception):
    """Base of the failures a transport reports."""


class RecipientUnreachable(DeliveryError):
    """A DM target cannot be messaged at all (DMs closed, no shared server): never retry."""


class TargetUnavailable(DeliveryError):
    """A channel target is gone or forbidden: its fallback (the member's DMs) takes over, or,
    without one, the schedule pauses."""


class PermanentFailure(DeliveryError):
    """Discord refused the request for good (a 400, a 403 or 404 that is not about the user's
    DMs or a gone channel): sending it again would fail the same way. `code` is Discord's."""

    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(f"HTTP {status} (code {code}): {text}")
        self.status = status
        self.code = code


class LeaseLost(DeliveryError):
    """ready() said no: the message was not sent, and this sender records nothing about it."""


class TemporaryFailure(DeliveryError):
    """Worth trying again later (server errors, timeouts, rate limits that outlasted retries)."""


class Transport(Protocol):
    async def send(self, outgoing: Outgoing) -> SentMessage:
        """Post the message; await `outgoing.ready()` right before posting (see there)."""
        ...
