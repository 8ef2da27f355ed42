"""The tip catalog: real content checks, loader error messages, selection, search, originality."""

from __future__ import annotations

import hashlib
import importlib.metadata
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import tips
from bot.errors import UserError
from bot.tips import MAX_BODY, MAX_CHOICES, NOTICE, CatalogError, Tip, TipCatalog
from cogs.tips import about_embed, publishers, readme_url

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_ARTICLE = Path("/work/shared/reference/rls-and-back-pain-article.txt")
FINGERPRINTS = FIXTURES / "reference_fingerprints.txt"

CATALOG = tips.load_catalog()


# --- The real catalog ------------------------------------------------------------------------------


def test_real_catalog_has_enough_tips_in_every_topic() -> None:
    counts = CATALOG.counts()
    assert sum(counts.values()) >= 40
    assert list(counts) == [
        "symptoms",
        "misconceptions",
        "causes",
        "back-pain",
        "massage",
        "exercise",
        "sleep",
        "doctor",
    ]
    assert all(count >= 3 for count in counts.values()), counts


def test_real_tips_respect_limits_and_references() -> None:
    ids = {tip.id for tip in CATALOG.tips}
    for tip in CATALOG.tips:
        assert len(tip.body) <= MAX_BODY
        assert len(tip.title) <= 80
        assert set(tip.related) <= ids - {tip.id}
        assert tip.source.name
        assert "\n" not in tip.body, "bodies are one paragraph; TOML line ends need a backslash"


ORIGIN = "A 2013 blog article on RLS and back pain"
REPUTABLE = (
    *(ORIGIN, "NHS", "nidirect (NHS Northern Ireland)", "NINDS", "Mayo Clinic", "MedlinePlus"),
    *("RLS Foundation", "AASM", "IRLSSG 2014", "Carney et al.", "Samaritans", "988 Suicide"),
)


def test_every_tip_names_reputable_sources_and_a_page_to_check() -> None:
    for tip in CATALOG.tips:
        for source in tip.sources:
            assert source.name.startswith(REPUTABLE), (tip.id, source.name)
            if source.name == ORIGIN:
                assert source.url is None  # the article text carries no link
        # Every health claim also cites a health service or guideline page a reader can open.
        assert any(source.url for source in tip.sources), tip.id
        assert len({source.url for source in tip.sources}) == len(tip.sources), tip.id
    # The article quotes the site it was once credited to, so it is credited by description only.
    assert not any("Talk About Sleep" in s.name for tip in CATALOG.tips for s in tip.sources)


def test_each_page_goes_by_one_name_across_the_catalog() -> None:
    names: dict[str, set[str]] = {}
    for tip in CATALOG.tips:
        for source in tip.sources:
            if source.url:
                names.setdefault(source.url, set()).add(source.name)
    assert {url: found for url, found in names.items() if len(found) > 1} == {}


def test_sources_field_lists_every_source_linked() -> None:
    tip = CATALOG.get("causes-iron")
    assert tip is not None and len(tip.sources) == 2
    name, value = tips.sources_field(tip)
    assert name == "Sources"
    assert value.splitlines() == [f"[{s.name}]({s.url})" for s in tip.sources]
    origin = next(tip for tip in CATALOG.tips if tip.source.name == ORIGIN)
    # No link to show for the article.
    assert tips.sources_field(origin)[1].splitlines()[0] == ORIGIN
    single = next(tip for tip in CATALOG.tips if not tip.also)
    assert tips.sources_field(single) == ("Source", f"[{single.source.name}]({single.source.url})")


def test_notice_is_short_and_says_not_medical_advice() -> None:
    assert "not medical advice" in NOTICE
    assert len(NOTICE) <= 120


def test_catalog_lookups() -> None:
    assert CATALOG.topic("Back pain").id == "back-pain"
    assert CATALOG.topic("MASSAGE").id == "massage"
    assert all(tip.topic == "sleep" for tip in CATALOG.tips_in("sleep"))
    first = CATALOG.tips[0]
    assert CATALOG.get(first.id) == first
    assert CATALOG.get("no-such-tip") is None


