"""Where a delivery goes, named once from its schedule row.

The engine and the transport act on the target (a DM to a member, or a post in a channel that
may mention the member it is for) instead of asking the schedule who owns it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.reminders import Schedule


@dataclass(frozen=True, slots=True)
class DmTarget:
    """A direct message to one member."""

    user_id: int

    @property
    def fallback(self) -> None:
        """A DM has nowhere else to go: a member who closed them is paused (`dm_closed`)."""
        return None


@dataclass(frozen=True, slots=True)
class ChannelTarget:
    """A post in a server's channel. `mention_user_id` is the member it reminds, pinged (and no one
    else); None for a server's own post (its daily tip), which is for everyone and pings no one."""

    guild_id: int | None
    channel_id: int
    mention_user_id: int | None

    @property
    def fallback(self) -> DmTarget | None:
        """Where the message goes once this channel cannot take it any more: the member's DMs.
        A server's own post has none: it pauses until moderators fix the channel."""
        return None if self.mention_user_id is None else DmTarget(self.mention_user_id)


DeliveryTarget = DmTarget | ChannelTarget


def delivery_target(schedule: Schedule) -> DeliveryTarget:
    """The one place a schedule row becomes a target. A server's schedule always has a channel;
    one without would be a bug, and asking it for a member raises rather than DM a made-up user."""
    if schedule.channel_id is None:
        return DmTarget(schedule.user_id)
    return ChannelTarget(schedule.guild_id, schedule.channel_id, schedule.member_id)
