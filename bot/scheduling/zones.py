"""Turning what users type into an IANA time zone, and suggesting zones while they type.

Decisions:

* Names are matched case-insensitively, spaces count as underscores ("europe/new york" works).
* Abbreviations (EST, CST, BST, IST, CET, ...) and bare offsets (UTC+2, GMT-5, +05:30) are refused
  with a friendly explanation and a few real zones, even where tzdata knows the name ("EST",
  "CET", "EST5EDT"): they are ambiguous or ignore daylight saving, which is exactly how reminders
  end up an hour off. Plain UTC ("UTC", "Etc/UTC", "Zulu", ...) is accepted on purpose.
* "GMT" and "Greenwich" are refused too: people typing them usually mean UK time, which is not
  GMT in summer. Explicit "Etc/GMT", "Etc/GMT+5" etc. are accepted as a deliberate choice (the
  autocomplete label shows their current local time, which exposes the inverted POSIX sign).
* Backward-compatible aliases such as "US/Eastern", "Asia/Calcutta", "Japan" are accepted: each
  names exactly one DST-following zone, so there is nothing to get wrong.
* A bare city ("New York", "berlin": the last part of a zone's name) is accepted when it names
  one zone (aliases such as Asia/Istanbul and Europe/Istanbul are one zone: the best-known name
  is kept), and callers say the zone back ("Berlin → Europe/Berlin", see :func:`said_back`).
  A city naming several different zones ("West") gets the choices. A country ("germany", "uk")
  is not guessed; it gets "Did you mean Europe/Berlin?". In autocomplete, an abbreviation or
  country lists its likely zones first ("pst" -> America/Los_Angeles).
* "localtime", "Factory" and "posixrules" are refused: they are system files, not places.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.errors import UserError
from bot.i18n.speech import N_, OneOf, Quoted, Said
from bot.scheduling.recurrence import load_zone

__all__ = ["MAX_CHOICES", "is_valid_zone", "resolve_zone", "said_back", "zone_choices"]

MAX_CHOICES = 25  # Discord's autocomplete limit
_MAX_LABEL = 100  # Discord's limit for a choice's name and value
_MAX_INPUT = 64  # the longest IANA name is 32 characters
_MAX_SUGGESTIONS = 4
_FUZZY_CUTOFF = 75  # fuzz.ratio; below this the suggestions for typos were mostly unrelated

_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})

_EASTERN = ("America/New_York", "America/Toronto", "America/Panama")
_CENTRAL = ("America/Chicago", "America/Mexico_City", "Asia/Shanghai", "America/Havana")
_MOUNTAIN = ("America/Denver", "America/Edmonton", "America/Phoenix")
_PACIFIC = ("America/Los_Angeles", "America/Vancouver", "Asia/Manila")
_ATLANTIC = ("America/Halifax", "America/Puerto_Rico", "Asia/Riyadh")
_UK = ("Europe/London", "Europe/Dublin", "UTC")
_WESTERN_EUROPE = ("Europe/Lisbon", "Atlantic/Canary", "Europe/London")
_CENTRAL_EUROPE = ("Europe/Berlin", "Europe/Paris", "Europe/Rome", "Europe/Madrid")
_EASTERN_EUROPE = ("Europe/Athens", "Europe/Helsinki", "Europe/Kyiv", "Africa/Cairo")
_AUSTRALIA_EAST = ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane")

# Abbreviations people type, upper-cased, with the real zones they most likely mean.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("EST", "EDT", "ET", "EST5EDT", "EASTERN"), _EASTERN),
    **dict.fromkeys(("CST", "CDT", "CT", "CST6CDT", "CENTRAL"), _CENTRAL),
    **dict.fromkeys(("MST", "MDT", "MT", "MST7MDT", "MOUNTAIN"), _MOUNTAIN),
    **dict.fromkeys(("PST", "PDT", "PT", "PST8PDT", "PACIFIC"), _PACIFIC),
    **dict.fromkeys(("AKST", "AKDT"), ("America/Anchorage", "America/Juneau")),
    **dict.fromkeys(("HST", "HDT"), ("Pacific/Honolulu", "America/Adak")),
    **dict.fromkeys(("AST", "ADT"), _ATLANTIC),
    **dict.fromkeys(("NST", "NDT"), ("America/St_Johns",)),
    **dict.fromkeys(("GMT", "GMT0", "GMT+0", "GMT-0", "GREENWICH", "UT"), _UK),
    "BST": ("Europe/London", "Asia/Dhaka"),
    "IST": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    **dict.fromkeys(("WET", "WEST"), _WESTERN_EUROPE),
    # MEZ and MESZ: CET and CEST as German speakers write them.
    **dict.fromkeys(("CET", "CEST", "MET", "MEST", "MEZ", "MESZ"), _CENTRAL_EUROPE),
    **dict.fromkeys(("EET", "EEST"), _EASTERN_EUROPE),
    "MSK": ("Europe/Moscow", "Europe/Minsk"),
    **dict.fromkeys(("AEST", "AEDT"), _AUSTRALIA_EAST),
    **dict.fromkeys(("ACST", "ACDT"), ("Australia/Adelaide", "Australia/Darwin")),
    "AWST": ("Australia/Perth",),
    **dict.fromkeys(("NZST", "NZDT"), ("Pacific/Auckland",)),
    "JST": ("Asia/Tokyo",),
    "KST": ("Asia/Seoul",),
    "HKT": ("Asia/Hong_Kong",),
    "SGT": ("Asia/Singapore",),
    "PHT": ("Asia/Manila",),
    "WIB": ("Asia/Jakarta",),
    "ICT": ("Asia/Bangkok", "Asia/Ho_Chi_Minh"),
    "PKT": ("Asia/Karachi",),
    "SAST": ("Africa/Johannesburg",),
    "CAT": ("Africa/Maputo", "Africa/Harare"),
    "EAT": ("Africa/Nairobi", "Africa/Addis_Ababa"),
    "WAT": ("Africa/Lagos", "Africa/Kinshasa"),
    "BRT": ("America/Sao_Paulo",),
    "ART": ("America/Argentina/Buenos_Aires",),
}

# Country names people type instead of a zone. Only ever suggestions, never silently accepted.
_COUNTRIES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("uk", "england", "britain", "great_britain", "scotland", "wales"), _UK[:1]),
    "ireland": ("Europe/Dublin",),
    **dict.fromkeys(
        ("us", "usa", "united_states", "america"),
        ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    ),
    "canada": ("America/Toronto", "America/Vancouver", "America/Edmonton", "America/Halifax"),
    "mexico": ("America/Mexico_City", "America/Tijuana", "America/Cancun"),
    "brazil": ("America/Sao_Paulo", "America/Manaus"),
    **dict.fromkeys(("germany", "deutschland"), ("Europe/Berlin",)),
    **dict.fromkeys(("austria", "österreich", "oesterreich"), ("Europe/Vienna",)),
    **dict.fromkeys(("switzerland", "schweiz"), ("Europe/Zurich",)),
    "france": ("Europe/Paris",),
    "spain": ("Europe/Madrid", "Atlantic/Canary"),
    "italy": ("Europe/Rome",),
    "netherlands": ("Europe/Amsterdam",),
    "sweden": ("Europe/Stockholm",),
    "poland": ("Europe/Warsaw",),
    "russia": ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok"),
    "india": ("Asia/Kolkata",),
    "china": ("Asia/Shanghai",),
    "australia": (*_AUSTRALIA_EAST, "Australia/Perth"),
    "new_zealand": ("Pacific/Auckland",),
    "south_africa": ("Africa/Johannesburg",),
}

# Shown for an empty autocomplete query (first 25), ordered west to east there, and searched for
# zones matching a bare offset. Chosen for population and for this community's likely members.
_COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Halifax",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    # Below: not in the default list, but good answers for "UTC+x".
    "America/St_Johns",
    "America/Vancouver",
    "America/Bogota",
    "America/Santiago",
    "Atlantic/Azores",
    "Atlantic/Cape_Verde",
    "Europe/Lisbon",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Europe/Istanbul",
    "Asia/Tehran",
    "Asia/Kabul",
    "Asia/Karachi",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Yangon",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Seoul",
    "Australia/Eucla",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Pacific/Chatham",
    "Pacific/Tongatapu",
    "Pacific/Kiritimati",
    "Pacific/Marquesas",
    "Pacific/Pago_Pago",
)
# The current geographic areas; names outside them ("US/Eastern", "Japan") are old aliases.
_MAIN_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_OFFSET = re.compile(r"(?:utc|gmt|ut|z)?\s*([+\-−–])\s*(\d{1,2})(?:[:.h]?(\d{2}))?")
_ABBREVIATION_LIKE = re.compile(r"[A-Z]{2,5}")


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    lower: str  # "america/new_york"
    city: str  # "new_york"
    words: str  # "america new york", for fuzzy matching
    rank: tuple[int, int, str]  # common zones first, then the main areas, then the rest


@functools.cache
def _catalog() -> tuple[tuple[_Entry, ...], dict[str, str]]:
    """All accepted zone names, computed once: available_timezones() walks the disk."""
    common = {name: i for i, name in enumerate(_COMMON_ZONES)}
    entries = []
    for name in zoneinfo.available_timezones():
        if name in _NOT_PLACES or name.upper() in _ABBREVIATIONS:
            continue
        lower = name.lower()
        area = name.split("/", 1)[0]
        rank = (common.get(name, len(common)), 0 if area in _MAIN_AREAS else 1, lower)
        words = lower.replace("/", " ").replace("_", " ").replace("-", " ")
        entries.append(_Entry(name, lower, lower.rsplit("/", 1)[-1], words, rank))
    entries.sort(key=lambda entry: entry.rank)
    return tuple(entries), {entry.lower: entry.name for entry in entries}


def resolve_zone(name: str, *, now: datetime | None = None) -> ZoneInfo:
    """The zone a user meant, or a UserError explaining what to type instead.

    ``now`` only steers suggestions for offsets like "UTC+2" (which zones use it this year).
    """
    text = " ".join(name.split())
    if not text:
        raise UserError(N_("Please give your time zone, e.g. Europe/London or America/New_York."))
    if len(text) > _MAX_INPUT:
        raise UserError(N_("That's too long for a time zone name. Try e.g. Europe/London."))
    suggestions = _ABBREVIATIONS.get(text.upper().replace(" ", ""))
    if suggestions is not None:
        raise UserError(
            N_(
                "{typed} is an abbreviation, and those are ambiguous or don't follow daylight "
                "saving time, so your reminders could end up an hour off. Please pick the zone of "
                "a city instead, for example {zones}."
            ),
            typed=_quote(text),
            zones=OneOf(suggestions),
        )
    if offset := _OFFSET.fullmatch(text.lower()):
        raise _offset_message(text, offset, now)
    key = _normalise(text)
    canonical = _catalog()[1].get(key)
    if canonical is None:
        zones = _cities().get(key, ())
        if len(zones) > 1:
            raise UserError(
                N_(
                    "{typed} could be {zones}: which one? Type its full name, or pick it from the "
                    "list while typing."
                ),
                typed=_quote(text),
                zones=OneOf(zones),
            )
        if not zones:
            raise _unknown_message(text, key)
        canonical = zones[0]
    return load_zone(canonical)


def said_back(typed: str, zone: ZoneInfo) -> str:
    """The zone as a reply names it: "Berlin → Europe/Berlin" when a city was typed, so the
    person sees which zone their words became; the zone's name alone otherwise."""
    if _normalise(" ".join(typed.split())) == zone.key.lower():
        return zone.key
    return f"{' '.join(typed.split())[:40]} → {zone.key}"


