"""Every click and form gets an answer, never Discord's "This interaction failed" (issue 15).

Nothing of the bot's may be left to answer them: a button pressed while its message was being
changed, a view from an earlier run, a form sent after a restart. Answered through discord.py's
public API only (bot/interactions.py, answer_unclaimed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from bot.settings import Settings
from tests.e2e.conftest import bot_process, bot_settings
from tests.e2e.stretch_steps import DUE, buttons, deliver_due, subscribe


async def test_done_then_snooze_before_the_edit_arrives(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    dm = await emu.wait_for_dm(alice)
    ids = buttons(dm)
    done = await (await emu.click(alice, dm, ids["Done"])).response()
    assert done.type == 7 and done.components == []
    # The second tap left before Done's edit reached the screen: the message as Discord has it
    # no longer carries Snooze, so discord.py finds nothing to run.
    snooze = await (await emu.click(alice, dm, ids["Snooze 15 min"], stale=True)).response()
    assert snooze.ephemeral and "isn't on the message any more" in snooze.content
    delivery_id = int(ids["Done"].split(":")[3])
    delivery = await bot.repos.reminders.get_delivery(delivery_id)
    assert delivery is not None and delivery.done_at is not None
    # No snoozed copy was queued.
    await deliver_due(bot, clock, DUE + timedelta(minutes=16))
    await bot.engine.drain()
    posts = [m.id for m in emu.messages_in(dm.channel_id) if m.kind == "channel"]
    assert posts == [dm.id]


@asynccontextmanager
async def check_in_opened_in_a_first_run(
    emu: DiscordEmulator, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[EmuUser, Settings, Any]]:
    """A first bot process in which Alice, in Berlin, has just opened /sleep checkin: Alice, the
    settings a restarted process runs with (the same database), and her opened command."""
    alice = emu.add_user("alice")
    settings = bot_settings(emu, tmp_path)
    async with bot_process(emu, settings, clock) as first:
        await first.repos.users.set_timezone(alice.id, "Europe/Berlin", clock.now())
        yield alice, settings, await emu.slash(alice, "sleep checkin")


async def test_a_form_sent_after_a_restart_is_answered_with_what_was_typed(
    emu: DiscordEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    async with check_in_opened_in_a_first_run(emu, tmp_path, clock) as (alice, settings, opened):
        await opened.response()
    # The form was open while the bot restarted: the new process has no such form.
    async with bot_process(emu, settings, clock) as second:
        sent = await emu.submit_modal(alice, opened, {"bed": "23:10", "wake": "6:50"})
        reply = await sent.response()
        assert reply.ephemeral and "expired" in reply.content
        assert "23:10" in reply.content and "6:50" in reply.content
        assert await second.repos.diary.recent_nights(alice.id, 5) == []


async def test_a_page_of_a_check_in_from_a_previous_run(
    emu: DiscordEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    async with check_in_opened_in_a_first_run(emu, tmp_path, clock) as (alice, settings, opened):
        page = await (
            await emu.submit_modal(alice, opened, {"bed": "23:00", "wake": "7:00"})
        ).response()
    async with bot_process(emu, settings, clock):
        save = f"rls:sleep:ci:save:{alice.id}:20260302"
        reply = await (await emu.click(alice, page, save)).response()
        assert reply.ephemeral and "expired" in reply.content
