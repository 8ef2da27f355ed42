"""Values inside a message that are said in the reader's language when it is shown: a date
(`Day`), a weekday and clock time (`Moment`), a whole message with its own values (`Phrase`).
English reads exactly as before the messages were translated."""

from __future__ import annotations

from datetime import date, datetime

from bot.errors import UserError
from bot.i18n import N_, speaker
from bot.i18n.speech import Day, Moment, Phrase

EN, DE = speaker("en-US"), speaker("de")


def test_a_date_in_an_error_is_english_in_english_and_german_in_german() -> None:
    error = UserError(
        N_("You haven't logged the night ending {night}."),
        night=Day(date(2026, 3, 3), "full", "%a %d %b %Y"),
    )
    assert error.message == "You haven't logged the night ending Tue 03 Mar 2026."
    assert EN(error.text, **error.params) == error.message
    assert (
        DE(error.text, **error.params)
        == "Die Nacht bis Dienstag, 3. März 2026 hast du nicht eingetragen."
    )


def test_a_moment_and_a_phrase_inside_another_message() -> None:
    at = Moment(datetime(2026, 3, 3, 6, 30))
    assert str(at) == "Tue 06:30" and DE("{at}", at=at) == "Di. 06:30"
    inner = Phrase(N_("{given} isn't a valid time: minutes go up to 59."), given="“7:75”")
    error = UserError(N_("{what}: {problem}"), what="Final wake", problem=inner)
    assert error.message == "Final wake: “7:75” isn't a valid time: minutes go up to 59."
    assert DE(error.text, **error.params).endswith(
        "ist keine gültige Uhrzeit: Minuten gehen bis 59."
    )
