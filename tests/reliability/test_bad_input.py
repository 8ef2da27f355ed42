"""Bad input against every command and option, forged and stale buttons, other people's buttons and
channels from another server: each gets an ephemeral error or a correct answer, never an apology
(which would mean an unexpected exception), never a ping, and an error changes no data.

One bot serves the whole module (starting one takes a second or two); each case snapshots the data
before and after. Hypothesis drives the string options beyond the fixed corpus.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.interactions
from bot.client import RlsBot
from bot.clock import FakeClock
from bot.db.reminders import ScheduleSpec
from bot.emulator import DiscordEmulator, EmuChannel, EmuGuild, EmuUser
from bot.emulator.interactions import EmuInteraction
from bot.emulator.permissions import Permissions
from bot.emulator.state import EmuMessage
from bot.emulator.testing import running_client
from tests.e2e.conftest import TOKEN, bot_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

NOW = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # Monday 17:30 in Berlin
APOLOGY = "Sorry, something went wrong"
HUGE = "x" * 6000
EPHEMERAL = 64
MODERATOR = int(Permissions.default_member | Permissions.MANAGE_GUILD)
ROLE_ID = 123456789012345678

STRINGS = [
    "",
    "   ",
    HUGE,
    "\u202egnp.exe\u202c",  # right-to-left override
    "مرحبا بالعالم",  # right-to-left script
    "a\u200bb\u200c\u200dc\ufeff",  # zero-width characters
    "😀🦵🛌🏽👩‍👩‍👧",
    "@everyone",
    "@here hello",
    f"<@&{ROLE_ID}>",
    "<@123456789012345678> <@!1>",
    "**bold** __u__ ||spoiler|| `x` ```y``` [link](https://example.com)",
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "%s %d {0} {} \\x00",
    "\x00\x01\x7f",
    "25:99",
    "Europe/Berlin",
    "2026-02-30",
]
INTEGERS = [0, -1, 2**53 - 1, -(2**53) + 1]
# Number options (a lab value): Discord's client enforces min/max, a forged request need not. (Text
# such as "abc" never arrives: Discord's API refuses a string for a NUMBER option.)
NUMBERS = [0, -1, 0.5, 150, 99999, 1e308]
# Valid values for required options, so one bad option at a time reaches the command.
VALID = {
    "zone": "Europe/Berlin",
    "timezone": "Europe/Berlin",
    "query": "massage",
    "bed": "23:00",
    "wake": "7:00",
    "night": "today",
    "ferritin": 45,
    "date": "today",
    "name": "Iron",
    "times": "08:00",
}
# Commands whose correct answer is meant for the channel (not ephemeral) when asked that way.
PUBLIC_BY_DESIGN = {"rls tip"}
# Text a reply may carry when refusing someone else's buttons (sent before any error handler).
REFUSALS = ("belong to someone else", "belongs to someone else")


@dataclass
class Target:
    command: str
    option: str
    kind: discord.AppCommandOptionType
    required: dict[str, Any]
    guild_only: bool
    autocomplete: bool


@dataclass
class Ctx:
    emu: DiscordEmulator
    bot: RlsBot
    clock: FakeClock
    guild: EmuGuild
    other_guild: EmuGuild
    alice: EmuUser
    bob: EmuUser
    targets: list[Target]
    errors: dict[int, str] = field(default_factory=dict)  # interaction id -> message shown
    problems: list[str] = field(default_factory=list)


def targets_of(tree: app_commands.CommandTree[Any], valid: dict[str, Any]) -> list[Target]:
    found = []
    for command in tree.walk_commands():
        if not isinstance(command, app_commands.Command):
            continue
        root = command.root_parent or command
        guild_only = bool(root.guild_only)
        required = {p.name: valid[p.name] for p in command.parameters if p.required}
        for parameter in command.parameters:
            found.append(
                Target(
                    command.qualified_name,
                    parameter.name,
                    parameter.type,
                    required,
                    guild_only,
                    parameter.autocomplete,
                )
            )
    return found


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ctx(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Ctx]:
    path: Path = tmp_path_factory.mktemp("bad-input")
    async with DiscordEmulator(validate=True) as emu:
        clock = FakeClock(NOW)
        client = RlsBot(bot_settings(emu, path), clock=clock)
        async with running_client(emu, client, token=TOKEN) as running:
            await running.tree.sync()
            guild = emu.add_guild("RLS Friends", channels=["general", "reminders"])
            other = emu.add_guild("Elsewhere", channels=["lobby"])
            alice, bob = emu.add_user("alice"), emu.add_user("bob")
            valid = {**VALID, "channel": guild.channels[1]}
            context = Ctx(
                emu, running, clock, guild, other, alice, bob, targets_of(running.tree, valid)
            )
            # Only the commands under test write: no ticks, no background sends.
            running.scheduler.pause()
            await running.engine.stop_sender()
            original = bot.interactions._answer

            async def recording(interaction: discord.Interaction[Any], message: str) -> None:
                context.errors[interaction.id] = message
                await original(interaction, message)

            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(bot.interactions, "_answer", recording)
                await seed(context)
                yield context
        assert emu.violations == []
        assert emu.internal_errors == []


async def seed(ctx: Ctx) -> None:
    """Some data for the inputs to (not) change: profiles, a reminder each, a logged night."""
    bot_ = ctx.bot
    for user in (ctx.alice, ctx.bob):
        await bot_.engine.change_zone(user.id, "Europe/Berlin")
        await bot_.engine.subscribe(
            ScheduleSpec(user.id, "stretch", time(17, 30), 127, "Europe/Berlin")
        )
    await bot_.repos.guild_settings.set_reminder_channel(
        ctx.guild.id, ctx.guild.channels[1].id, ctx.clock.now()
    )
    await answer(ctx, ctx.alice, "sleep log", {"bed": "23:00", "wake": "7:00", "severity": 3})


async def fingerprint(ctx: Ctx) -> int:
    """Rows written so far. The bot has one SQLite connection and nothing else writes here (the
    sender and the tick are stopped), so a change means the command under test wrote."""
    async with (
        ctx.bot.db.connection() as conn,
        conn.execute("SELECT total_changes()") as cursor,
    ):
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def bodies_of(emu: DiscordEmulator, start: int) -> list[dict[str, Any]]:
    """Message bodies the bot sent since request `start` (callbacks, follow-ups, edits, posts)."""
    found = []
    for record in emu.requests[start:]:
        body = record.json
        if not isinstance(body, dict):
            continue
        if record.route_template and record.route_template.endswith("/callback"):
            body = body.get("data") if isinstance(body.get("data"), dict) else None
            if body is None or "choices" in body or "title" in body:
                continue  # autocomplete choices and modals carry no mentions
        if record.method in ("POST", "PATCH") and (
            "content" in body or "embeds" in body or "components" in body
        ):
            found.append(body)
    return found


def mention_problems(emu: DiscordEmulator, start: int, first_message: int) -> list[str]:
    problems = []
    for body in bodies_of(emu, start):
        rules = body.get("allowed_mentions")
        if not isinstance(rules, dict) or rules.get("parse") or rules.get("roles"):
            problems.append(f"allowed_mentions {rules!r}")
        elif rules.get("users") or rules.get("replied_user"):
            problems.append(f"may ping users: {rules!r}")
    for message in list(emu.world.messages.values())[first_message:]:
        if message.pings_everyone or message.pinged_role_ids or message.pinged_user_ids:
            problems.append(f"message {message.id} pings")
    return problems


@dataclass
class Outcome:
    messages: list[Any]  # the callback, then any follow-ups
    error: str | None
    changed: bool
    problems: list[str]

    @property
    def text(self) -> str:
        parts = []
        for m in self.messages:
            parts.append(getattr(m, "content", "") or "")
            parts += [str(e.get("description") or "") for e in getattr(m, "embeds", [])]
        return "\n".join(parts)


async def settle(interaction: EmuInteraction) -> list[Any]:
    callback = await interaction.response(timeout=10)
    answers: list[Any] = [callback]
    if callback.type == 5:  # deferred: the answer is a follow-up
        answers.append(await interaction.followup(timeout=10))
    return answers


async def after_commands() -> None:
    """Let what the bot does after a command's reply finish (pause notices, noting the person's
    language), so it is not counted against the next command."""
    pending = [
        task
        for task in asyncio.all_tasks()
        if task.get_name() == "discord.py: on_app_command_completion"
    ]
    await asyncio.gather(*pending)


async def observe(ctx: Ctx, action: Any) -> Outcome:
    emu = ctx.emu
    start, first_message = len(emu.requests), len(emu.world.messages)
    await after_commands()
    before = await fingerprint(ctx)
    interaction: EmuInteraction = await action
    messages = await settle(interaction)
    after = await fingerprint(ctx)
    error = ctx.errors.get(interaction.id)
    text = "\n".join(getattr(m, "content", "") or "" for m in messages)
    if error is None and any(refusal in text for refusal in REFUSALS):
        error = text
    return Outcome(messages, error, before != after, mention_problems(emu, start, first_message))


async def answer(
    ctx: Ctx,
    user: EmuUser,
    command: str,
    options: dict[str, Any],
    *,
    guild: EmuGuild | None = None,
    channel: EmuChannel | None = None,
    permissions: int = MODERATOR,
) -> Outcome:
    # Sent even where the command is not registered (/config in a DM), as an outdated client
    # would: the bot must still answer sensibly.
    return await observe(
        ctx,
        ctx.emu.slash(
            user,
            command,
            options,
            guild=guild,
            channel=channel,
            permissions=permissions,
            stale_client=True,
        ),
    )


def judge(ctx: Ctx, what: str, outcome: Outcome, *, public_ok: bool = False) -> None:
    """Record what is wrong with one outcome (all problems are reported together at the end)."""
    problems = [f"{what}: {p}" for p in outcome.problems]
    first = outcome.messages[0]
    if APOLOGY in outcome.text:
        problems.append(f"{what}: apology (unexpected exception): {outcome.text[:200]!r}")
    elif outcome.error is not None:
        if outcome.changed:
            problems.append(f"{what}: error {outcome.error[:80]!r} but data changed")
        if not all(getattr(m, "ephemeral", True) for m in outcome.messages):
            problems.append(f"{what}: error shown publicly")
    elif first.type in (4, 5) and not first.ephemeral and not public_ok:
        problems.append(f"{what}: answer is not ephemeral")
    ctx.problems += problems


def options_for(target: Target, value: Any) -> dict[str, Any]:
    return {**target.required, target.option: value}


def where(ctx: Ctx, target: Target) -> dict[str, Any]:
    if target.guild_only:
        return {"guild": ctx.guild, "channel": ctx.guild.channels[0]}
    return {}


async def try_value(ctx: Ctx, target: Target, value: Any, *, label: str) -> None:
    outcome = await answer(
        ctx, ctx.alice, target.command, options_for(target, value), **where(ctx, target)
    )
    public_ok = target.command in PUBLIC_BY_DESIGN and outcome.error is None
    judge(ctx, f"/{target.command} {target.option}={label}", outcome, public_ok=public_ok)


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def report(ctx: Ctx) -> None:
    problems, ctx.problems = ctx.problems, []
    assert problems == [], "\n".join(problems)


# -- the fixed corpus ---------------------------------------------------------------------------


async def test_every_string_and_integer_option(ctx: Ctx) -> None:
    strings = ints = 0
    for target in ctx.targets:
        if target.kind == discord.AppCommandOptionType.string:
            values: list[Any] = STRINGS
            strings += 1
        elif target.kind == discord.AppCommandOptionType.integer:
            values = INTEGERS
            ints += 1
        elif target.kind == discord.AppCommandOptionType.number:
            values = NUMBERS
        else:
            continue
        for value in values:
            await try_value(ctx, target, value, label=short(value))
    assert strings >= 15 and ints >= 5  # the walk found the options
    report(ctx)


async def test_choices_and_channels_from_elsewhere(ctx: Ctx) -> None:
    """Values Discord's client would never offer: an unknown choice, a channel of another server."""
    for target in ctx.targets:
        if target.kind == discord.AppCommandOptionType.channel:
            for label, value in (
                ("other-server", ctx.other_guild.channels[0]),
                ("this-server", ctx.guild.channels[1]),
            ):
                await try_value(ctx, target, value, label=label)
    # Not a choice: discord.py passes it through and the default (DM) applies.
    outcome = await answer(ctx, ctx.alice, "stretch remind", {"where": "moon"})
    judge(ctx, "/stretch remind where=moon", outcome)
    assert outcome.error is not None or "by DM" in outcome.text
    report(ctx)


