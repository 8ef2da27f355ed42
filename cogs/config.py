"""/config: how the bot behaves in a server, decided by its moderators.

Discord hides the group from members without Manage Server (default_member_permissions "32"), but
server admins can override that and old clients ignore it, so every command checks the permission
again here before anything is read or changed.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RlsBot
from bot.errors import UserError
from bot.formatting import when
from bot.guild_config import (
    RECENT_CHANGES,
    REQUIRED_PERMISSIONS,
    TIP_KIND,
    channel_type_problem,
    missing_permissions_error,
    settings_overview,
)
from bot.i18n import N_, Speaker
from bot.interactions import ConfirmView, send_reply, server_translator_for
from bot.scheduling.parsing import parse_time
from bot.scheduling.zones import resolve_zone
from bot.usecases import configure_daily_tip, server_settings
from cogs._autocomplete import zone_autocomplete
from cogs._cog import BotCog

log = logging.getLogger(__name__)

NEEDS_A_SERVER = N_(
    "`/config` changes how I work in one server, so it only works inside a server that added "
    "me, not in DMs. Your own settings (`/timezone`, `/stretch`, `/sleep`) work here too."
)
SERVER_DID_NOT_ADD_ME = N_(
    "This server hasn't added me (you're using me through your own account), so it has no "
    "settings of mine to change. Its moderators can add me with the server invite link in my "
    "README."
)

PickedChannel = app_commands.AppCommandChannel | app_commands.AppCommandThread


class NotAModerator(app_commands.CheckFailure, UserError):
    """A check failure whose message is written for the member who tried."""

    def __init__(self) -> None:
        UserError.__init__(
            self,
            N_(
                "Only members with the **Manage Server** permission can change how I work in "
                "this server. Nothing was changed."
            ),
        )


class NotHere(app_commands.CheckFailure, UserError):
    """/config used where there is no server of ours to configure."""

    def __init__(self, message: str) -> None:
        UserError.__init__(self, message)


def is_moderator(interaction: discord.Interaction[Any]) -> bool:
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


class PostableChannel(app_commands.Transformer):
    """A channel option: Discord's picker offers text and announcement channels only, yet whatever
    channel arrives (from an old client, say) reaches the command, which explains what is wrong
    with it instead of failing on a type it did not expect."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Any:
        if isinstance(value, app_commands.AppCommandChannel | app_commands.AppCommandThread):
            return value
        raise app_commands.TransformerError(value, self.type, self)


ChannelOption = app_commands.Transform[PickedChannel, PostableChannel]


def usable_channel(interaction: discord.Interaction[Any], picked: PickedChannel) -> int:
    """The channel's id once it is a kind the bot can post in and the bot may post there."""
    problem = channel_type_problem(picked.type.value)
    if problem is not None:
        raise problem
    guild = interaction.guild
    channel = guild.get_channel(picked.id) if guild is not None else None
    me = guild.me if guild is not None else None
    if not isinstance(channel, discord.TextChannel) or me is None:
        raise UserError(
            N_("I can't see <#{channel}>. Give my role **View Channel** there and try again."),
            channel=picked.id,
        )
    # The bot's own permissions there, with the channel's overwrites applied.
    granted = channel.permissions_for(me)
    missing = [name for name in REQUIRED_PERMISSIONS if not getattr(granted, name)]
    if missing:
        raise missing_permissions_error(channel.id, missing)
    return channel.id