def test_unknown_topic_lists_the_valid_ones() -> None:
    with pytest.raises(UserError) as caught:
        CATALOG.topic("massge")
    assert "Did you mean **Massage**" in caught.value.message
    for topic in CATALOG.topics:
        assert f"`{topic.id}`" in caught.value.message


# --- /rls about links the README ---------------------------------------------------------------------


class FakeMetadata:
    def __init__(self, urls: list[str]) -> None:
        self.urls = urls

    def get_all(self, key: str) -> list[str] | None:
        return self.urls if key == "Project-URL" else None


def about_fields(readme: str | None) -> dict[str, str]:
    embed = about_embed(CATALOG, readme)
    return {field.name or "": field.value or "" for field in embed.fields}


def test_about_links_the_readme_that_pyproject_declares(monkeypatch: pytest.MonkeyPatch) -> None:
    urls = ["Homepage, https://example.org/rls", "Documentation, https://example.org/rls#readme"]
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: FakeMetadata(urls))
    url = readme_url()
    assert url == "https://example.org/rls#readme"  # the documentation entry before the homepage
    assert "[the project's README](https://example.org/rls#readme)" in about_fields(url)["More"]


def test_about_lists_each_publisher_once_without_page_or_authors() -> None:
    names = publishers(CATALOG)
    assert len(names) == len(set(names))
    assert {"NHS", "nidirect", "AASM 2024 guideline on treating RLS", "RLS Foundation"} <= set(
        names
    )
    assert ORIGIN not in names  # the article is named in its own sentence
    assert not any("(" in name or ":" in name for name in names)


def test_about_names_the_readme_when_no_address_is_declared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: FakeMetadata([]))
    assert readme_url() is None
    more = about_fields(None)["More"]
    assert "README.md" in more and "](" not in more
    # An address that is not https is not shown as a link.
    monkeypatch.setattr(
        importlib.metadata, "metadata", lambda name: FakeMetadata(["Homepage, http://x.example"])
    )
    assert readme_url() is None


# --- Health content: what current guidance says (issue 17) ----------------------------------------
#
# Each row: a tip and the points it must make (case-insensitive), and wording it must not use. The
# sources checked for each point are named in the tip itself.