# Places people type that are not the last part of a zone name: the German names of zone cities
# ("Wien", "Prag") and the big cities of Germany, Austria and Switzerland (in German and English),
# which share their country's zone. Umlauts may be typed as ae/oe/ue too.
_PLACES: dict[str, tuple[str, ...]] = {
    "Europe/Berlin": (
        "München",
        "Munich",
        "Hamburg",
        "Köln",
        "Cologne",
        "Frankfurt",
        "Frankfurt am Main",
        "Stuttgart",
        "Düsseldorf",
        "Dortmund",
        "Essen",
        "Leipzig",
        "Bremen",
        "Dresden",
        "Hannover",
        "Hanover",
        "Nürnberg",
        "Nuremberg",
        "Duisburg",
        "Bochum",
        "Wuppertal",
        "Bielefeld",
        "Bonn",
        "Münster",
        "Mannheim",
        "Karlsruhe",
        "Augsburg",
        "Wiesbaden",
        "Kiel",
        "Freiburg",
        "Rostock",
        "Kassel",
        "Mainz",
        "Erfurt",
        "Potsdam",
        "Magdeburg",
        "Saarbrücken",
        "Regensburg",
        "Würzburg",
        "Göttingen",
        "Heidelberg",
    ),
    "Europe/Vienna": (
        "Wien",
        "Graz",
        "Linz",
        "Salzburg",
        "Innsbruck",
        "Klagenfurt",
    ),
    "Europe/Zurich": (
        "Zürich",
        "Basel",
        "Bern",
        "Genf",
        "Geneva",
        "Lausanne",
        "Luzern",
        "Lucerne",
        "St. Gallen",
        "Winterthur",
    ),
    "Europe/Brussels": ("Brüssel", "Antwerpen"),
    "Europe/Copenhagen": ("Kopenhagen",),
    "Europe/Prague": ("Prag",),
    "Europe/Warsaw": ("Warschau",),
    "Europe/Rome": ("Rom", "Mailand", "Venedig", "Neapel", "Bozen"),
    "Europe/Lisbon": ("Lissabon",),
    "Europe/Moscow": ("Moskau",),
    "Europe/Athens": ("Athen",),
    "Europe/Bucharest": ("Bukarest",),
    "Europe/Belgrade": ("Belgrad",),
    "Europe/Luxembourg": ("Luxemburg",),
    "Europe/Amsterdam": ("Den Haag",),
    "Europe/Paris": ("Nizza",),
}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@functools.cache
def _places() -> dict[str, str]:
    """Typed place (as ``_normalise`` spells it) -> zone, for the names in ``_PLACES``."""
    found: dict[str, str] = {}
    for zone, names in _PLACES.items():
        for name in names:
            key = _normalise(name)
            found[key] = zone
            found[key.translate(_UMLAUTS)] = zone
    return found


