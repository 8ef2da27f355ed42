"""Tips and stretch routines in the person's language, falling back to English per entry.

A language's content lives beside the English files: ``data/tips.<lang>.toml`` and
``data/routines.<lang>.toml``. They hold only what is said in words; the structure (topics, which
topic a tip is in, related tips, step durations) stays in the English files, so the two can never
drift apart: a German tip names an English id and replaces its title, body, sources and keywords.
A tip or routine without a German version is shown in English, so German can grow tip by tip.

Shape of ``tips.<lang>.toml``:
    notice = "..."                 the "not medical advice" line, in that language (required)
    [topics.<id>]                  name, description (every English topic, or none)
    [[tips]]                       id (an English tip's), title, body, source, also (<= 5),
                                   keywords (optional)
Shape of ``routines.<lang>.toml``:
    safety = "..."                 the safety line under every routine (required)
    [[routines]]                   id (an English routine's), title, intro,
    [[routines.steps]]             name, how: one per English step, in the same order
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import Field

from bot.i18n.locales import ENGLISH, SUPPORTED
from bot.routines import (
    SAFETY_LINE,
    Routine,
    RoutineWords,
    Step,
    StepName,
    load_routines,
)
from bot.tips import (
    DATA_DIR,
    NOTICE,
    ContentError,
    ContentModel,
    Slug,
    Source,
    Tip,
    TipBody,
    TipCatalog,
    TipKeywords,
    TipTitle,
    Topic,
    display_path,
    load_catalog,
    parse_entries,
    read_toml,
)

# More room than an English tip's three: a translated tip keeps the English sources and adds the
# German ones that state the same facts.
MAX_ALSO = 5


class TranslationError(ContentError):
    """A content translation file is not usable."""


class TipText(ContentModel):
    id: Slug
    title: TipTitle
    body: TipBody
    source: Source
    also: tuple[Source, ...] = Field(default=(), max_length=MAX_ALSO)
    keywords: TipKeywords = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        return (self.source, *self.also)


class StepText(ContentModel):
    name: StepName
    how: str = Field(min_length=1, max_length=220)


class RoutineText(RoutineWords):
    steps: tuple[StepText, ...] = Field(min_length=1, max_length=7)


class TipsTranslation(ContentModel):
    locale: str
    notice: str = Field(min_length=1, max_length=200)
    # A topic is nothing but words: its translation has the English model's fields and limits.
    topics: tuple[Topic, ...]
    tips: tuple[TipText, ...]


class RoutinesTranslation(ContentModel):
    locale: str
    safety: str = Field(min_length=1, max_length=400)
    routines: tuple[RoutineText, ...]


def tips_path(locale: str) -> Path:
    return DATA_DIR / f"tips.{locale}.toml"


def routines_path(locale: str) -> Path:
    return DATA_DIR / f"routines.{locale}.toml"


def read_tips_translation(path: Path, locale: str, english: TipCatalog) -> TipsTranslation:
    """Parse and check a tips translation against the English catalog; every fault at once."""
    raw = read_toml(path, TranslationError)
    problems: list[str] = []
    notice = raw.pop("notice", None)
    raw_topics, raw_tips = raw.pop("topics", {}), raw.pop("tips", [])
    problems.extend(f"{key}: unknown top-level key (misspelt?)" for key in raw)
    if not isinstance(notice, str) or not notice.strip():
        problems.append('notice: missing; the "not medical advice" line in this language')
        notice = "-"
    if not isinstance(raw_topics, dict) or not isinstance(raw_tips, list):
        raise TranslationError(display_path(path), ["topics must be tables, tips a list"])
    topic_entries = [
        {"id": key, **value} if isinstance(value, dict) else value
        for key, value in raw_topics.items()
    ]
    topics = parse_entries(Topic, topic_entries, "topic", problems)
    tips = parse_entries(TipText, raw_tips, "tip", problems)
    english_topics = {topic.id for topic in english.topics}
    if topics and {t.id for t in topics} != english_topics:
        missing = sorted(english_topics - {t.id for t in topics})
        unknown = sorted({t.id for t in topics} - english_topics)
        problems.append(f"topics: translate all or none (missing {missing}, unknown {unknown})")
    seen: set[str] = set()
    for index, tip in enumerate(tips, start=1):
        if english.get(tip.id) is None:
            problems.append(f"tip #{index} ({tip.id!r}): id: no English tip has this id")
        if tip.id in seen:
            problems.append(f"tip #{index} ({tip.id!r}): id: translated twice")
        seen.add(tip.id)
    if problems:
        raise TranslationError(display_path(path), problems)
    return TipsTranslation(locale=locale, notice=notice, topics=tuple(topics), tips=tuple(tips))


def read_routines_translation(
    path: Path, locale: str, english: list[Routine]
) -> RoutinesTranslation:
    raw = read_toml(path, TranslationError)
    problems: list[str] = []
    safety = raw.pop("safety", None)
    raw_routines: Any = raw.pop("routines", [])
    problems.extend(f"{key}: unknown top-level key (misspelt?)" for key in raw)
    if not isinstance(safety, str) or not safety.strip():
        problems.append("safety: missing; the safety line under every routine, in this language")
        safety = "-"
    routines = parse_entries(RoutineText, raw_routines, "routine", problems)
    by_id = {routine.id: routine for routine in english}
    for index, routine in enumerate(routines, start=1):
        original = by_id.get(routine.id)
        if original is None:
            problems.append(f"routine #{index} ({routine.id!r}): id: no English routine has it")
        elif len(routine.steps) != len(original.steps):
            problems.append(
                f"routine #{index} ({routine.id!r}): steps: {len(routine.steps)}, but the English "
                f"routine has {len(original.steps)} (the durations come from it, step by step)"
            )
    if problems:
        raise TranslationError(display_path(path), problems)
    return RoutinesTranslation(locale=locale, safety=safety, routines=tuple(routines))


def _translated_file(locale: str, path_of: Callable[[str], Path]) -> Path | None:
    """The locale's content file; None for English, a locale the bot does not speak, or one
    whose file is not there (yet)."""
    path = path_of(locale)
    return None if locale == ENGLISH or locale not in SUPPORTED or not path.exists() else path


@functools.cache
def _tips_translation(locale: str) -> TipsTranslation | None:
    path = _translated_file(locale, tips_path)
    return None if path is None else read_tips_translation(path, locale, load_catalog())


@functools.cache
def _routines_translation(locale: str) -> RoutinesTranslation | None:
    path = _translated_file(locale, routines_path)
    return None if path is None else read_routines_translation(path, locale, load_routines())


def tip_notice(locale: str) -> str:
    """The "not medical advice" line shown under every tip, in ``locale``."""
    translation = _tips_translation(locale)
    return translation.notice if translation else NOTICE


def localized_tip(tip: Tip, locale: str) -> Tip:
    """``tip`` in ``locale`` when it has been translated, otherwise ``tip`` itself (English).

    Only the words change: id, topic and related tips stay the English ones. The sources are the
    translation's own list (it keeps the English sources and adds German ones)."""
    translation = _tips_translation(locale)
    text = next((t for t in translation.tips if t.id == tip.id), None) if translation else None
    if text is None:
        return tip
    # model_construct: the English Tip caps `also` at three; a translation may cite up to five,
    # and TipText has already checked every field.
    return Tip.model_construct(
        id=tip.id,
        topic=tip.topic,
        title=text.title,
        body=text.body,
        source=text.source,
        also=text.also,
        related=tip.related,
        keywords=(*tip.keywords, *text.keywords),
    )