REQUIRED_POINTS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # Iron: test ferritin and transferrin saturation; the 2024 AASM thresholds; never self-start.
    (
        "doctor-iron-check",
        ("ferritin", "transferrin saturation", "75 ng/mL", "20%", "morning", "24 hours", "AASM"),
        (),
    ),
    ("causes-iron", ("ferritin", "transferrin saturation", "do not start iron"), ()),
    # Augmentation by name, its four signs, the class of medicine, a review, no self-changes.
    (
        "doctor-symptoms-change",
        (
            "augmentation",
            "earlier in the day",
            "sooner",
            "stronger",
            "arms or trunk",
            "dopamine",
            "review",
            "do not change or stop a dose yourself",
        ),
        (),
    ),
    (
        "causes-medicines",
        (
            "metoclopramide",
            "anti-sickness",
            "sleep aids",
            "“PM” cold",
            "antihistamines",
            "ask a pharmacist before you buy",
            "never stop a prescribed medicine",
        ),
        (),
    ),
    # Back pain: emergency signs and urgent-appointment signs are separate tips.
    (
        "doctor-back-pain-urgent",
        (
            *("emergency", "weakness or numbness in both legs", "severe or getting worse"),
            *("bottom or genitals", "trouble peeing", "bladder or bowels"),
            "rls does not make your legs weak or numb",
        ),
        ("high temperature", "weight loss", "lump", "worse at night"),
    ),
    (
        "doctor-back-pain-soon",
        ("urgent gp appointment", "high temperature", "weight loss", "lump", "worse at night"),
        ("both legs", "genitals", "bladder"),
    ),
    (
        "back-pain-neuropathy",
        ("peripheral neuropathy", "does not usually cause back pain", "sciatica", "lower back"),
        (),
    ),
    (
        "exercise-leg-extensions",
        ("pull your toes back towards you", "our own practical"),
        ("point",),
    ),
    ("misconceptions-any-age", ("childhood", "growing pains", "adhd"), ()),
    ("causes-other-conditions", ("genes", "iron inside the brain", "blood tests look normal"), ()),
    ("causes-family", ("younger age",), ("40",)),
    # Missing points, now tips of their own.
    (
        "symptoms-five-features",
        (
            "urge to move",
            "rest",
            "moving eases it",
            "evening or at night",
            "nothing else",
            "only a doctor can make the diagnosis",
        ),
        (),
    ),
    (
        "sleep-evening-habits",
        ("big meal", "hard workout", "caffeine after midday", "two hours before bed"),
        (),
    ),
    ("sleep-caffeine", ("after midday",), ()),
    ("sleep-alcohol-nicotine", ("two hours before bed",), ()),
    ("sleep-overtired", ("overtired", "worse"), ()),
    ("sleep-apnoea", ("sleep apnoea", "snore", "stop breathing", "sleep study"), ()),
    ("causes-pregnancy", ("pregnancy", "after the birth", "midwife or doctor", "iron"), ()),
    (
        "doctor-clot-warning",
        (
            "swollen",
            "warm",
            "red",
            "painful",
            "one side",
            "blood clot",
            "same day",
            "breathless",
            "chest pain",
            "emergency",
            "do not rub, massage or stretch",
        ),
        (),
    ),
    (
        "doctor-feeling-hopeless",
        (
            "if rls leaves you feeling hopeless or thinking of harming yourself, get help now",
            "emergency number",
            "988",
            "samaritans",
            "116 123",
            "uk and ireland",
        ),
        (),
    ),
]


@pytest.mark.parametrize(
    ("tip_id", "required", "forbidden"), REQUIRED_POINTS, ids=[row[0] for row in REQUIRED_POINTS]
)
def test_tip_makes_the_points_current_guidance_makes(
    tip_id: str, required: tuple[str, ...], forbidden: tuple[str, ...]
) -> None:
    tip = CATALOG.get(tip_id)
    assert tip is not None, f"{tip_id} is missing"
    text = f"{tip.title} {tip.body}".casefold()
    assert [point for point in required if point.casefold() not in text] == []
    assert [word for word in forbidden if word.casefold() in text] == []


# A dose is a number with a unit of medicine; lab values (ng/mL) and percentages are not doses.
DOSE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|milligrams?|micrograms?|tablets? a day)\b", re.I)
# Advice to start, stop or change a medicine, as opposed to "never stop ... on your own".
MEDICINE_ADVICE = re.compile(
    r"\b(?:you should|try|consider|it is worth)\s+(?:taking|starting|stopping|increasing|reducing)\b",
    re.I,
)


def test_no_tip_gives_a_dose_or_medicine_advice() -> None:
    for tip in CATALOG.tips:
        assert not DOSE.search(tip.body), tip.id
        assert not MEDICINE_ADVICE.search(tip.body), tip.id


def test_every_mention_of_iron_supplements_says_not_on_your_own() -> None:
    guarded = ("on your own", "before taking any", "without asking")
    for tip in CATALOG.tips:
        body = tip.body.casefold()
        if "supplement" in body and "iron" in body:
            assert any(phrase in body for phrase in guarded), tip.id


# --- Loader errors name the file, the entry and the field ------------------------------------------

VALID_TOPICS = """
[topics.sleep]
name = "Sleep"
description = "Sleep habits."
"""


def tip_toml(
    tip_id: str, *, topic: str = "sleep", body: str = "Short body.", extra: str = ""
) -> str:
    return f"""
[[tips]]
id = "{tip_id}"
topic = "{topic}"
title = "A title"
body = "{body}"
source = {{ name = "NHS" }}
{extra}
"""