@functools.cache
def _cities() -> dict[str, tuple[str, ...]]:
    """City (a zone name's last part, as typed: "new_york") -> the different zones it names,
    best-known name first. Names that are aliases of one zone count once."""
    by_city: dict[str, list[str]] = {}
    for entry in _catalog()[0]:  # rank order: common zones, then the main areas
        if entry.name.startswith("Etc/"):
            continue  # offsets and UTC spellings, not places
        by_city.setdefault(entry.city, []).append(entry.name)
    cities: dict[str, tuple[str, ...]] = {}
    for city, names in by_city.items():
        distinct: list[str] = []
        for name in names:
            if not any(_same_clock(name, kept) for kept in distinct):
                distinct.append(name)
        cities[city] = tuple(distinct)
    for place, zone in _places().items():
        cities.setdefault(place, (zone,))
    return cities


# Weekly instants over the years reminders care about: two names whose clocks agree at all of
# them are one zone under two names (an alias) as far as this bot is concerned.
_SAMPLES = tuple(
    datetime(2000, 1, 3, 12, tzinfo=UTC) + timedelta(days=7 * week) for week in range(52 * 40)
)


def _same_clock(a: str, b: str) -> bool:
    zone_a, zone_b = load_zone(a), load_zone(b)
    return all(
        t.astimezone(zone_a).utcoffset() == t.astimezone(zone_b).utcoffset() for t in _SAMPLES
    )


