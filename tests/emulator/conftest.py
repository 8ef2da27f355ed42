"""A minimal discord.py bot and fixtures for driving it through the emulator."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.emulator import DiscordEmulator, EmuGuild, EmuUser
from bot.emulator.testing import running_client
from tests.conftest import emulator_that_never_failed


class PingView(discord.ui.View):
    def __init__(self, bot: SampleBot) -> None:
        super().__init__(timeout=60)
        self.bot = bot

    @discord.ui.button(label="Again", custom_id="ping:again", style=discord.ButtonStyle.primary)
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.bot.events.append(("clicked", interaction.user.id))
        await interaction.response.send_message("pong again", ephemeral=True)

    @discord.ui.select(
        custom_id="ping:pick",
        options=[
            discord.SelectOption(label="Calm", value="calm"),
            discord.SelectOption(label="Restless", value="restless"),
        ],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        self.bot.events.append(("picked", select.values[0]))
        await interaction.response.edit_message(content=f"you picked {select.values[0]}")


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="What helped?", custom_id="feedback:text"
    )

    def __init__(self, bot: SampleBot) -> None:
        super().__init__()
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.bot.events.append(("feedback", self.text.value))
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class MoodModal(discord.ui.Modal, title="Tonight"):
    """The newer layout: a label (type 18) wrapping each input."""

    def __init__(self, bot: SampleBot) -> None:
        super().__init__()
        self.bot = bot
        self.mood: discord.ui.TextInput[MoodModal] = discord.ui.TextInput(custom_id="mood:text")
        self.legs: discord.ui.Select[MoodModal] = discord.ui.Select(
            custom_id="mood:legs",
            options=[discord.SelectOption(label=x, value=x) for x in ("calm", "restless")],
        )
        self.add_item(discord.ui.Label(text="How do you feel?", component=self.mood))
        self.add_item(discord.ui.Label(text="Legs", component=self.legs))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.bot.events.append(("mood", (self.mood.value, self.legs.values)))
        await interaction.response.send_message("noted", ephemeral=True)


class SampleBot(commands.Bot):
    def __init__(self, *, sync: bool = True) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(command_prefix="!", intents=intents, help_command=None)
        self.sync_on_setup = sync
        self.events: list[tuple[str, object]] = []
        self.errors: list[Exception] = []
        self._add_commands()

    async def setup_hook(self) -> None:
        if self.sync_on_setup:
            await self.tree.sync()

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command(name="ping", description="Check that the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="Pong", description="I am here.")
            await interaction.response.send_message(embed=embed, view=PingView(self))

        @tree.command(name="report", description="Export your log as a file")
        async def report(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            data = io.BytesIO(b"night,severity\n2026-01-01,3\n")
            await interaction.followup.send("here it is", file=discord.File(data, "report.csv"))

        @tree.command(name="remindme", description="Send me a test reminder by DM")
        async def remindme(interaction: discord.Interaction) -> None:
            try:
                await interaction.user.send("Time to stretch!", nonce="rls-1")
            except discord.Forbidden as exc:
                self.errors.append(exc)
                await interaction.response.send_message("I cannot DM you.", ephemeral=True)
                return
            await interaction.response.send_message("Sent you a DM.", ephemeral=True)

        @tree.command(name="feedback", description="Tell us what helped")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal(self))

        @tree.command(name="mood", description="Log how tonight feels")
        async def mood(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(MoodModal(self))

        @tree.command(name="announce", description="Post in this channel")
        async def announce(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            assert interaction.channel is not None
            channel = self.get_channel(interaction.channel.id)
            assert isinstance(channel, discord.TextChannel)
            await channel.send("Stretch break!", allowed_mentions=discord.AllowedMentions.none())
            await interaction.edit_original_response(content="posted")

        stretch = app_commands.Group(name="stretch", description="Stretch reminders")

        @stretch.command(name="remind", description="Remind me to stretch")
        @app_commands.describe(time="HH:MM", repeat="Every day?")
        async def remind(interaction: discord.Interaction, time: str, repeat: bool = False) -> None:
            await interaction.response.send_message(f"ok, {time} repeat={repeat}", ephemeral=True)

        @stretch.command(name="zone", description="Pick a timezone")
        async def zone(interaction: discord.Interaction, zone: str) -> None:
            await interaction.response.send_message(zone, ephemeral=True)

        @zone.autocomplete("zone")
        async def zone_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            zones = ["Europe/Berlin", "Europe/Paris", "America/New_York"]
            return [app_commands.Choice(name=z, value=z) for z in zones if current in z]

        tree.add_command(stretch)


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with emulator_that_never_failed(validate=True) as emulator:
        yield emulator


@pytest.fixture
def alice(emu: DiscordEmulator) -> EmuUser:
    return emu.add_user("alice")


@pytest.fixture
def guild(emu: DiscordEmulator) -> EmuGuild:
    return emu.add_guild("RLS Friends", channels=["general", "reminders"])


@pytest.fixture
async def bot(emu: DiscordEmulator, guild: EmuGuild) -> AsyncIterator[SampleBot]:
    async with running_client(emu, SampleBot()) as client:
        yield client
