"""Every reminder message that arrives late says how late, in the same words: the morning
check-in prompt and the lab retest said only "late: I was offline for a while", a wording of
their own beside the stretch and medicine reminders' "45 minutes late"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.discord_delivery import RenderedMessage
from bot.i18n import speaker
from bot.i18n.speech import Speaker
from bot.reminders.transport import Outgoing
from cogs.labs import render_retest
from cogs.sleep import render_prompt
from tests.reminders.test_target import NOW, delivery, schedule

Render = Callable[[Outgoing, Speaker], RenderedMessage]
RENDERERS = [
    pytest.param(render_prompt, id="morning prompt"),
    pytest.param(render_retest, id="retest"),
]


def notes(message: RenderedMessage) -> list[str]:
    assert message.embed is not None
    return [str(field.value) for field in message.embed.fields if field.name in {"Note", "Hinweis"}]


@pytest.mark.parametrize("render", RENDERERS)
def test_a_late_reminder_says_how_late(render: Render) -> None:
    row = schedule(42)
    late = Outgoing(delivery(row, NOW - timedelta(minutes=45)), row, 45 * 60, True)
    [note] = notes(render(late, speaker("en")))
    assert note == "Sorry, this is 45 minutes late: I was offline when it was due."
    [german] = notes(render(late, speaker("de")))
    assert "45 Minuten" in german


@pytest.mark.parametrize("render", RENDERERS)
def test_an_on_time_reminder_has_no_note(render: Render) -> None:
    row = schedule(42)
    assert notes(render(Outgoing(delivery(row), row, 0, False), speaker("en"))) == []