def is_valid_zone(name: str) -> bool:
    try:
        resolve_zone(name)
    except UserError:
        return False
    return True


def zone_choices(query: str, now: datetime, limit: int = MAX_CHOICES) -> list[tuple[str, str]]:
    """Autocomplete choices as (value, label), e.g. ("Europe/Berlin", "Europe/Berlin — 17:42 now")."""
    if now.tzinfo is None:
        raise ValueError("zone_choices needs an aware 'now'")
    limit = max(0, min(limit, MAX_CHOICES))
    key = _normalise(" ".join(query[:_MAX_INPUT].split()))
    if key:
        # "Wien", "Münch": a place's zone first, then the zones whose names match.
        places = [zone for place, zone in _places().items() if place.startswith(key)]
        names = list(dict.fromkeys([*places, *_search(key, limit)]))[:limit]
    else:
        # West to east reads like a map, which makes the default list easy to scan.
        names = sorted(_COMMON_ZONES[:MAX_CHOICES], key=lambda zone: _offset_at(zone, now))
        names = names[:limit]
    return [(zone, _label(zone, now)) for zone in names]


def _hints(key: str) -> tuple[str, ...]:
    """What someone typing an abbreviation ("pst") or a country ("germany") most likely wants."""
    return _ABBREVIATIONS.get(key.upper()) or _COUNTRIES.get(key, ())