class ConfigCog(BotCog):
    help_title = N_("Server settings (moderators)")

    group = app_commands.Group(
        name="config",
        description="Moderators: how I work in this server.",
        # Both spellings of "servers only": dm_permission for older clients, contexts for newer.
        # Each flag is spelled out: one left unset would take the tree's default (everywhere).
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        ),
        # A server's settings need the bot in that server: not offered through "Add to my apps".
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Discord offers /config only in servers that added the bot; an outdated client may
        # still send it from elsewhere.
        if interaction.guild_id is None:
            raise NotHere(NEEDS_A_SERVER)
        if not interaction.is_guild_integration():
            raise NotHere(SERVER_DID_NOT_ADD_ME)
        if not is_moderator(interaction):
            raise NotAModerator()
        return True

    # -- shared steps ----------------------------------------------------------------------------

    async def reset_settings(self, interaction: discord.Interaction[Any]) -> str:
        """/config reset's Confirm: every setting back to its default."""
        # The permission may have been taken away since the question was asked.
        if interaction.guild_id is None or not is_moderator(interaction):
            raise NotAModerator()
        tr = server_translator_for(interaction)
        moved = await server_settings.reset_server_settings(
            self.bot.usecases, interaction.guild_id, interaction.user.id
        )
        text = tr("Done: every setting is back to its default and the daily tip is off.")
        return text + _moved_to_dm(moved, tr)

    # -- commands --------------------------------------------------------------------------------

    @group.command(name="show", description="Every setting for this server and recent changes.")
    async def show(self, interaction: discord.Interaction[RlsBot]) -> None:
        guild_id = _guild_id(interaction)
        settings = await self.bot.repos.guild_settings.get(guild_id)
        schedule = await self.bot.repos.reminders.get_server_schedule(guild_id, TIP_KIND)
        changes = await self.bot.repos.guild_settings.recent_changes(guild_id, RECENT_CHANGES)
        tr = server_translator_for(interaction)
        await send_reply(interaction, settings_overview(settings, schedule, changes, tr))

    @group.command(
        name="reminder-channel",
        description="Where members may get stretch reminders; leave empty to turn it off.",
    )
    @app_commands.describe(channel="A text channel; leave empty to turn the reminder channel off")
    async def reminder_channel(
        self, interaction: discord.Interaction[RlsBot], channel: ChannelOption | None = None
    ) -> None:
        guild_id = _guild_id(interaction)
        channel_id = usable_channel(interaction, channel) if channel is not None else None
        change = await server_settings.set_reminder_channel(
            self.bot.usecases, guild_id, interaction.user.id, channel_id
        )
        tr = server_translator_for(interaction)
        if channel_id is None:
            if not change.update.changed:
                await send_reply(interaction, tr("There is no reminder channel to turn off."))
                return
            text = tr("Reminder channel turned off.") + _moved_to_dm(change.moved, tr)
            await send_reply(interaction, text)
            return
        text = tr(
            "Reminder channel: <#{channel}>. Members can get their stretch reminders there with "
            "`/stretch remind where:channel`.",
            channel=channel_id,
        )
        if change.moved:
            old = change.update.before.reminder_channel_id
            text += " " + tr.plural(
                change.moved,
                "Moved here from <#{old}>: the reminders of {count} member.",
                "Moved here from <#{old}>: the reminders of {count} members.",
                old=old,
            )
        await send_reply(interaction, text)

    @group.command(name="tips-channel", description="Post a tip about RLS in a channel every day.")
    @app_commands.describe(
        channel="A text channel for the daily tip",
        time="When, in the server's timezone: 17:00 or 5 pm (default 17:00)",
        timezone="The server's timezone, e.g. Europe/Berlin (needed once)",
    )
    @app_commands.autocomplete(timezone=zone_autocomplete)
    async def tips_channel(
        self,
        interaction: discord.Interaction[RlsBot],
        channel: ChannelOption,
        time: str | None = None,
        timezone: str | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        channel_id = usable_channel(interaction, channel)
        local_time = parse_time(time) if time is not None else None
        zone = resolve_zone(timezone).key if timezone is not None else None
        schedule = await configure_daily_tip(
            self.bot.usecases, guild_id, interaction.user.id, channel_id, local_time, zone
        )
        # A channel and a zone are both set by now, so the schedule has a due time.
        assert schedule.next_due is not None
        tr = server_translator_for(interaction)
        await send_reply(
            interaction,
            tr(
                "Every day at {time} ({timezone}) I'll post a tip in <#{channel}>, avoiding tips "
                "posted there recently. The first: {when}.",
                time=f"{schedule.local_time:%H:%M}",
                timezone=schedule.timezone,
                channel=channel_id,
                when=when(schedule.next_due),
            ),
        )

    @group.command(name="timezone", description="The server's timezone, for the daily tip's time.")
    @app_commands.describe(timezone="A city near most of your members, e.g. Europe/Berlin")
    @app_commands.autocomplete(timezone=zone_autocomplete)
    async def timezone(self, interaction: discord.Interaction[RlsBot], timezone: str) -> None:
        guild_id = _guild_id(interaction)
        zone = resolve_zone(timezone).key
        update, schedule = await server_settings.set_server_timezone(
            self.bot.usecases, guild_id, interaction.user.id, zone
        )
        tr = server_translator_for(interaction)
        if not update.changed:
            await send_reply(interaction, tr("The server's timezone is already {zone}.", zone=zone))
            return
        text = tr("The server's timezone is now {zone}.", zone=zone)
        if schedule is not None and schedule.next_due is not None:
            text += " " + tr(
                "The daily tip goes out at {time} there; the next: {when}.",
                time=f"{schedule.local_time:%H:%M}",
                when=when(schedule.next_due),
            )
        await send_reply(interaction, text)

    @group.command(name="tips-off", description="Stop the daily tip post.")
    async def tips_off(self, interaction: discord.Interaction[RlsBot]) -> None:
        stopped = await server_settings.turn_off_daily_tip(
            self.bot.usecases, _guild_id(interaction), interaction.user.id
        )
        tr = server_translator_for(interaction)
        text = tr("Daily tips stopped.") if stopped else tr("The daily tip was already off.")
        await send_reply(interaction, text)

    @group.command(name="reset", description="Put every setting for this server back to default.")
    async def reset(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = server_translator_for(interaction)
        await send_reply(
            interaction,
            tr(
                "Reset every setting for this server? The daily tip stops, and members who get "
                "stretch reminders in the reminder channel get them by DM instead."
            ),
            view=ConfirmView(
                interaction.user.id,
                labels=(tr("Reset to defaults"), tr("Keep them")),
                on_confirm=self.reset_settings,
                cancelled=tr("Kept: nothing was changed."),
            ),
        )

    # -- clean-up --------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        # discord.py calls this only when the bot was removed, never for an outage
        # (GUILD_DELETE with unavailable: true). Members' channel reminders are moved to DM by
        # the stretch cog's own listener.
        forgotten = await server_settings.leave_server(self.bot.usecases, guild.id)
        log.info(
            "left server %s: settings %s, %d server schedule(s) removed",
            guild.id,
            "removed" if forgotten.had_settings else "none",
            forgotten.server_schedules,
        )

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        update = await server_settings.forget_deleted_channel(
            self.bot.usecases, channel.guild.id, channel.id
        )
        if update is None:
            return
        log.info("channel %s deleted: cleared %s", channel.id, [e.setting for e in update.changes])


def _guild_id(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:  # interaction_check already refused this
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def _moved_to_dm(moved: int, tr: Speaker) -> str:
    if not moved:
        return ""
    return " " + tr.plural(
        moved,
        "Moved to DM: the stretch reminders of {count} member from this server's channel; each "
        "is told with their next reminder.",
        "Moved to DM: the stretch reminders of {count} members from this server's channel; each "
        "is told with their next reminder.",
    )


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(ConfigCog(bot))
