"""German input to the sleep diary (issue 22): the tags and body regions a German-speaking person
types are read as the same stored values as the English ones, in any case, order and spacing;
every German label shown in a menu is itself a word the parser reads back; region autocomplete
offers German words that parse."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clinical.nights import NONE_WORD, REGIONS, parse_regions, region_suggestions
from bot.i18n import speaker
from bot.sleep.entry import KNOWN_TAGS, tag_label
from bot.sleep.form import parse_tags, regions_answer
from cogs._sleep_checkin import REGION_LABELS

DE = speaker("de")
GERMAN_TAGS = {
    "Koffein": "caffeine",
    "Alkohol": "alcohol",
    "spätes Essen": "late_meal",
    "Sport": "exercise",
    "gedehnt": "stretched",
    "Massage": "massage",
    "Eisenpräparat": "iron",
    "Medikament genommen": "medication",
    "Stress": "stress",
}
GERMAN_REGIONS = {"Beine": "legs", "Arme": "arms", "Rumpf": "trunk", "anderswo": "other"}


def spelled(word: str) -> st.SearchStrategy[str]:
    """The word as someone may type it: any case per letter, spaces around and doubled inside."""
    cased = st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in word)).map("".join)
    pad = st.sampled_from(["", " ", "  "])
    return st.tuples(pad, cased, pad).map(lambda t: t[0] + t[1].replace(" ", " " * 1) + t[2])


def typed_list(names: dict[str, str]) -> st.SearchStrategy[tuple[str, set[str]]]:
    """Some of the German ``names``, comma-separated as typed, and the stored values they mean."""
    return st.lists(st.sampled_from(sorted(names)), min_size=1, unique=True).flatmap(
        lambda words: st.tuples(*(spelled(w) for w in words)).map(
            lambda typed: (",".join(typed), {names[w] for w in words})
        )
    )


@given(typed_list(GERMAN_TAGS))
def test_german_tag_names_become_the_known_tags(case: tuple[str, set[str]]) -> None:
    typed, tags = case
    assert parse_tags(set(), typed) == tags


def test_every_german_tag_label_reads_back_as_its_tag() -> None:
    for key in KNOWN_TAGS:
        label = tag_label(key, DE)
        assert label != KNOWN_TAGS[key] or label == "Massage"
        assert parse_tags(set(), label) == {key}


def test_a_german_typo_is_pointed_to_the_german_tag() -> None:
    try:
        parse_tags(set(), "Koffien")
    except Exception as error:  # UserError
        assert DE(error.text, **error.params).endswith(  # type: ignore[attr-defined]
            "Meintest du Koffein? Schreib es so, dann zählt es mit deinen anderen Nächten."
        )
    else:
        raise AssertionError("a typo of a known tag should be refused")


@given(typed_list(GERMAN_REGIONS))
def test_german_region_names_become_the_regions(case: tuple[str, set[str]]) -> None:
    typed, regions = case
    assert parse_regions(set(), typed) == regions


def test_keine_means_no_symptoms_anywhere() -> None:
    assert regions_answer(None, "keine") == frozenset()


WORDS = tuple(DE(label) for label in REGIONS.values())


@given(
    st.lists(st.sampled_from(WORDS), unique=True, max_size=3),
    st.sampled_from([*WORDS, "keine"]).flatmap(
        lambda w: st.integers(0, len(w)).map(lambda n: w[:n])
    ),
)
def test_every_german_region_suggestion_parses(named: list[str], fragment: str) -> None:
    current = ", ".join([*named, fragment]) if named else fragment
    suggestions = region_suggestions(current, words=WORDS, none_word=DE(NONE_WORD))
    for suggestion in suggestions:
        regions_answer(None, suggestion)  # raises if a suggestion could not be read
    if fragment and not named:
        assert suggestions, current


def test_region_suggestions_complete_german_words() -> None:
    assert region_suggestions("beine, a", words=WORDS, none_word="keine") == [
        "beine, arme",
        "beine, anderswo",
    ]
    assert region_suggestions("k", words=WORDS, none_word="keine") == ["keine"]


@pytest.mark.parametrize("locale", ["en-US", "de"])
@pytest.mark.parametrize("region", list(REGIONS))
def test_every_word_of_a_region_label_reads_back_as_its_region(locale: str, region: str) -> None:
    # The menu shows "Trunk (back, belly, chest)": typing "belly" in /sleep log was refused.
    label = speaker(locale)(REGION_LABELS[region])
    words = [w.strip() for w in re.split(r"[(),]|\band\b|\bund\b", label) if w.strip()]
    assert words
    for word in words:
        assert parse_regions(set(), word) == {region}, word


def test_regions_typed_with_and_between_them() -> None:
    assert parse_regions(set(), "legs and arms") == {"legs", "arms"}
    assert parse_regions(set(), "Beine und Bauch") == {"legs", "trunk"}
    assert parse_regions(set(), "legs & back") == {"legs", "trunk"}
