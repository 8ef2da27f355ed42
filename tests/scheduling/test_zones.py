from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.scheduling import zones
from bot.scheduling.zones import is_valid_zone, resolve_zone, said_back, zone_choices

NOW = datetime(2026, 1, 15, 16, 42, tzinfo=UTC)  # winter in the north
SUMMER = datetime(2026, 7, 15, 16, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/BERLIN ", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("america / new york", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Etc/UTC", "Etc/UTC"),
        ("US/Eastern", "US/Eastern"),  # backward-compatible alias: unambiguous, accepted
        ("Asia/Calcutta", "Asia/Calcutta"),
        ("Japan", "Japan"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        ("Australia/Lord_Howe", "Australia/Lord_Howe"),
    ],
)
def test_resolve_zone_accepts(text: str, key: str) -> None:
    assert resolve_zone(text).key == key
    assert is_valid_zone(text)


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("EST", ["America/New_York", "America/Toronto"]),
        ("est", ["America/New_York"]),
        ("EDT", ["America/New_York"]),
        ("EST5EDT", ["America/New_York"]),
        ("CST", ["America/Chicago", "Asia/Shanghai"]),
        ("PST", ["America/Los_Angeles"]),
        ("MST", ["America/Denver", "America/Phoenix"]),
        ("BST", ["Europe/London", "Asia/Dhaka"]),
        ("IST", ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]),
        ("CET", ["Europe/Berlin", "Europe/Paris"]),
        # German readers' CET and CEST (found in a console walk: "MEZ" got no zone to pick).
        ("MEZ", ["Europe/Berlin", "Europe/Paris"]),
        ("mesz", ["Europe/Berlin"]),
        ("EET", ["Europe/Athens"]),
        ("GMT", ["Europe/London", "UTC"]),
        ("HST", ["Pacific/Honolulu"]),
        ("AEST", ["Australia/Sydney"]),
    ],
)
def test_abbreviations_get_friendly_error_with_real_zones(text: str, suggested: list[str]) -> None:
    with pytest.raises(UserError) as caught:
        resolve_zone(text)
    message = caught.value.message
    assert text in message
    assert "daylight saving" in message
    for zone in suggested:
        assert zone in message
    assert not is_valid_zone(text)


@pytest.mark.parametrize(
    ("text", "now", "suggested"),
    [
        ("UTC+2", NOW, ["Europe/Athens", "Africa/Cairo"]),  # EET in winter
        ("UTC+2", SUMMER, ["Europe/Berlin"]),  # CEST in summer
        ("GMT-5", NOW, ["America/New_York"]),
        ("utc -05:00", NOW, ["America/New_York"]),
        ("+05:30", NOW, ["Asia/Kolkata"]),
        ("UTC+5:45", NOW, ["Asia/Kathmandu"]),
        ("UTC−3", NOW, ["America/Sao_Paulo"]),  # a real minus sign
        ("GMT+0", NOW, ["Europe/London"]),
        ("UTC+15", NOW, []),
    ],
)
def test_bare_offsets_are_refused_with_zones_using_them(
    text: str, now: datetime, suggested: list[str]
) -> None:
    with pytest.raises(UserError) as caught:
        resolve_zone(text, now=now)
    message = caught.value.message
    assert text in message
    assert "daylight saving" in message
    for zone in suggested:
        assert zone in message
    mentioned = re.findall(r"[A-Z][a-z]+(?:/[A-Za-z_]+)+", message)
    assert len(mentioned) <= 4
    assert all(is_valid_zone(zone) for zone in mentioned)


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Berln", "Europe/Berlin"),
        ("Europe/Berln", "Europe/Berlin"),
        ("Kolkatta", "Asia/Kolkata"),
        ("los angles", "America/Los_Angeles"),
        ("Amerika/Chicago", "America/Chicago"),
        ("germany", "Europe/Berlin"),
        ("uk", "Europe/London"),
        # The countries a German-speaking member names in their own language.
        ("Deutschland", "Europe/Berlin"),
        ("Österreich", "Europe/Vienna"),
        ("oesterreich", "Europe/Vienna"),
        ("Schweiz", "Europe/Zurich"),
        # Typos of the places no zone is named after (the form asking for the zone has no list).
        ("Wein", "Europe/Vienna"),
        ("Munchn", "Europe/Berlin"),
        ("Müchen", "Europe/Berlin"),
    ],
)
def test_unknown_zones_get_nearest_matches(text: str, suggested: str) -> None:
    with pytest.raises(UserError) as caught:
        resolve_zone(text)
    assert "Did you mean" in caught.value.message
    assert suggested in caught.value.message