async def test_every_command_in_a_dm_and_in_a_server(ctx: Ctx) -> None:
    commands = {t.command: t for t in ctx.targets}
    for command in ctx.bot.tree.walk_commands():
        if not isinstance(command, app_commands.Command):
            continue
        name = command.qualified_name
        required = commands[name].required if name in commands else {}
        places: list[tuple[str, dict[str, Any], int]] = [
            ("dm", {}, int(Permissions.default_member)),
            ("server, member", {"guild": ctx.guild}, int(Permissions.default_member)),
        ]
        if (name in commands and commands[name].guild_only) or name.startswith("config"):
            places.append(("server, moderator", {"guild": ctx.guild}, MODERATOR))
        for label, place, permissions in places:
            outcome = await answer(
                ctx, ctx.bob, name, dict(required), permissions=permissions, **place
            )
            judge(ctx, f"/{name} ({label})", outcome, public_ok=name in PUBLIC_BY_DESIGN)
    report(ctx)


async def test_autocomplete_copes_with_anything(ctx: Ctx) -> None:
    for target in ctx.targets:
        if not target.autocomplete:
            continue
        for value in STRINGS:
            options = {k: v for k, v in target.required.items() if k != target.option}
            choices = await ctx.emu.autocomplete(
                ctx.alice,
                target.command,
                {**options, target.option: value},
                focused=target.option,
                **where(ctx, target),
            )
            if len(choices) > 25 or any(len(c["name"]) > 100 for c in choices):
                ctx.problems.append(f"{target.command} {target.option}: {len(choices)} choices")
    report(ctx)