def load_text(tmp_path: Path, text: str) -> TipCatalog:
    path = tmp_path / "tips.toml"
    path.write_text(text, encoding="utf-8")
    return tips.load_catalog(path)


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            tip_toml("sleep-a") + tip_toml("sleep-long", body="x" * 640),
            "tip #2 ('sleep-long'): body: too long (640 > 600)",
        ),
        (tip_toml("sleep-a", topic="nope"), "tip #1 ('sleep-a'): topic: unknown topic 'nope'"),
        (tip_toml("sleep-a") + tip_toml("sleep-a"), "tip #2 ('sleep-a'): id: duplicate of tip #1"),
        (
            tip_toml("sleep-a", extra='related = ["gone"]'),
            "tip #1 ('sleep-a'): related: unknown tip id 'gone'",
        ),
        (
            tip_toml("sleep-a", extra='related = ["sleep-a"]'),
            "tip #1 ('sleep-a'): related: refers to itself",
        ),
        (tip_toml("Bad Id"), "tip #1 ('Bad Id'): id: must be a lowercase slug"),
        (tip_toml("sleep-a", extra="tittle = 'typo'"), "tip #1 ('sleep-a'): tittle: unknown field"),
        (tip_toml("sleep-a", body=""), "tip #1 ('sleep-a'): body: must not be empty"),
        (
            tip_toml("sleep-a", extra=f'keywords = ["{"k" * 41}"]'),
            "tip #1 ('sleep-a'): keywords[1]: too long (41 > 40)",
        ),
    ],
    ids=[
        "body-too-long",
        "unknown-topic",
        "duplicate",
        "dangling",
        "self",
        "slug",
        "typo",
        "empty",
        "keyword-too-long",
    ],
)
def test_single_problem_is_named(tmp_path: Path, entries: str, expected: str) -> None:
    with pytest.raises(CatalogError) as caught:
        load_text(tmp_path, VALID_TOPICS + entries)
    message = str(caught.value)
    assert f"{tmp_path / 'tips.toml'}: {expected}" in message


def test_missing_title_and_bad_url_are_named(tmp_path: Path) -> None:
    entry = '[[tips]]\nid = "sleep-a"\ntopic = "sleep"\nbody = "b"\n'
    entry += 'source = { name = "NHS", url = "http://insecure.example" }\n'
    with pytest.raises(CatalogError) as caught:
        load_text(tmp_path, VALID_TOPICS + entry)
    assert "tip #1 ('sleep-a'): title: missing" in str(caught.value)
    assert "tip #1 ('sleep-a'): source.url: must be an https:// link" in str(caught.value)


def test_topic_without_tips_and_bad_toml_and_missing_file(tmp_path: Path) -> None:
    extra_topic = '[topics.empty]\nname = "Empty"\ndescription = "Nothing here."\n'
    with pytest.raises(CatalogError, match=r"topics\.empty: no tips in this topic"):
        load_text(tmp_path, VALID_TOPICS + extra_topic + tip_toml("sleep-a"))
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_text(tmp_path, "[[tips]\n")
    with pytest.raises(CatalogError, match="file not found"):
        tips.load_catalog(tmp_path / "absent.toml")


def test_broken_fixture_reports_every_problem_with_repo_relative_path() -> None:
    with pytest.raises(CatalogError) as caught:
        tips.load_catalog(FIXTURES / "broken_tips.toml")
    label = "tests/fixtures/broken_tips.toml"
    problems = caught.value.problems
    assert str(caught.value).splitlines() == [f"{label}: {problem}" for problem in problems]
    assert problems == (
        "tip #2 ('massage-too-long'): body: too long (640 > 600)",
        "tip #3 ('sleep-duplicate'): source.name: missing",
    )


