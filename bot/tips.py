"""The tip catalog: load and check ``data/tips.toml``, pick tips without repeats, search them.

Plain Python, no Discord: the cogs turn what these functions return into replies. Content problems are
reported as :class:`CatalogError` naming the file, the entry and the field, so whoever edits the TOML
can fix it without reading this code. Problems caused by a user's input are :class:`UserError`.
"""

from __future__ import annotations

import math
import random
import re
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from bot.errors import UserError
from bot.i18n.speech import ENGLISH_SPEAKER, N_, Quoted, Speaker

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_TIPS_PATH = DATA_DIR / "tips.toml"

NOTICE = (
    "General information, not medical advice. For questions about your own health, ask a doctor."
)

MAX_TITLE = 80
MAX_BODY = 600
MAX_DESCRIPTION = 100
MAX_QUERY = 100
# Discord allows at most 25 autocomplete answers, each name at most 100 characters.
MAX_CHOICES = 25
MAX_CHOICE_NAME = 100

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)

# Ids are stored in users' tip history, so they are restricted to stable, URL-safe slugs.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]


class ContentError(ValueError):
    """A content file is missing, unreadable or invalid; ``problems`` holds one line per fault."""

    def __init__(self, label: str, problems: Sequence[str]) -> None:
        self.label = label
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{label}: {problem}" for problem in self.problems))


class CatalogError(ContentError):
    """``tips.toml`` is not usable."""


class ContentModel(BaseModel):
    """An entry of a content file (tips, routines, their translations), frozen once read."""

    # extra="forbid" turns a misspelt key in the TOML into an error instead of a silently lost field.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# A tip's words and their limits, the same for the English tip and its translations.
TipTitle = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
TipBody = Annotated[str, Field(min_length=1, max_length=MAX_BODY)]
# Words people search with that the tip does not say, so it is found anyway: someone in a bad
# place types "want to die", not "hopeless". Searched like the body, never shown.
TipKeywords = Annotated[
    tuple[Annotated[str, StringConstraints(min_length=1, max_length=40)], ...],
    Field(max_length=12),
]


class Source(ContentModel):
    name: str = Field(min_length=1, max_length=120)
    url: str | None = Field(default=None, pattern=r"^https://\S+$")


class Topic(ContentModel):
    id: Slug
    name: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)


class Tip(ContentModel):
    id: Slug
    topic: Slug
    title: TipTitle
    body: TipBody
    source: Source
    # Further pages that state the tip's facts: a tip that grew from the 2013 article (which
    # carries no link) also names the health service or guideline page a reader can check.
    also: tuple[Source, ...] = Field(default=(), max_length=3)
    related: tuple[Slug, ...] = ()
    keywords: TipKeywords = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        return (self.source, *self.also)


