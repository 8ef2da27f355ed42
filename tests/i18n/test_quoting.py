"""What a person typed, quoted back: “…” in English, „…“ in German (the shared Quoted value),
in the time, zone and medicine errors that quote it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clinical.meds import find_medicine
from bot.errors import UserError
from bot.i18n import speaker
from bot.i18n.speech import Quoted, Speaker
from bot.scheduling.parsing import parse_time
from bot.scheduling.zones import resolve_zone

EN, DE = speaker("en"), speaker("de")


def said(error: UserError, tr: Speaker) -> str:
    return tr(error.text, **error.params)


@given(st.text(min_size=1, max_size=30))
def test_quoted_is_english_or_german(text: str) -> None:
    assert Quoted(text).said_by(EN) == f"“{text}”" == str(Quoted(text))
    assert Quoted(text).said_by(DE) == f"„{text}“"


def test_a_list_is_quoted_each() -> None:
    assert Quoted("Eisen", "Ropinirol").said_by(DE) == "„Eisen“, „Ropinirol“"


@pytest.mark.parametrize("typed", ["25:99", "halb acht"])
def test_a_time_error_quotes_the_german_way(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_time(typed)
    assert f"“{typed}”" in said(caught.value, EN)
    german = said(caught.value, DE)
    assert f"„{typed}“" in german and "”" not in german


def test_a_zone_error_quotes_the_german_way() -> None:
    with pytest.raises(UserError) as caught:
        resolve_zone("CET")
    assert "“CET”" in said(caught.value, EN)
    assert "„CET“" in said(caught.value, DE)


def test_the_medicine_list_in_an_error_quotes_the_german_way() -> None:
    with pytest.raises(UserError) as caught:
        find_medicine("Magnesium", ["Eisen", "Ropinirol"])
    assert "(“Eisen”, “Ropinirol”)" in said(caught.value, EN)
    german = said(caught.value, DE)
    assert "„Magnesium“" in german and "(„Eisen“, „Ropinirol“)" in german