def test_broken_fixture_cross_checks_once_entries_are_valid(tmp_path: Path) -> None:
    # Cross-entry checks run only when every entry parses, so fix the field errors and look again.
    text = (FIXTURES / "broken_tips.toml").read_text(encoding="utf-8")
    text = re.sub(r'body = "x{640}"', 'body = "fixed"', text)
    text = text.replace('source = { url = "https://www.nhs.uk/" }', 'source = { name = "NHS" }')
    with pytest.raises(CatalogError) as caught:
        load_text(tmp_path, text)
    assert set(caught.value.problems) == {
        "tip #3 ('sleep-duplicate'): id: duplicate of tip #1",
        "tip #4 ('massage-wanders'): topic: unknown topic 'massages' (known: sleep, massage)",
        "tip #1 ('sleep-duplicate'): related: unknown tip id 'no-such-tip'",
    }


# --- Selection -------------------------------------------------------------------------------------

ALL_IDS = [tip.id for tip in CATALOG.tips]
TOPIC_IDS = [topic.id for topic in CATALOG.topics]


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    topic=st.none() | st.sampled_from(TOPIC_IDS),
    recent=st.lists(st.sampled_from([*ALL_IDS, "retired-tip"]), max_size=60),
)
def test_pick_avoids_recent_tips(seed: int, topic: str | None, recent: list[str]) -> None:
    candidates = CATALOG.tips_in(topic) if topic else CATALOG.tips
    tip = tips.pick_tip(CATALOG, topic, recent, random.Random(seed))
    assert tip in candidates
    if any(candidate.id not in recent for candidate in candidates):
        assert tip.id not in recent
    # Same seed, same answer: the bot can reproduce a pick from a logged seed.
    assert tips.pick_tip(CATALOG, topic, recent, random.Random(seed)) == tip


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(min_value=0), topic=st.sampled_from(TOPIC_IDS), data=st.data())
def test_all_seen_falls_back_to_least_recent(seed: int, topic: str, data: st.DataObject) -> None:
    ids = [tip.id for tip in CATALOG.tips_in(topic)]
    recent = data.draw(st.permutations(ids))
    # Seeing a tip again later in the list (longer ago) does not make it "older" than its latest view.
    recent = [*recent, recent[0]]
    picked = tips.pick_tip(CATALOG, topic, recent, random.Random(seed))
    assert picked.id == recent[-2]


def test_pick_covers_a_topic_before_repeating() -> None:
    rng = random.Random(7)
    history: list[str] = []
    for _ in range(len(CATALOG.tips_in("massage"))):
        history.insert(0, tips.pick_tip(CATALOG, "massage", history, rng).id)
    assert sorted(history) == sorted(tip.id for tip in CATALOG.tips_in("massage"))


def test_pick_with_unknown_topic_is_a_user_error() -> None:
    with pytest.raises(UserError):
        tips.pick_tip(CATALOG, "astrology", [], random.Random(1))


# --- Search ----------------------------------------------------------------------------------------


def top_ids(query: str, limit: int = 5) -> list[str]:
    return [hit.tip.id for hit in tips.search(CATALOG, query, limit)]


def test_burning_legs_finds_the_burning_sensations_tip_first() -> None:
    assert top_ids("burning legs")[0] == "symptoms-burning-crawling"
    assert top_ids("Burning LEGS!")[0] == "symptoms-burning-crawling"


def test_massage_finds_massage_tips() -> None:
    hits = tips.search(CATALOG, "massage")
    assert len(hits) == 5
    assert all(hit.tip.topic == "massage" for hit in hits)
    # A typo still lands in the right place.
    assert all(tip_id.startswith("massage-") for tip_id in top_ids("masage"))


@pytest.mark.parametrize("query", ["tai chi", "t'ai chi", "T’AI-CHI", "Tài chi"])
def test_tai_chi_spellings_find_the_tai_chi_tip(query: str) -> None:
    assert top_ids(query)[0] == "exercise-tai-chi"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("caffeine", "sleep-caffeine"),
        ("sleep diary", "sleep-diary"),
        ("night cramps", "misconceptions-cramps"),
        ("kidney", "causes-kidney"),
        ("my legs feel like crawling ants", "symptoms-burning-crawling"),
        ("dopamine", "causes-other-conditions"),
    ],
)
def test_other_real_queries(query: str, expected: str) -> None:
    assert top_ids(query)[0] == expected