def test_a_typo_near_a_zone_city_is_not_also_offered_a_place() -> None:
    # "Berln" is as near Bern (Europe/Zurich) as Berlin: only the zone's own city is named.
    with pytest.raises(UserError) as caught:
        resolve_zone("Berln")
    assert "Europe/Berlin" in caught.value.message
    assert "Zurich" not in caught.value.message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Berlin", "Europe/Berlin"),  # what /help promises
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("  new   york ", "America/New_York"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("Kolkata", "Asia/Kolkata"),
        # Two names of one zone: the best-known is kept.
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Istanbul", "Europe/Istanbul"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        # German names of places, and the big cities of Germany, Austria and Switzerland.
        ("Wien", "Europe/Vienna"),
        ("München", "Europe/Berlin"),
        ("muenchen", "Europe/Berlin"),
        ("Munich", "Europe/Berlin"),
        ("Köln", "Europe/Berlin"),
        ("Frankfurt am Main", "Europe/Berlin"),
        ("Zürich", "Europe/Zurich"),
        ("st. gallen", "Europe/Zurich"),
        ("Graz", "Europe/Vienna"),
        ("Brüssel", "Europe/Brussels"),
        ("Prag", "Europe/Prague"),
        ("Rom", "Europe/Rome"),
    ],
)
def test_a_city_that_names_one_zone_is_accepted_and_said_back(text: str, key: str) -> None:
    zone = resolve_zone(text)
    assert zone.key == key
    assert said_back(text, zone) == f"{' '.join(text.split())} → {key}"


def test_a_zone_typed_in_full_is_said_back_as_itself() -> None:
    assert zones.said_back("europe / berlin", resolve_zone("europe / berlin")) == "Europe/Berlin"


def test_a_city_that_names_several_zones_offers_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # Today's tzdata has no such city once aliases count as one zone (the only candidate,
    # "West", is also the WEST abbreviation), so one is made up here.
    cities = {**zones._cities(), "springfield": ("America/Chicago", "America/New_York")}
    monkeypatch.setattr(zones, "_cities", lambda: cities)
    with pytest.raises(UserError) as caught:
        resolve_zone("Springfield")
    assert "America/Chicago or America/New_York: which one?" in caught.value.message


def test_every_city_names_one_zone_or_offers_the_choices() -> None:
    for city, names in zones._cities().items():
        assert names, city
        if len(names) == 1 and city.upper() not in zones._ABBREVIATIONS:
            # A zone's full name wins over a city of the same name ("Singapore").
            key = resolve_zone(city.replace("_", " ")).key
            assert key == names[0] or zones._same_clock(key, names[0]), city


@pytest.mark.parametrize(
    "text", ["Mars/Olympus_Mons", "xyzq", "", "   ", "a" * 10_000, "../../etc"]
)
def test_hopeless_input_is_refused_politely(text: str) -> None:
    with pytest.raises(UserError) as caught:
        resolve_zone(text)
    assert len(caught.value.message) < 300


@pytest.mark.parametrize("text", ["localtime", "Factory", "posixrules"])
def test_system_files_are_not_places(text: str) -> None:
    assert not is_valid_zone(text)


def test_every_accepted_name_loads_and_every_suggestion_is_accepted() -> None:
    for name in zoneinfo.available_timezones():
        if is_valid_zone(name):
            assert resolve_zone(name).key == name
    hinted = [*zones._COMMON_ZONES]
    for table in (zones._ABBREVIATIONS, zones._COUNTRIES):
        for suggestions in table.values():
            assert 1 <= len(suggestions) <= 4
            hinted.extend(suggestions)
    assert all(is_valid_zone(zone) for zone in hinted)