class TipCatalog(ContentModel):
    """Topics in display order and every tip, checked for consistency on construction."""

    topics: tuple[Topic, ...]
    tips: tuple[Tip, ...]

    _tips_by_id: dict[str, Tip] = PrivateAttr(default_factory=dict)
    _topics_by_id: dict[str, Topic] = PrivateAttr(default_factory=dict)
    _tips_by_topic: dict[str, tuple[Tip, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> TipCatalog:
        problems = integrity_problems(self.topics, self.tips)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._tips_by_id = {tip.id: tip for tip in self.tips}
        self._topics_by_id = {topic.id: topic for topic in self.topics}
        self._tips_by_topic = {
            topic.id: tuple(tip for tip in self.tips if tip.topic == topic.id)
            for topic in self.topics
        }

    def topic(self, topic_id: str) -> Topic:
        """The topic named by id or display name (any case); UserError listing topics if unknown."""
        wanted = normalise(topic_id).replace(" ", "-")
        if wanted in self._topics_by_id:
            return self._topics_by_id[wanted]
        for topic in self.topics:
            if wanted == normalise(topic.name).replace(" ", "-"):
                return topic
        raise _unknown_topic(self, topic_id)

    def tips_in(self, topic_id: str) -> tuple[Tip, ...]:
        return self._tips_by_topic[self.topic(topic_id).id]

    def get(self, tip_id: str) -> Tip | None:
        """The tip with this id, or None (ids kept in old history may have been retired)."""
        return self._tips_by_id.get(tip_id)

    def counts(self) -> dict[str, int]:
        """Tips per topic id, in topic order."""
        return {topic_id: len(tips) for topic_id, tips in self._tips_by_topic.items()}


def sources_field(tip: Tip, tr: Speaker = ENGLISH_SPEAKER) -> tuple[str, str]:
    """("Source" or "Sources", every source one per line, linked where it has a URL): the embed
    field a tip is shown with, so each page a reader can check is there to click."""
    lines = [f"[{src.name}]({src.url})" if src.url else src.name for src in tip.sources]
    return (tr("Source") if len(lines) == 1 else tr("Sources"), "\n".join(lines))


def _unknown_topic(catalog: TipCatalog, text: str) -> UserError:
    """The refusal of a topic name, in the catalog's language: its topics, and the likeliest."""
    shown = Quoted(text.strip()[:40] or "…")
    names = ", ".join(f"{topic.name} (`{topic.id}`)" for topic in catalog.topics)
    guesses = did_you_mean(catalog, text, limit=1)
    if guesses:
        return UserError(
            N_("I don't have a topic called {shown}. Did you mean **{guess}**? Topics: {names}."),
            shown=shown,
            guess=guesses[0].name,
            names=names,
        )
    return UserError(
        N_("I don't have a topic called {shown}. Topics: {names}."), shown=shown, names=names
    )


# --- Loading ---------------------------------------------------------------------------------------


def display_path(path: Path) -> str:
    """The path relative to the repository when it is inside it, so messages read 'data/tips.toml'."""
    resolved = path.resolve()
    root = DATA_DIR.parent
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


def read_toml(path: Path, error: type[ContentError]) -> dict[str, Any]:
    label = display_path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise error(label, ["file not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(label, [f"not valid TOML: {exc}"]) from None


def describe_validation_error(exc: ValidationError) -> list[str]:
    """Pydantic's errors as 'field: what is wrong' lines a content editor can act on."""
    errors = exc.errors()
    lines = []
    for err in errors:
        if err["type"] in ("too_short", "too_long") and _has_child_error(err, errors):
            continue  # pydantic recounts a list without its bad items; the item error says it all
        # List positions count from 1, like the "tip #12" entry numbers a person counts in the file.
        field = "".join(
            f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in err["loc"]
        ).lstrip(".")
        lines.append(f"{field or 'entry'}: {_explain(err)}")
    return lines


def _has_child_error(err: Any, errors: Sequence[Any]) -> bool:
    loc = tuple(err["loc"])
    return any(len(other["loc"]) > len(loc) and other["loc"][: len(loc)] == loc for other in errors)


def _explain(err: Any) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} items, has {ctx['actual_length']}"
    if kind == "too_long":
        return f"allows at most {ctx['max_length']} items, has {ctx['actual_length']}"
    if kind == "string_too_long":
        return f"too long ({len(value)} > {ctx['max_length']})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "missing":
        return "missing"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "extra_forbidden":
        return "unknown field (misspelt?)"
    if kind == "string_pattern_mismatch":
        if err["loc"][-1] == "url":
            return f"must be an https:// link, got {value!r}"
        return f"must be a lowercase slug like 'sleep-diary', got {value!r}"
    return str(err["msg"])


def entry_label(kind: str, index: int, raw: object) -> str:
    """'tip #12 ('massage-x')': 1-based like a person counting entries, plus the id when there is one."""
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} #{index}" + (f" ({raw_id!r})" if isinstance(raw_id, str) else "")


def parse_entries(
    model: type[ModelT], raws: list[Any], kind: str, problems: list[str]
) -> list[ModelT]:
    """Validate each entry on its own so one bad entry is reported by name, not as a list index."""
    parsed = []
    for index, raw in enumerate(raws, start=1):
        label = entry_label(kind, index, raw)
        if not isinstance(raw, dict):
            problems.append(f"{label}: must be a table")
            continue
        try:
            parsed.append(model.model_validate(raw))
        except ValidationError as exc:
            problems.extend(f"{label}: {line}" for line in describe_validation_error(exc))
    return parsed


def integrity_problems(topics: Sequence[Topic], tips: Sequence[Tip]) -> list[str]:
    """Cross-entry checks that single-entry validation cannot see."""
    problems: list[str] = []
    topic_ids = [topic.id for topic in topics]
    if not topics:
        problems.append("topics: at least one topic is needed")
    for first, later, topic in _duplicates(topics, lambda t: t.id):
        problems.append(f"topic #{later} ({topic.id!r}): id: duplicate of topic #{first}")
    for first, later, tip in _duplicates(tips, lambda t: t.id):
        problems.append(f"tip #{later} ({tip.id!r}): id: duplicate of tip #{first}")
    tip_ids = {tip.id for tip in tips}
    for index, tip in enumerate(tips, start=1):
        label = f"tip #{index} ({tip.id!r})"
        if tip.topic not in topic_ids:
            problems.append(
                f"{label}: topic: unknown topic {tip.topic!r} (known: {', '.join(topic_ids)})"
            )
        for ref in tip.related:
            if ref == tip.id:
                problems.append(f"{label}: related: refers to itself")
            elif ref not in tip_ids:
                problems.append(f"{label}: related: unknown tip id {ref!r}")
        if len(set(tip.related)) != len(tip.related):
            problems.append(f"{label}: related: lists the same tip twice")
    populated = {tip.topic for tip in tips}
    problems.extend(
        f"topics.{tid}: no tips in this topic" for tid in topic_ids if tid not in populated
    )
    return problems


def _duplicates(items: Sequence[T], key: Callable[[T], str]) -> list[tuple[int, int, T]]:
    """(first index, repeat index, repeated item) for every repeated key; indexes are 1-based."""
    first: dict[str, int] = {}
    repeats = []
    for index, item in enumerate(items, start=1):
        if key(item) in first:
            repeats.append((first[key(item)], index, item))
        else:
            first[key(item)] = index
    return repeats


# Catalogs already read, by file and version: two cogs load the same file at every start, and
# the checks cost tens of milliseconds. A catalog is immutable, so sharing one is safe.
_loaded: dict[tuple[Path, int, int], TipCatalog] = {}


def load_catalog(path: Path | None = None) -> TipCatalog:
    """Read and check the tip catalog (default ``data/tips.toml``); CatalogError lists every fault."""
    path = path if path is not None else DEFAULT_TIPS_PATH
    try:
        stat = path.stat()
    except OSError:
        return _read_catalog(path)  # reports the missing or unreadable file
    key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
    if key not in _loaded:
        _loaded[key] = _read_catalog(path)
    return _loaded[key]


def _read_catalog(path: Path) -> TipCatalog:
    label = display_path(path)
    raw = read_toml(path, CatalogError)
    problems: list[str] = []
    raw_topics, raw_tips = raw.pop("topics", None), raw.pop("tips", None)
    problems.extend(f"{key}: unknown top-level key (misspelt?)" for key in raw)
    if not isinstance(raw_topics, dict):
        problems.append("topics: missing; add [topics.<id>] tables with name and description")
        raw_topics = {}
    if not isinstance(raw_tips, list):
        problems.append("tips: missing; add [[tips]] entries")
        raw_tips = []
    # Topics are keyed by their id in the TOML; the table order is the display order.
    topic_entries = [
        {"id": key, **value} if isinstance(value, dict) else value
        for key, value in raw_topics.items()
    ]
    topics = parse_entries(Topic, topic_entries, "topic", problems)
    tips = parse_entries(Tip, raw_tips, "tip", problems)
    # Cross-entry checks wait until every entry parsed, so their "tip #n" numbers match the file.
    if not problems:
        problems = integrity_problems(topics, tips)
    if problems:
        raise CatalogError(label, problems)
    return TipCatalog(topics=tuple(topics), tips=tuple(tips))


# --- Selection -------------------------------------------------------------------------------------


def pick_tip(
    catalog: TipCatalog, topic: str | None, recent_ids: Sequence[str], rng: random.Random
) -> Tip:
    """A random tip (from one topic, or any), avoiding ``recent_ids`` (most recent first).

    When every candidate was seen recently, the one seen longest ago is returned, so a user cycling
    through a small topic still gets the freshest possible tip instead of an error.
    """
    candidates = catalog.tips_in(topic) if topic is not None else catalog.tips
    last_seen: dict[str, int] = {}
    for position, tip_id in enumerate(recent_ids):
        last_seen.setdefault(tip_id, position)
    fresh = [tip for tip in candidates if tip.id not in last_seen]
    if fresh:
        return rng.choice(fresh)
    return max(candidates, key=lambda tip: last_seen[tip.id])


# --- Search ----------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans("", "", "'’‘`´")
_NON_WORD = re.compile(r"[\W_]+")

# A query word "matches" a text word when their Jaro-Winkler similarity reaches this. It favours a
# shared beginning, so "masage" finds "massage" and "stretch" finds "stretching", while look-alikes
# with a different start ("burning"/"bring", "twitching"/"itching") stay apart; plain fuzz.ratio
# scored those pairs above genuine typos.
WORD_CUTOFF = 90.0
# Text words this short match only when typed exactly: one slip in a longer query word lands on
# them too easily ("eisn", a typo of "Eisen", scored German's "ein" as a full title match).
EXACT_ONLY = 3
# A body match is worth a little less than a title match: titles say what the tip is about.
BODY_FACTOR = 0.8
BOTH_FACTOR = 0.2
# A query naming a topic ("massage", "sleep") lifts that topic's tips above passing mentions elsewhere.
TOPIC_BONUS = 5.0
# Below this a hit shares only common words with the query; an empty answer is more honest.
SCORE_CUTOFF = 50.0
# did_you_mean: how close a topic name (or a word of its description) must be to be suggested.
TOPIC_CUTOFF = 75.0


@dataclass(frozen=True, slots=True)
class SearchHit:
    tip: Tip
    score: float


def normalise(text: str) -> str:
    """Lowercase, accents and apostrophes removed, punctuation to spaces: "T'ai-Chi" -> "tai chi"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.casefold().translate(_APOSTROPHES)
    return " ".join(_NON_WORD.sub(" ", plain).split())


def clean_query(query: str) -> str:
    """The normalised query, or UserError with a friendly reason."""
    stripped = query.strip()
    if not stripped:
        raise UserError(N_("Type a word or two to search for, like “massage” or “sleep diary”."))
    if len(stripped) > MAX_QUERY:
        raise UserError(
            N_(
                "That search is a bit long ({length} characters). Please keep it to {most} or "
                "fewer; a few key words work best."
            ),
            length=len(stripped),
            most=MAX_QUERY,
        )
    normalised = normalise(stripped)
    if not normalised:
        raise UserError(N_("Search with some letters or numbers, like “calf stretch”."))
    return normalised


@dataclass(frozen=True, slots=True)
class _Document:
    tip: Tip
    title_words: frozenset[str]
    body_words: frozenset[str]
    topic_words: frozenset[str]


def _documents(catalog: TipCatalog) -> list[_Document]:
    topic_words = {t.id: frozenset(normalise(f"{t.id} {t.name}").split()) for t in catalog.topics}
    return [
        _Document(
            tip,
            frozenset(normalise(tip.title).split()),
            frozenset(normalise(" ".join((tip.body, *tip.keywords))).split()),
            topic_words[tip.topic],
        )
        for tip in catalog.tips
    ]


def _closeness(word: str, words: frozenset[str]) -> float:
    """How well ``word`` is matched by the closest word in ``words`` (0 when nothing is close)."""
    if word in words:
        return 100.0
    best = process.extractOne(
        word,
        [w for w in words if len(w) > EXACT_ONLY],
        scorer=JaroWinkler.normalized_similarity,
        score_cutoff=WORD_CUTOFF / 100,
    )
    return 100.0 * best[1] if best else 0.0


def _coverage(weights: dict[str, float], words: frozenset[str]) -> float:
    """The weighted share of query words found in ``words``, 0-100."""
    total = sum(weights.values())
    return sum(weight * _closeness(word, words) for word, weight in weights.items()) / total


def _weights(query_words: list[str], documents: list[_Document]) -> dict[str, float]:
    """Rare words decide the ranking: "legs" is in most tips, "burning" in very few.

    This is the usual inverse-document-frequency idea, with rapidfuzz deciding what counts as the
    same word, so common words and filler ("at", "the") count for little without a stop-word list.
    """
    weights = {}
    for word in query_words:
        found_in = sum(
            1 for doc in documents if _closeness(word, doc.title_words | doc.body_words) > 0
        )
        # A word found nowhere ("my", "ants") would only drag every tip's score down by the same
        # factor, pushing good matches under the cutoff; it says nothing about which tip fits best.
        if found_in:
            weights[word] = math.log((len(documents) + 1) / (found_in + 1)) + 1.0
    return weights


def _score(weights: dict[str, float], doc: _Document) -> float:
    title = _coverage(weights, doc.title_words)
    body = _coverage(weights, doc.body_words)
    score = max(title, BODY_FACTOR * body) + BOTH_FACTOR * min(title, body)
    if any(_closeness(word, doc.topic_words) > 0 for word in weights):
        score += TOPIC_BONUS
    return min(score, 100.0)


def search(catalog: TipCatalog, query: str, limit: int = 5) -> list[SearchHit]:
    """Tips best matching ``query`` over titles and bodies, best first, weak matches left out."""
    words = list(dict.fromkeys(clean_query(query).split()))
    documents = _documents(catalog)
    weights = _weights(words, documents)
    if not weights:
        return []
    hits = [SearchHit(doc.tip, round(_score(weights, doc), 1)) for doc in documents]
    # Python's sort is stable, so equal scores keep catalog order and results stay deterministic.
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return [hit for hit in hits if hit.score >= SCORE_CUTOFF][:limit]


def suggest(catalog: TipCatalog, partial: str, limit: int = MAX_CHOICES) -> list[Tip]:
    """Tips for autocomplete: titles starting with, then containing, what was typed, then search hits.

    Never raises: autocomplete fires on every keystroke and must always answer something.
    """
    limit = max(0, min(limit, MAX_CHOICES))
    # Normalising can lengthen text (NFKD splits ligatures), so trim again to stay a valid query.
    typed = normalise(partial[:MAX_QUERY])[:MAX_QUERY].strip()
    if not typed:
        return list(catalog.tips[:limit])
    titles = {tip.id: normalise(tip.title) for tip in catalog.tips}
    chosen = [tip for tip in catalog.tips if titles[tip.id].startswith(typed)]
    chosen += [tip for tip in catalog.tips if typed in titles[tip.id] and tip not in chosen]
    if len(chosen) < limit:
        # Fuzzy matching catches typos ("massge") and words that only appear in a tip's body.
        chosen += [
            hit.tip for hit in search(catalog, typed, limit=MAX_CHOICES) if hit.tip not in chosen
        ]
    return chosen[:limit]


def suggest_titles(catalog: TipCatalog, partial: str, limit: int = MAX_CHOICES) -> list[str]:
    """Titles for a slash-command autocomplete (at most 25, each at most 100 characters)."""
    return [tip.title[:MAX_CHOICE_NAME] for tip in suggest(catalog, partial, limit)]


def resolve_tip(catalog: TipCatalog, text: str) -> Tip:
    """The tip a user picked: by id, by exact title (as autocomplete sends it), else the best hit."""
    tip = catalog.get(text.strip())
    if tip is not None:
        return tip
    wanted = normalise(text)
    for tip in catalog.tips:
        if normalise(tip.title) == wanted:
            return tip
    hits = search(catalog, text, limit=1)
    if hits:
        return hits[0].tip
    raise UserError(
        N_("I couldn't find a tip matching {typed}. Try searching with a word or two."),
        typed=Quoted(text.strip()[:40]),
    )


def did_you_mean(catalog: TipCatalog, text: str, limit: int = 3) -> list[Topic]:
    """Topics resembling ``text`` by name, id or description words, for "nothing found" replies."""
    wanted = normalise(text[:MAX_QUERY])
    if not wanted:
        return []
    weights = dict.fromkeys(wanted.split(), 1.0)
    scored = []
    for topic in catalog.topics:
        score = max(
            fuzz.WRatio(wanted, normalise(topic.name)),
            fuzz.WRatio(wanted, topic.id.replace("-", " ")),
            _coverage(weights, frozenset(normalise(topic.description).split())),
        )
        if score >= TOPIC_CUTOFF:
            scored.append((score, topic))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [topic for _, topic in scored[:limit]]