@pytest.mark.parametrize(
    "query",
    [
        *("suicidal", "suicide", "kill myself", "want to die", "harm myself", "self harm"),
        *("depressed", "hopeless", "crisis", "i want to end my life"),
    ],
)
def test_words_of_a_crisis_find_the_get_help_now_tip_first(query: str) -> None:
    # Someone in a bad place searches in their own words; the tip with the crisis lines must come
    # first, whatever other tips share a word with the query.
    assert top_ids(query)[0] == "doctor-feeling-hopeless"


def test_keywords_are_searched_but_never_shown() -> None:
    tip = CATALOG.get("doctor-feeling-hopeless")
    assert tip is not None and "want to die" in tip.keywords
    assert "die" not in tips.normalise(tip.body).split()
    assert all(keyword not in tips.sources_field(tip)[1] for keyword in tip.keywords)


def test_results_are_sorted_and_above_the_cutoff() -> None:
    hits = tips.search(CATALOG, "back pain", limit=10)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert 0 < len(hits) <= 10
    assert tips.search(CATALOG, "xyzzy quux") == []


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "?!…"])
def test_empty_query_is_a_friendly_error(query: str) -> None:
    with pytest.raises(UserError) as caught:
        tips.search(CATALOG, query)
    assert "search" in caught.value.message.lower() or "type" in caught.value.message.lower()


def test_query_length_limit() -> None:
    with pytest.raises(UserError, match="101 characters"):
        tips.search(CATALOG, "a" * 101)
    assert tips.search(CATALOG, "x" * 100) == []  # 100 characters is still allowed


def test_normalise() -> None:
    assert tips.normalise("  T’ai-Chi,  Café! ") == "tai chi cafe"


# --- Autocomplete and "did you mean" ---------------------------------------------------------------


def test_empty_partial_suggests_the_first_25_titles() -> None:
    assert tips.suggest_titles(CATALOG, "") == [tip.title for tip in CATALOG.tips[:MAX_CHOICES]]


def test_suggestions_match_prefix_substring_and_typos() -> None:
    assert (
        tips.suggest_titles(CATALOG, "Why ev")[0] == "Why evenings and nights are often the hardest"
    )
    assert "Keep a sleep diary" in tips.suggest_titles(CATALOG, "diary")
    assert tips.suggest_titles(CATALOG, "t'ai")[0].startswith("T'ai chi")
    assert any("massage" in title.lower() for title in tips.suggest_titles(CATALOG, "massge"))
    # Normalising "ﬁ" gives "fi": a full-length partial grows past the query limit and must not fail.
    assert tips.suggest_titles(CATALOG, "ﬁ" * 100) == []


@given(partial=st.text(max_size=300))
def test_suggestions_never_fail_and_fit_discord(partial: str) -> None:
    titles = tips.suggest_titles(CATALOG, partial)
    assert len(titles) <= MAX_CHOICES
    assert all(0 < len(title) <= 100 for title in titles)
    assert len(set(titles)) == len(titles)


def test_resolve_tip_accepts_ids_and_titles() -> None:
    tip = CATALOG.tips[3]
    assert tips.resolve_tip(CATALOG, tip.id) == tip
    assert tips.resolve_tip(CATALOG, tip.title.upper()) == tip
    with pytest.raises(UserError):
        tips.resolve_tip(CATALOG, "xyzzy quux")


def test_did_you_mean_topics() -> None:
    assert [topic.id for topic in tips.did_you_mean(CATALOG, "iron")] == ["causes"]
    assert tips.did_you_mean(CATALOG, "sleeep")[0].id == "sleep"
    assert tips.did_you_mean(CATALOG, "xyzzy") == []