# -- hypothesis over the string options -----------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(
        categories=("L", "M", "N", "P", "S", "Zs", "Cf"),  # Cf: RTL marks, zero-width joiners
        exclude_characters="\x00",
    ),
    max_size=120,
) | st.sampled_from(["@everyone", f"<@&{ROLE_ID}>", "'; DROP TABLE users; --", HUGE])


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), text=TEXT)
async def test_generated_strings(ctx: Ctx, data: st.DataObject, text: str) -> None:
    strings = [t for t in ctx.targets if t.kind == discord.AppCommandOptionType.string]
    target = data.draw(st.sampled_from(strings), label="option")
    await try_value(ctx, target, text, label=short(text))
    report(ctx)


# -- forged, stale and other people's components -------------------------------------------------


def fake_message(
    ctx: Ctx, custom_id: str, *, values: list[str] | None = None, channel: EmuChannel | None = None
) -> EmuMessage:
    """A message "from the bot" carrying one component with a forged custom_id."""
    where = channel or ctx.emu.world.dm_channel(ctx.alice)
    if values is None:
        component: dict[str, Any] = {"type": 2, "style": 1, "label": "x", "custom_id": custom_id}
    else:
        options = [{"label": v or "-", "value": v} for v in values]
        component = {"type": 3, "custom_id": custom_id, "options": options}
    message = EmuMessage(
        id=ctx.emu.world.ids.next(),
        channel_id=where.id,
        author_id=ctx.emu.bot_user_id,
        components=[{"type": 1, "components": [component]}],
        guild_id=where.guild_id,
    )
    ctx.emu.world.messages[message.id] = message
    return message


