"""Own tags in any script (issue 22): "müde", "Müde" and a decomposed "mu\u0308de" are one tag;
letters of any script, digits, spaces, hyphens and underscores are allowed, still bounded in
length and count; anything else is refused with nothing kept."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.sleep.entry import KNOWN_TAGS
from bot.sleep.form import MAX_CUSTOM_TAGS, as_known_tag, parse_tags


def test_german_and_other_scripts_are_tags() -> None:
    assert parse_tags(set(), "müde") == {"müde"}
    assert parse_tags(set(), "Müde, MÜDE, mu\u0308de") == {"müde"}
    assert parse_tags(set(), "Wärmflasche, Fußbad") == {"wärmflasche", "fußbad"}
    assert parse_tags(set(), "усталость") == {"усталость"}
    assert parse_tags(set(), "नींद") == {"नींद"}  # a vowel sign (a combining mark) after a letter
    assert parse_tags(set(), "warm_bath-2") == {"warm_bath-2"}


@pytest.mark.parametrize("typed", ["müde!", "bad😀", "-müde", "x" * 25, "a;b", "tag\u200b"])
def test_other_characters_and_overlong_tags_are_refused(typed: str) -> None:
    with pytest.raises(UserError):
        parse_tags(set(), typed)


def test_the_count_is_still_bounded() -> None:
    with pytest.raises(UserError):
        parse_tags(set(), "äpfel, birnen, kälte, wärme")


LETTER = st.characters(categories=["Ll", "Lu", "Lo"])
WORD = st.text(LETTER, min_size=1, max_size=24).filter(
    lambda w: (
        unicodedata.normalize("NFC", w).lower() not in KNOWN_TAGS
        and len(unicodedata.normalize("NFC", w).lower()) <= 24
        and unicodedata.normalize("NFC", w).lower().isalpha()
    )
)


@given(st.lists(WORD, min_size=1, max_size=MAX_CUSTOM_TAGS))
def test_any_words_of_letters_are_kept_normalised(words: list[str]) -> None:
    try:
        tags = parse_tags(set(), ", ".join(words))
    except UserError as error:  # a word that looks like a known tag is pointed to it instead
        assert "did you mean" in error.text
        return
    # A word that names a usual tag ("Medikament", "Kaffee") counts as that tag.
    expected = {as_known_tag(unicodedata.normalize("NFC", w).lower()) for w in words}
    assert tags == expected
    assert all(unicodedata.is_normalized("NFC", t) and t == t.lower() for t in tags)
    # The same words in other casing and decomposed are the same tags.
    variants = ", ".join(
        unicodedata.normalize("NFD", w.upper() if w.upper().lower() == w.lower() else w)
        for w in words
    )
    try:
        assert parse_tags(set(), variants) == tags
    except UserError as error:
        assert "did you mean" in error.text
