"""A test-only cog with one of each thing the console must handle, independent of the features.

Each command answers with what it received, so a test can see exactly what the console sent.
"""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

FRUITS = ["apple", "apricot", "banana", "blackberry", "cherry"]


class EchoModal(discord.ui.Modal, title="Tell me more"):
    name: discord.ui.TextInput[EchoModal] = discord.ui.TextInput(label="Your name", max_length=20)
    note: discord.ui.TextInput[EchoModal] = discord.ui.TextInput(
        label="A note",
        style=discord.TextStyle.paragraph,
        required=False,
        default="all good",
    )

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        await interaction.response.send_message(
            f"form: name={self.name.value} note={self.note.value}", ephemeral=True
        )


class PickView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.add_item(discord.ui.Button(label="Docs", url="https://example.org/docs"))

    @discord.ui.select(
        placeholder="Choose fruit",
        min_values=1,
        max_values=2,
        options=[discord.SelectOption(label=f.title(), value=f) for f in FRUITS[:3]],
    )
    async def fruit(
        self, interaction: discord.Interaction[Any], select: discord.ui.Select[PickView]
    ) -> None:
        await interaction.response.send_message(f"picked {','.join(select.values)}")

    @discord.ui.button(label="Go")
    async def go(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.edit_message(content="went", view=None)

    @discord.ui.button(label="Quietly")
    async def quietly(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.defer()

    @discord.ui.button(label="Form")
    async def form(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(EchoModal())


class Playground(commands.Cog):
    play = app_commands.Group(name="play", description="Nested commands")
    deep = app_commands.Group(name="deep", description="A sub-command group", parent=play)

    @app_commands.command(name="echo", description="Say it back")
    async def echo(
        self,
        interaction: discord.Interaction[Any],
        text: str,
        times: app_commands.Range[int, 1, 3] = 1,
        loud: bool = False,
        size: float | None = None,
    ) -> None:
        said = text.upper() if loud else text
        await interaction.response.send_message(
            f"echo: {said!r} x{times} size={size!r} in_dm={interaction.guild_id is None}",
            ephemeral=True,
        )

    @app_commands.command(name="fruit", description="Pick a fruit")
    async def fruit(self, interaction: discord.Interaction[Any], name: str) -> None:
        await interaction.response.send_message(f"fruit: {name}")

    @fruit.autocomplete("name")
    async def _fruits(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f"{f} ({len(f)})", value=f)
            for f in FRUITS
            if f.startswith(current)
        ]

    @app_commands.command(name="pick", description="Components")
    async def pick(self, interaction: discord.Interaction[Any], private: bool = False) -> None:
        await interaction.response.send_message("pick one", view=PickView(), ephemeral=private)

    @app_commands.command(name="slow", description="Defers, then follows up with a file")
    async def slow(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = discord.File(io.BytesIO(b"hello from the bot"), filename="hello.txt")
        await interaction.followup.send("your file", file=data, ephemeral=True)

    @app_commands.command(name="secret", description="Moderators only")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def secret(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("the secret", ephemeral=True)

    @app_commands.command(name="size", description="Choices")
    @app_commands.choices(
        shirt=[
            app_commands.Choice(name="Small", value="s"),
            app_commands.Choice(name="Large", value="l"),
        ]
    )
    async def size(
        self, interaction: discord.Interaction[Any], shirt: app_commands.Choice[str]
    ) -> None:
        await interaction.response.send_message(f"shirt: {shirt.value}", ephemeral=True)

    @deep.command(name="leaf", description="Users and channels")
    async def leaf(
        self,
        interaction: discord.Interaction[Any],
        who: discord.User,
        where: discord.TextChannel | None = None,
    ) -> None:
        channel = f"#{where.name}" if where is not None else "none"
        await interaction.response.send_message(f"leaf: {who.name} {channel}", ephemeral=True)