def _search(key: str, limit: int) -> list[str]:
    """Names for ``key`` (normalised): hints, exact, city prefix, name prefix, substring, fuzzy."""
    entries, _ = _catalog()
    tiers: tuple[list[str], ...] = (list(_hints(key)), [], [], [], [])
    for entry in entries:  # already in rank order, so each tier stays ranked
        if entry.lower == key:
            tiers[1].append(entry.name)
        elif entry.city.startswith(key):
            tiers[2].append(entry.name)
        elif entry.lower.startswith(key):
            tiers[3].append(entry.name)
        elif key in entry.lower:
            tiers[4].append(entry.name)
    found = list(dict.fromkeys(name for tier in tiers for name in tier))[:limit]
    if found or len(key) < 3:
        # Fuzzy matches next to real substring matches are mostly noise ("kolk" -> Bangkok).
        return found
    # Typos ("berln", "new yrok"): score the city alone and the whole name, keep the better;
    # only then the places people type that no zone is named after ("Wein" for Wien: "Berln"
    # is nearer Berlin than Bern, and suggesting Zurich too would only puzzle).
    query = key.replace("/", " ").replace("_", " ")
    names = [entry.name for entry in entries]
    scores: dict[str, float] = {}
    for choices, named in (
        (_fuzzy_cities(), names),
        (_fuzzy_words(), names),
        (_fuzzy_places(), list(_places().values())),
    ):
        if scores and named is not names:
            break
        for _, score, index in process.extract(
            query, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=_FUZZY_CUTOFF
        ):
            scores[named[index]] = max(score, scores.get(named[index], 0.0))
    rank = {entry.name: entry.rank for entry in entries}
    return sorted(scores, key=lambda name: (-scores[name], rank[name]))[:limit]


@functools.cache
def _fuzzy_cities() -> list[str]:
    return [entry.city.replace("_", " ").replace("-", " ") for entry in _catalog()[0]]


@functools.cache
def _fuzzy_places() -> list[str]:
    return [place.replace("_", " ").replace("-", " ") for place in _places()]


@functools.cache
def _fuzzy_words() -> list[str]:
    return [entry.words for entry in _catalog()[0]]


def _label(zone: str, now: datetime) -> str:
    label = f"{zone} — {now.astimezone(load_zone(zone)):%H:%M} now"
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _offset_at(zone: str, instant: datetime) -> float:
    offset = instant.astimezone(load_zone(zone)).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _offset_message(text: str, offset: re.Match[str], now: datetime | None) -> UserError:
    sign = -1 if offset[1] != "+" else 1
    minutes = sign * (int(offset[2]) * 60 + int(offset[3] or 0))
    year = (now or datetime.now(UTC)).year
    # Zones that use this offset at some point this year (winter or summer).
    samples = [datetime(year, month, 15, 12, tzinfo=UTC) for month in (1, 7)]
    matches = [
        zone
        for zone in _COMMON_ZONES
        if any(_offset_at(zone, sample) == minutes * 60 for sample in samples)
    ][:_MAX_SUGGESTIONS]
    if matches:
        return UserError(
            N_(
                "{typed} is a fixed UTC offset, which doesn't follow daylight saving time, so "
                "your reminders could end up an hour off for part of the year. Please pick the "
                "zone of a city near you instead, for example {zones}. (If you really want no "
                "clock changes, use UTC.)"
            ),
            typed=_quote(text),
            zones=OneOf(matches),
        )
    return UserError(
        N_(
            "{typed} is a fixed UTC offset, which doesn't follow daylight saving time, so your "
            "reminders could end up an hour off for part of the year. Please pick the zone of a "
            "city near you instead. (If you really want no clock changes, use UTC.)"
        ),
        typed=_quote(text),
    )


class UnknownZone(UserError):
    """A zone that cannot be read, with the zones it may have meant (`suggestions`, maybe none):
    a command can offer them to pick instead of asking for the name to be typed again."""

    def __init__(self, message: str, /, *, suggestions: tuple[str, ...], **params: object) -> None:
        super().__init__(message, **params)
        self.suggestions = suggestions


def _unknown_message(text: str, key: str) -> UnknownZone:
    # One or two letters match dozens of names by substring; suggesting those would be noise.
    suggestions = _search(key, _MAX_SUGGESTIONS) if len(key) >= 3 else list(_hints(key))
    abbreviation = bool(_ABBREVIATION_LIKE.fullmatch(text))
    note = (
        N_(" (Abbreviations like CST are ambiguous, so city names are used instead.)")
        if abbreviation
        else ""
    )
    if suggestions:
        return UnknownZone(
            N_("I don't know the time zone {typed}. Did you mean {zones}?{note}"),
            suggestions=tuple(suggestions),
            typed=_quote(text),
            zones=OneOf(suggestions),
            note=Said(note),
        )
    return UnknownZone(
        N_(
            "I don't know the time zone {typed}. Start typing your nearest big city and pick it "
            "from the list.{note}"
        ),
        suggestions=(),
        typed=_quote(text),
        note=Said(note),
    )


def _normalise(text: str) -> str:
    """Lower case, no spaces around slashes, other spaces as underscores: IANA spelling."""
    return re.sub(r"\s*/\s*", "/", text.strip()).replace(" ", "_").lower()


def _quote(text: str) -> Quoted:
    flat = text.replace("`", "'")
    return Quoted(flat if len(flat) <= 40 else flat[:39] + "…")