async def click(
    ctx: Ctx, user: EmuUser, message: Any, custom_id: str, values: list[str] | None = None
) -> Outcome:
    if values is None:
        return await observe(ctx, ctx.emu.click(user, message, custom_id))
    return await observe(ctx, ctx.emu.select(user, message, custom_id, values))


async def bobs_delivery(ctx: Ctx) -> int:
    schedule = await ctx.bot.repos.reminders.get_schedule(ctx.bob.id, "stretch")
    assert schedule is not None
    delivery = await ctx.bot.repos.reminders.add_delivery(
        schedule, NOW - timedelta(days=1), "scheduled", NOW
    )
    assert delivery is not None
    return delivery.id


async def test_forged_and_stale_custom_ids_are_answered(ctx: Ctx) -> None:
    a, b = ctx.alice.id, ctx.bob.id
    bobs = await bobs_delivery(ctx)
    huge = "9" * 20
    cases: list[tuple[str, list[str] | None, str | None]] = [
        # (custom_id, select values, a phrase the answer must contain; None: a correct answer)
        (f"rls:stretch:done:{huge}:{a}", None, "no longer exists"),
        (f"rls:stretch:done:{bobs}:{a}", None, "no longer exists"),  # Bob's, claimed as Alice's
        (f"rls:stretch:snooze:{bobs}:{a}", None, "no longer exists"),
        (f"rls:stretch:snooze:{bobs}:{b}", None, "someone else"),
        (f"rls:stretch:stop:{huge}:{b}", None, "someone else"),
        (f"rls:stretch:done:0:{huge}", None, "someone else"),
        (f"rls:meds:taken:{huge}:{a}", None, "no longer exists"),
        (f"rls:meds:taken:{bobs}:{a}", None, "no longer exists"),  # Bob's stretch, as Alice's
        (f"rls:meds:skipped:{bobs}:{b}", None, "someone else"),
        (f"rls:meds:snooze:{bobs}:{a}", None, "no longer exists"),
        (f"rls:meds:then:{bobs}:{a}", None, "no longer exists"),  # the when-taken question's
        (f"rls:meds:now:{bobs}:{b}", None, "someone else"),
        (f"rls:tip:more:*:{b}", None, "someone else"),
        (f"rls:tip:more:no-such-topic:{a}", None, "out of date"),
        (f"rls:tip:more:{'a' * 64}:0", None, "out of date"),
        ("rls:tip:rel:no-such-tip:0", ["symptoms-urge-to-move"], "no longer in the tip list"),
        (f"rls:tip:rel:symptoms-urge-to-move:{a}", ["no-such"], "no longer in the tip list"),
        (f"rls:tip:rel:symptoms-urge-to-move:{a}", [""], "no longer in the tip list"),
        (f"rls:tip:open:{a}", ["no-such"], "no longer in the tip list"),
        (f"rls:tip:open:{b}", ["symptoms-urge-to-move"], "someone else"),
        (f"rls:sleep:log:{a}:20261399", None, "broken"),
        (f"rls:sleep:log:{a}:20990101", None, None),
        (f"rls:sleep:log:{a}:00010101", None, None),
        (f"rls:sleep:log:{b}:20260302", None, "someone else"),
        (f"rls:sleep:log:{huge}:20260302", None, "someone else"),
    ]
    for custom_id, values, expected in cases:
        outcome = await click(
            ctx, ctx.alice, fake_message(ctx, custom_id, values=values), custom_id, values
        )
        judge(ctx, f"click {custom_id}", outcome)
        if expected is not None and expected not in outcome.text:
            ctx.problems.append(f"click {custom_id}: expected {expected!r}, got {outcome.text!r}")
        if expected is None and outcome.error is None and outcome.messages[0].type != 9:
            ctx.problems.append(f"click {custom_id}: expected an error or the check-in")
    report(ctx)