def test_utc_alone_is_accepted_but_not_other_legacy_abbreviations() -> None:
    legacy = {"EST", "MST", "HST", "CET", "EET", "WET", "MET", "EST5EDT", "PST8PDT", "GMT"}
    assert legacy <= zoneinfo.available_timezones()  # zoneinfo knows them ...
    assert not any(is_valid_zone(name) for name in legacy)  # ... we still refuse them
    assert all(is_valid_zone(name) for name in ("UTC", "Etc/UTC", "Zulu"))


LABEL = re.compile(r"(?P<zone>[A-Za-z0-9_+\-/]+) — (?P<time>\d\d:\d\d) now")


def _check_choices(choices: list[tuple[str, str]]) -> None:
    assert len(choices) <= 25
    for value, label in choices:
        assert len(value) <= 100
        assert len(label) <= 100
        assert LABEL.fullmatch(label), label
        assert is_valid_zone(value)


def test_choices_labels_show_local_time_now() -> None:
    choices = dict(zone_choices("berl", NOW))
    assert choices["Europe/Berlin"] == "Europe/Berlin — 17:42 now"
    assert dict(zone_choices("york", NOW))["America/New_York"] == "America/New_York — 11:42 now"
    assert dict(zone_choices("kathm", NOW))["Asia/Kathmandu"] == "Asia/Kathmandu — 22:27 now"
    assert dict(zone_choices("berl", SUMMER))["Europe/Berlin"] == "Europe/Berlin — 18:42 now"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("berl", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("york", "America/New_York"),
        ("new york", "America/New_York"),
        ("europe/lon", "Europe/London"),
        ("LONDON", "Europe/London"),
        ("londn", "Europe/London"),
        ("syd", "Australia/Sydney"),
        ("pst", "America/Los_Angeles"),
        ("ist", "Asia/Kolkata"),
        ("germany", "Europe/Berlin"),
        ("deutschland", "Europe/Berlin"),
        ("MEZ", "Europe/Berlin"),
        ("Etc/GMT+5", "Etc/GMT+5"),
    ],
)
def test_choices_find_by_name_or_city(query: str, first: str) -> None:
    choices = zone_choices(query, NOW)
    assert choices[0][0] == first
    _check_choices(choices)


def test_empty_query_gives_common_zones_west_to_east() -> None:
    choices = zone_choices("", NOW)
    assert len(choices) == 25
    values = [value for value, _ in choices]
    assert {"America/New_York", "Europe/London", "Asia/Kolkata", "UTC"} <= set(values)
    offsets = [NOW.astimezone(zoneinfo.ZoneInfo(value)).utcoffset() for value in values]
    assert offsets == sorted(offsets)  # type: ignore[type-var]
    _check_choices(choices)


def test_choices_limits() -> None:
    assert len(zone_choices("a", NOW)) == 25
    assert len(zone_choices("a", NOW, limit=100)) == 25
    assert len(zone_choices("a", NOW, limit=5)) == 5
    assert zone_choices("zzzzzzzz", NOW) == []
    _check_choices(zone_choices("x" * 10_000, NOW))
    with pytest.raises(ValueError):
        zone_choices("berl", datetime(2026, 1, 1))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_choices_never_crash_and_stay_within_discord_limits(query: str) -> None:
    _check_choices(zone_choices(query, NOW))


def test_autocomplete_offers_the_zone_of_a_german_place_as_it_is_typed() -> None:
    now = datetime(2026, 3, 3, tzinfo=UTC)
    assert zone_choices("Wien", now)[0][0] == "Europe/Vienna"
    assert zone_choices("Münch", now)[0][0] == "Europe/Berlin"
    assert zone_choices("Zür", now)[0][0] == "Europe/Zurich"
    # Real zone cities still come first where they match.
    assert zone_choices("Berlin", now)[0][0] == "Europe/Berlin"