def localized_catalog(locale: str, english: TipCatalog | None = None) -> TipCatalog:
    """The whole catalog in ``locale``: translated topics and tips, English for the rest
    (``english``: the loaded catalog by default)."""
    english = english or load_catalog()
    translation = _tips_translation(locale)
    if translation is None:
        return english
    names = {topic.id: topic for topic in translation.topics}
    topics = tuple(
        topic.model_copy(
            update={"name": names[topic.id].name, "description": names[topic.id].description}
        )
        if topic.id in names
        else topic
        for topic in english.topics
    )
    return TipCatalog.model_construct(
        topics=topics, tips=tuple(localized_tip(tip, locale) for tip in english.tips)
    )


def translated_tip_ids(locale: str) -> frozenset[str]:
    translation = _tips_translation(locale)
    return frozenset(t.id for t in translation.tips) if translation else frozenset()


def routine_safety_line(locale: str) -> str:
    translation = _routines_translation(locale)
    return translation.safety if translation else SAFETY_LINE


def localized_routines(locale: str) -> list[Routine]:
    """Every routine in file order, in ``locale`` where translated (English otherwise), with the
    English durations: rotation by date picks the same routine whatever the language."""
    english = load_routines()
    translation = _routines_translation(locale)
    if translation is None:
        return english
    texts = {routine.id: routine for routine in translation.routines}
    result: list[Routine] = []
    for routine in english:
        text = texts.get(routine.id)
        if text is None:
            result.append(routine)
            continue
        steps = tuple(
            Step.model_construct(name=step_text.name, how=step_text.how, seconds=step.seconds)
            for step, step_text in zip(routine.steps, text.steps, strict=True)
        )
        result.append(
            Routine.model_construct(id=routine.id, title=text.title, intro=text.intro, steps=steps)
        )
    return result