async def test_custom_ids_nobody_handles_change_nothing(ctx: Ctx) -> None:
    """Buttons of short-lived views (confirmations, the check-in) die with the process or their
    timeout; a click on one, or a made-up id, gets an ephemeral "these buttons have expired"
    instead of Discord's "This interaction failed". None of them may change data."""
    a = ctx.alice.id
    for custom_id in (
        f"rls:mydata:delete:{a}",
        f"rls:sleep:delete:{a}:20260302",
        f"rls:sleep:replace:{a}:20260302",
        f"rls:sleep:ci:save:{a}:20260302",
        "rls:",
        "rls:stretch:done::",
        "x" * 100,
    ):
        before = await fingerprint(ctx)
        pressed = await ctx.emu.click(ctx.alice, fake_message(ctx, custom_id), custom_id)
        reply = await pressed.response()
        assert reply.ephemeral and "expired" in reply.content, custom_id
        assert await fingerprint(ctx) == before, custom_id
    report(ctx)


async def test_other_peoples_buttons(ctx: Ctx) -> None:
    # Alice asks to delete all her data; Bob presses her confirmation (a public one in a server).
    ask = await answer(ctx, ctx.alice, "mydata delete", {})
    confirm = ask.messages[0]
    delete_id = next(
        c["custom_id"] for row in confirm.components for c in row["components"] if c["style"] == 4
    )
    outcome = await click(ctx, ctx.bob, confirm, delete_id)
    judge(ctx, "Bob presses Alice's delete", outcome)
    assert not outcome.changed and "someone else" in outcome.text
    # Alice's stop confirmation, pressed by Bob.
    ask = await answer(ctx, ctx.alice, "stretch stop", {})
    stop_id = next(c["custom_id"] for row in ask.messages[0].components for c in row["components"])
    outcome = await click(ctx, ctx.bob, ask.messages[0], stop_id)
    assert not outcome.changed and "someone else" in outcome.text
    # A public tip in a server: anyone may press "Another tip", and gets a private tip.
    tip = await answer(ctx, ctx.alice, "rls tip", {}, guild=ctx.guild)
    assert not tip.messages[0].ephemeral
    more = next(c["custom_id"] for row in tip.messages[0].components for c in row["components"])
    outcome = await click(ctx, ctx.bob, tip.messages[0], more)
    judge(ctx, "Bob presses Another tip on Alice's public tip", outcome)
    assert outcome.messages[0].ephemeral and outcome.error is None
    # Still all there.
    assert await ctx.bot.repos.reminders.get_schedule(ctx.alice.id, "stretch") is not None
    assert await ctx.bot.repos.diary.recent_nights(ctx.alice.id, 5)
    report(ctx)
