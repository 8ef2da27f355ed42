"""German tips and routines: they parse, match the English ids, cite sources (the English ones plus
a German one), carry the German notice and safety cues, and anything untranslated falls back to
English, tip by tip."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bot.i18n import ENGLISH, GERMAN
from bot.i18n.content import (
    TranslationError,
    localized_catalog,
    localized_routines,
    localized_tip,
    read_routines_translation,
    read_tips_translation,
    routine_safety_line,
    routines_path,
    tip_notice,
    tips_path,
)
from bot.routines import SAFETY_LINE, load_routines, render_steps
from bot.tips import NOTICE, load_catalog, normalise, search
from cogs.tips import ORIGIN_SOURCE, ORIGIN_SOURCE_DE

ENGLISH_TIPS = load_catalog()
ENGLISH_ROUTINES = load_routines()
GERMAN_TIPS = read_tips_translation(tips_path(GERMAN), GERMAN, ENGLISH_TIPS)
GERMAN_ROUTINES = read_routines_translation(routines_path(GERMAN), GERMAN, ENGLISH_ROUTINES)
# Sources written in German for German readers (the DGN guideline, the patients' association,
# the crisis line, the on-call doctors' service).
GERMAN_SOURCE_HOSTS = {
    "dgn.org",
    "www.restless-legs.org",
    "www.telefonseelsorge.de",
    "www.116117.de",
}
ORIGIN_SOURCES = {ORIGIN_SOURCE: ORIGIN_SOURCE_DE}
# The first slice translated these topics whole; the second slice translated every other tip.
FIRST_TOPICS = {"symptoms", "causes", "doctor"}


def test_the_german_files_parse_and_name_english_ids() -> None:
    english_ids = {tip.id for tip in ENGLISH_TIPS.tips}
    assert {tip.id for tip in GERMAN_TIPS.tips} <= english_ids
    assert {r.id for r in GERMAN_ROUTINES.routines} == {r.id for r in ENGLISH_ROUTINES}
    assert {t.id for t in GERMAN_TIPS.topics} == {t.id for t in ENGLISH_TIPS.topics}


def test_the_first_topics_are_translated_whole() -> None:
    wanted = {tip.id for tip in ENGLISH_TIPS.tips if tip.topic in FIRST_TOPICS}
    assert wanted <= {tip.id for tip in GERMAN_TIPS.tips}


def test_every_tip_has_a_german_text() -> None:
    assert {tip.id for tip in GERMAN_TIPS.tips} == {tip.id for tip in ENGLISH_TIPS.tips}


def test_the_notice_is_the_german_not_medical_advice_line() -> None:
    assert GERMAN_TIPS.notice.startswith("Kein medizinischer Rat")
    assert "Ärztin oder deinen Arzt" in GERMAN_TIPS.notice
    assert tip_notice(GERMAN) == GERMAN_TIPS.notice
    assert tip_notice(ENGLISH) == NOTICE


@pytest.mark.parametrize("tip", GERMAN_TIPS.tips, ids=lambda tip: tip.id)
def test_each_german_tip_cites_the_english_sources_and_a_german_one(tip) -> None:
    english = ENGLISH_TIPS.get(tip.id)
    assert english is not None
    cited = {(s.name, s.url) for s in tip.sources}
    # A source's title is kept as published; the one source without a page is a description,
    # and a German reader reads it in German.
    english_cited = {(ORIGIN_SOURCES.get(s.name, s.name), s.url) for s in english.sources}
    assert english_cited <= cited
    assert ORIGIN_SOURCE not in {s.name for s in tip.sources}
    hosts = {urlparse(s.url).netloc for s in tip.sources if s.url}
    assert hosts & GERMAN_SOURCE_HOSTS, f"{tip.id}: no German source"
    # General information only: no doses.
    assert not re.search(r"\d\s*(mg|milligramm)\b", tip.body, re.IGNORECASE), tip.id


def test_the_get_help_now_tip_has_the_german_crisis_numbers() -> None:
    tip = localized_tip(ENGLISH_TIPS.get("doctor-feeling-hopeless"), GERMAN)  # type: ignore[arg-type]
    for number in ("0800 111 0 111", "0800 111 0 222", "112", "142", "143"):
        assert number in tip.body, number
    # Found by the words a German speaker in crisis types.
    assert search(localized_catalog(GERMAN), "will nicht mehr leben")[0].tip.id == tip.id


@pytest.mark.parametrize(("query", "expected"), [("eisn", "causes-iron"), ("wadn", "massage")])
def test_a_german_typo_finds_its_word_not_a_short_word_one_letter_off(
    query: str, expected: str
) -> None:
    # "eisn" (Eisen) is one slip from "ein", which nearly every German title has: the titles
    # beginning "Ein …" came first and the iron tips not at all.
    hits = search(localized_catalog(GERMAN), query)
    assert hits and hits[0].tip.id.startswith(expected), [h.tip.id for h in hits]
    first_word_ein = [h for h in hits if normalise(h.tip.title).split()[0] == "ein"]
    assert all(h.score < hits[0].score for h in first_word_ein)


def test_untranslated_tips_fall_back_to_english_one_by_one() -> None:
    german = localized_catalog(GERMAN)
    assert [t.id for t in german.tips] == [t.id for t in ENGLISH_TIPS.tips]
    translated = {t.id for t in GERMAN_TIPS.tips}
    for tip, original in zip(german.tips, ENGLISH_TIPS.tips, strict=True):
        assert (tip.title == original.title) == (tip.id not in translated), tip.id
        assert (tip.topic, tip.related) == (original.topic, original.related)
    assert german.topic("symptoms").name == "Beschwerden"
    assert german.tips_in("doctor")[0].title == "Wann du ärztlichen Rat suchen solltest"
    assert localized_catalog(ENGLISH) is load_catalog()
    assert localized_catalog("fr") is load_catalog()


def test_routines_keep_the_english_durations_and_order() -> None:
    german = localized_routines(GERMAN)
    assert [r.id for r in german] == [r.id for r in ENGLISH_ROUTINES]
    for routine, original in zip(german, ENGLISH_ROUTINES, strict=True):
        assert [s.seconds for s in routine.steps] == [s.seconds for s in original.steps]
        assert routine.title != original.title
        assert len(render_steps(routine)) <= 1024


def test_the_german_safety_line_has_every_cue() -> None:
    line = routine_safety_line(GERMAN).casefold()
    for cue in ("nie bis zum schmerz", "schwindlig", "nie eine wade", "thrombose", "noch heute"):
        assert cue in line, cue
    for sign in ("geschwollen", "gerötet", "warm", "schmerzhaft"):
        assert sign in line, sign
    assert routine_safety_line(ENGLISH) == SAFETY_LINE


@pytest.mark.parametrize(
    "index", range(len(ENGLISH_ROUTINES)), ids=lambda i: ENGLISH_ROUTINES[i].id
)
def test_each_step_keeps_its_safety_cue_in_german(index: int) -> None:
    original, german = ENGLISH_ROUTINES[index], localized_routines(GERMAN)[index]
    if "Pregnant?" in original.intro:
        assert "Schwanger?" in german.intro and "Seitenlage" in german.intro
    for step, translated in zip(original.steps, german.steps, strict=True):
        if "New hip or knee?" in step.how:
            assert "Künstliches Hüft- oder Kniegelenk?" in translated.how
            assert "Physiotherapie" in translated.how
        if "no bouncing" in step.how:
            assert "nicht wippen" in translated.how
        if "five" in step.how:
            assert "fünf" in translated.how
        if "chair" in step.how.casefold():
            assert "stuhl" in translated.how.casefold(), translated.name


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.de.toml"
    path.write_text(text)
    return path


def test_a_broken_tips_translation_names_each_fault(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[tips]]\nid = "no-such-tip"\ntitle = "T"\nbody = "B"\nsource = { name = "S" }\n',
    )
    with pytest.raises(TranslationError) as caught:
        read_tips_translation(path, GERMAN, ENGLISH_TIPS)
    text = str(caught.value)
    assert "notice: missing" in text and "no-such-tip" in text and "x.de.toml" in text


def test_a_routine_translation_with_a_missing_step_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'safety = "S"\n[[routines]]\nid = "chair-only"\ntitle = "T"\nintro = "I"\n'
        '[[routines.steps]]\nname = "N"\nhow = "H"\n',
    )
    with pytest.raises(TranslationError, match="steps: 1, but the English routine has 5"):
        read_routines_translation(path, GERMAN, ENGLISH_ROUTINES)


def test_the_content_files_sit_beside_the_english_ones() -> None:
    # Read from data/ like the English files (bot.tips.DATA_DIR), so a fresh clone has them.
    assert tips_path(GERMAN).exists() and routines_path(GERMAN).exists()


def test_a_language_part_way_through_falls_back_to_english_tip_by_tip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # German is complete now; a language still being translated (one tip so far) shows that one
    # tip in its words and every other tip in English.
    first = ENGLISH_TIPS.tips[0]
    path = _write(
        tmp_path,
        'notice = "Pas un avis médical."\n[[tips]]\n'
        f'id = "{first.id}"\ntitle = "Un titre"\nbody = "Un texte."\n'
        'source = { name = "Source" }\n',
    )
    partial = read_tips_translation(path, "fr", ENGLISH_TIPS)
    monkeypatch.setattr("bot.i18n.content._tips_translation", lambda locale: partial)
    mixed = localized_catalog("fr", ENGLISH_TIPS)
    assert mixed.tips[0].title == "Un titre"
    assert [t.title for t in mixed.tips[1:]] == [t.title for t in ENGLISH_TIPS.tips[1:]]
    assert tip_notice("fr") == "Pas un avis médical."