# --- Originality: facts from the article, never its sentences --------------------------------------
#
# The reference article is not ours to redistribute, so the repository keeps only hashes of its
# sentences and 6-word shingles (tests/fixtures/reference_fingerprints.txt). Regenerate them with
# `.venv/bin/python tests/test_tips.py /path/to/article.txt` if the reference ever changes.

SHINGLE = 6
MIN_SENTENCE_WORDS = 8
MAX_SHARED_SHINGLES = 2


def words_of(text: str) -> list[str]:
    return tips.normalise(text).split()


def digest(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:16]


def article_fingerprints(article: str) -> list[str]:
    lines = []
    for sentence in re.split(r"[.!?]+|\n", article):
        words = words_of(sentence)
        if len(words) >= MIN_SENTENCE_WORDS:
            lines.append(f"sentence {len(words)} {digest(words)}")
    words = words_of(article)
    shingles = {digest(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    lines.extend(f"shingle {SHINGLE} {value}" for value in sorted(shingles))
    return lines


def read_fingerprints() -> tuple[dict[int, set[str]], set[str]]:
    sentences: dict[int, set[str]] = {}
    shingles: set[str] = set()
    for line in FINGERPRINTS.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, size, value = line.split()
        if kind == "sentence":
            sentences.setdefault(int(size), set()).add(value)
        else:
            shingles.add(value)
    return sentences, shingles


def windows(words: list[str], size: int) -> set[str]:
    return {digest(words[i : i + size]) for i in range(len(words) - size + 1)}


def tip_text(tip: Tip) -> list[str]:
    return words_of(f"{tip.title}. {tip.body}")


def test_no_article_sentence_appears_in_any_tip() -> None:
    sentences, _ = read_fingerprints()
    assert sentences, "fingerprint fixture is empty"
    for tip in CATALOG.tips:
        words = words_of(tip.body)
        for size, hashes in sentences.items():
            assert not windows(words, size) & hashes, f"{tip.id} repeats an article sentence"


def test_six_word_overlap_with_the_article_is_tiny() -> None:
    _, shingles = read_fingerprints()
    shared = {(tip.id, value) for tip in CATALOG.tips for value in windows(tip_text(tip), SHINGLE)}
    overlapping = [pair for pair in shared if pair[1] in shingles]
    assert len(overlapping) <= MAX_SHARED_SHINGLES, overlapping


@pytest.mark.skipif(not REFERENCE_ARTICLE.exists(), reason="reference article not on this machine")
def test_fingerprints_match_the_reference_article() -> None:
    article = REFERENCE_ARTICLE.read_text(encoding="utf-8")
    stored = [line for line in FINGERPRINTS.read_text().splitlines() if not line.startswith("#")]
    assert stored == article_fingerprints(article)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE_ARTICLE
    header = [
        "# Hashes of the reference article's sentences (>= 8 words) and 6-word shingles.",
        "# Generated by tests/test_tips.py; lets the originality tests run without the article.",
    ]
    lines = header + article_fingerprints(source.read_text(encoding="utf-8"))
    FINGERPRINTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - len(header)} fingerprints to {FINGERPRINTS}")


def test_related_options_are_built_once_per_tip_and_each_menu_gets_its_own_list() -> None:
    from cogs.tips import related_options, tip_view

    catalog = tips.load_catalog()
    tip = next(t for t in catalog.tips if t.related)
    first, second = tip_view(catalog, tip, None, 1), tip_view(catalog, tip, None, 2)
    menus = [v.children[1] for v in (first, second)]
    assert [getattr(m, "custom_id", None) for m in menus] == [
        f"rls:tip:rel:{tip.id}:1",
        f"rls:tip:rel:{tip.id}:2",
    ]
    a, b = related_options(catalog, tip), related_options(catalog, tip)
    assert a == b and a is not b and all(x is y for x, y in zip(a, b, strict=True))
    assert [o.value for o in a] == [r for r in tip.related if catalog.get(r) is not None]
