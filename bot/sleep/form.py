"""What someone typed for one night, checked and turned into a :class:`SleepEntry`.

Every problem is a :class:`UserError` naming the field and what would work, and nothing is stored
unless the whole entry is valid.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clinical.nights import NO_REGION_WORDS, check_rest_minutes, parse_regions
from bot.errors import UserError
from bot.i18n.speech import ENGLISH_SPEAKER, N_, Day, Duration, Moment, Phrase, Said, Speaker
from bot.scheduling.parsing import parse_day_word, parse_time
from bot.scheduling.recurrence import load_zone, local_date_of
from bot.sleep.entry import KNOWN_TAGS, SleepEntry, tag_label, utc
from bot.sleep.metrics import hours_minutes, sleep_window, time_in_bed
from bot.sleep.times import before_wake, local_clock, morning_instant

MAX_NOTE = 500
MAX_MINUTES = 12 * 60
MAX_COUNT = 50
MAX_TIME_IN_BED = timedelta(hours=24)
# From here on a night is possible but unusual enough to ask "is that right?" before saving.
LONG_TIME_IN_BED = timedelta(hours=16)
MAX_NAPS = 10
MAX_DAYS_BACK = 366
MAX_CUSTOM_TAGS = 3
MAX_CUSTOM_TAG = 24


def _is_custom_tag(word: str) -> bool:
    """Letters of any script (with their combining marks, e.g. Hindi vowel signs), digits,
    spaces, hyphens and underscores, starting with a letter or digit; at most 24 characters."""
    if not word or len(word) > MAX_CUSTOM_TAG or not (word[0].isalpha() or word[0].isdecimal()):
        return False
    return all(
        c.isalpha() or c.isdecimal() or c in " _-" or unicodedata.category(c).startswith("M")
        for c in word
    )


def _tag_word(typed: str) -> str:
    """One typed tag as stored: NFC, lower case, inner spaces single ("Müde" is "müde")."""
    return " ".join(unicodedata.normalize("NFC", typed).split()).lower()


_NIGHT_FORMATS = N_("Use a date like 2026-03-03, or “today” / “yesterday”.")


@dataclass
class NightForm:
    """Raw answers; None means "not given": unknown, never taken as 0."""

    into_bed: str | None = None
    tried_sleep: str | None = None  # default: the into-bed time
    sleep_latency_min: int | None = None
    awakenings: int | None = None  # not counting the final awakening
    awake_min: int | None = None  # between first falling asleep and the final awakening
    final_wake: str | None = None
    out_of_bed: str | None = None
    quality: int | None = None
    severity: int | None = None
    rls_onset: str | None = None
    rls_out_of_bed: int | None = None
    naps: int | None = None  # the day before the night
    nap_min: int | None = None
    tags: set[str] = field(default_factory=set)
    tag_text: str | None = None  # typed, comma-separated: known tag names or custom tags
    note: str | None = None
    # Where symptoms were felt: picked (region keys; None: not answered, empty: none) and/or typed
    # ("legs, arms", or "none"); minutes at rest before they started.
    body_regions: set[str] | None = None
    region_text: str | None = None
    rest_min: int | None = None

    @classmethod
    def from_entry(cls, entry: SleepEntry) -> NightForm:
        zone = load_zone(entry.timezone)
        return cls(
            into_bed=local_clock(entry.into_bed, zone),
            # Blank, the form's "same as into bed", when it was: changing only the bed time
            # then moves both, instead of leaving "tried to sleep" before "into bed".
            tried_sleep=(
                None
                if entry.tried_sleep == entry.into_bed
                else local_clock(entry.tried_sleep, zone)
            ),
            sleep_latency_min=entry.sleep_latency_min,
            awakenings=entry.awakenings,
            awake_min=entry.awake_min,
            final_wake=local_clock(entry.final_wake, zone),
            out_of_bed=None if entry.out_of_bed is None else local_clock(entry.out_of_bed, zone),
            quality=entry.quality,
            severity=entry.severity,
            rls_onset=None if entry.rls_onset is None else local_clock(entry.rls_onset, zone),
            rls_out_of_bed=entry.rls_out_of_bed,
            naps=entry.naps,
            nap_min=entry.nap_min,
            tags=set(entry.tags),
            note=entry.note,
            body_regions=None if entry.body_regions is None else set(entry.body_regions),
            rest_min=entry.rest_min,
        )


def parse_night(text: str | None, today: date) -> date:
    """The night's date (the morning it ends); None means today's morning."""
    if text is None or not text.strip():
        return today
    cleaned = text.strip().lower()
    if cleaned in {"today", "last night", "tonight"}:
        return today
    if cleaned == "yesterday":
        return today - timedelta(days=1)
    if (named := parse_day_word(text, today)) is not None:  # "gestern", "3.3.2026"
        return named
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise UserError(
            N_("I couldn't read “{typed}” as a night. {formats}"),
            typed=text.strip()[:24],
            formats=Said(_NIGHT_FORMATS),
        ) from None


def check_night(night: date, today: date) -> date:
    if night > today:
        raise UserError(
            N_(
                "The night ending {night} hasn't happened yet. Nights are dated by the "
                "morning they end, so last night is today's date."
            ),
            night=Day(night, "full", "%a %d %b %Y"),
        )
    if night < today - timedelta(days=MAX_DAYS_BACK):
        raise UserError(
            N_("That night is more than a year ago; I keep the diary for the last year.")
        )
    return night


# What people type for the known tags: their keys, labels, and a few short forms.
_TAG_WORDS = {
    **{key.replace("_", " "): key for key in KNOWN_TAGS},
    **{label.lower(): key for key, label in KNOWN_TAGS.items()},
    "coffee": "caffeine",
    "stretch": "stretched",
    "stretching": "stretched",
    "meds": "medication",
    "medicine": "medication",
    "stressful": "stress",
    # German, as a person types them (the labels in German, and short forms).
    "koffein": "caffeine",
    "kaffee": "caffeine",
    "alkohol": "alcohol",
    "spätes essen": "late_meal",
    "spaetes essen": "late_meal",
    "sport": "exercise",
    "bewegung": "exercise",
    "gedehnt": "stretched",
    "dehnen": "stretched",
    "dehnübungen": "stretched",
    "eisen": "iron",
    "eisenpräparat": "iron",
    "medikament": "medication",
    "medikament genommen": "medication",
    "medikamente": "medication",
    "stress": "stress",
    "stressiger tag": "stress",
}


def parse_tags(chosen: set[str], custom: str | None = None) -> frozenset[str]:
    """Known tags by key (from a select) plus comma-separated words someone typed: words that
    name a known tag become that tag, the rest are custom tags (at most three)."""
    tags = {t for t in chosen if t in KNOWN_TAGS}
    unknown = set(chosen) - tags
    words = [_tag_word(w) for w in (custom or "").split(",") if w.strip()]
    words += sorted(_tag_word(w) for w in unknown)
    words = [known for w in words for known in _known_tags_joined(w) or [w]]
    words = [as_known_tag(w) for w in words]
    extra = [w for w in dict.fromkeys(words) if w not in KNOWN_TAGS]
    for word in extra:
        known = close_known_tag(word)
        if known is not None:
            raise UserError(
                N_(
                    "“{word}” isn't one of the usual tags: did you mean {tag}? "
                    "Type it that way to count it with your other nights."
                ),
                word=word[:24],
                tag=Said(tag_label(known)),
            )
    if len(extra) > MAX_CUSTOM_TAGS:
        raise UserError(N_("Up to {count} custom tags per night, please."), count=MAX_CUSTOM_TAGS)
    for word in extra:
        if not _is_custom_tag(word):
            raise UserError(
                N_("“{word}” can't be a tag: use up to 24 letters, digits, spaces or dashes."),
                word=word[:24],
            )
    known_words = {w for w in words if w in KNOWN_TAGS}
    return frozenset(tags | known_words | set(extra))


def as_known_tag(word: str) -> str:
    """A typed word naming a usual tag (in English or German, "late_meal" too) as that tag."""
    return _TAG_WORDS.get(word.replace("_", " "), word)


_AND = re.compile(r"\s*(?:&|\band\b|\bund\b)\s*")


def _known_tags_joined(word: str) -> list[str] | None:
    """ "caffeine and alcohol" as the usual tags it joins; None unless every part is one (an own
    tag such as "salt and vinegar" stays whole)."""
    parts = [p for p in _AND.split(word) if p]
    if len(parts) < 2:
        return None
    known = [as_known_tag(p) for p in parts]
    return known if all(k in KNOWN_TAGS for k in known) else None


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbouring letters ("caffiene") each cost 1."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def close_known_tag(word: str) -> str | None:
    """The known tag a typed word is probably a typo of, or None. Strict on purpose (one slip in
    a short word, two in a longer one) so that real custom tags such as "no caffeine" stay."""
    if len(word) < 4:
        return None
    limit = 1 if len(word) <= 5 else 2
    best: tuple[int, str] | None = None
    for spelling, key in _TAG_WORDS.items():
        if abs(len(spelling) - len(word)) > limit:
            continue
        distance = _edit_distance(word, spelling)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, key)
    return None if best is None else best[1]


def build_entry(
    form: NightForm,
    *,
    user_id: int,
    night: date,
    zone_name: str,
    now: datetime,
) -> SleepEntry:
    """Validate everything and resolve the times (rule in :mod:`bot.sleep.times`)."""
    zone = load_zone(zone_name)
    check_night(night, local_date_of(now, zone))
    if form.into_bed is None or form.final_wake is None:
        raise UserError(N_("I need at least when you got into bed and when you finally woke up."))
    final_wake = morning_instant(night, _time(N_("Final wake"), form.final_wake), zone)
    into_bed = before_wake(night, _time(N_("Into bed"), form.into_bed), zone, final_wake)
    tried = (
        before_wake(night, _time(N_("Tried to sleep"), form.tried_sleep), zone, final_wake)
        if form.tried_sleep
        else into_bed
    )
    out_of_bed = (
        morning_instant(night, _time(N_("Out of bed"), form.out_of_bed), zone)
        if form.out_of_bed
        else None
    )
    onset = (
        before_wake(night, _time(N_("RLS symptoms started"), form.rls_onset), zone, final_wake)
        if form.rls_onset
        else None
    )
    latency = _count(N_("Minutes to fall asleep"), form.sleep_latency_min, MAX_MINUTES)
    awake = _count(N_("Minutes awake"), form.awake_min, MAX_MINUTES)
    entry = SleepEntry(
        user_id=user_id,
        night=night,
        timezone=zone.key,
        into_bed=into_bed,
        tried_sleep=tried,
        sleep_latency_min=latency,
        awakenings=_count(N_("Awakenings"), form.awakenings, MAX_COUNT),
        awake_min=awake,
        final_wake=final_wake,
        out_of_bed=out_of_bed,
        quality=_scale(N_("Sleep quality"), form.quality, 1, 5),
        severity=_scale(N_("RLS severity"), form.severity, 0, 10),
        rls_onset=onset,
        rls_out_of_bed=_count(N_("Times RLS got you up"), form.rls_out_of_bed, MAX_COUNT),
        naps=_count(N_("Naps"), form.naps, MAX_NAPS),
        nap_min=_count(N_("Minutes napping"), form.nap_min, MAX_MINUTES),
        tags=parse_tags(form.tags, form.tag_text),
        note=_note(form.note),
        body_regions=regions_answer(form.body_regions, form.region_text),
        rest_min=check_rest_minutes(form.rest_min),
    )
    _check_order(entry, zone, now)
    return entry


def regions_answer(picked: set[str] | None, typed: str | None) -> frozenset[str] | None:
    """Where symptoms were felt: None when neither picked nor typed (unknown), empty for "none"
    (typed, or kept from a night that said so)."""
    text = (typed or "").strip()
    if text.lower() in NO_REGION_WORDS:
        if picked:
            raise UserError(N_("Body regions: “none” and a region at once? Pick one or the other."))
        return frozenset()
    if picked is None and not text:
        return None
    return parse_regions(picked or set(), text or None)


def _check_order(entry: SleepEntry, zone: ZoneInfo, now: datetime) -> None:
    def at(instant: datetime) -> Moment:
        return Moment(instant.astimezone(zone))

    if entry.tried_sleep < entry.into_bed:
        raise UserError(
            N_(
                "You tried to sleep ({tried}) before getting into bed ({bed}). Check the two times."
            ),
            tried=at(entry.tried_sleep),
            bed=at(entry.into_bed),
        )
    if entry.final_wake < entry.tried_sleep:
        raise UserError(
            N_(
                "Your final wake ({wake}) is before you tried to sleep ({tried}). "
                "Check the two times."
            ),
            wake=at(entry.final_wake),
            tried=at(entry.tried_sleep),
        )
    if entry.out_of_bed is not None and entry.out_of_bed < entry.final_wake:
        raise UserError(
            N_("Out of bed ({up}) is before your final wake ({wake}). Check the two times."),
            up=at(entry.out_of_bed),
            wake=at(entry.final_wake),
        )
    span = bed_span(entry)
    # "More than a day" on the wall clock: 07:00 to 06:01 next morning is 24h 01m elapsed on the
    # night the clocks go back, yet a time the bed/wake reading itself offers.
    last = entry.out_of_bed or entry.final_wake
    wall = last.astimezone(zone).replace(tzinfo=None) - entry.into_bed.astimezone(zone).replace(
        tzinfo=None
    )
    if span > MAX_TIME_IN_BED and wall > MAX_TIME_IN_BED:
        raise UserError(
            N_("That's {span} in bed, more than a day. Check the times."),
            span=Duration(span.total_seconds() / 60),
        )
    window = sleep_window(entry).total_seconds() / 60
    known = [m for m in (entry.sleep_latency_min, entry.awake_min) if m is not None]
    if sum(known) > window:
        raise UserError(
            N_(
                "Minutes to fall asleep plus minutes awake ({sum}) are longer than the night "
                "itself ({window} from trying to sleep to your final wake)."
            ),
            sum=" + ".join(map(str, known)),
            window=Duration(window),
        )
    what, last = (
        (N_("Out of bed"), entry.out_of_bed)
        if entry.out_of_bed
        else (N_("Final wake"), entry.final_wake)
    )
    if last > now:
        raise UserError(
            N_(
                "{what} at {at} is still in the future. Log this night once you're up; for the "
                "night that ended yesterday morning, add `night:yesterday`."
            ),
            what=Said(what),
            at=at(last),
        )
    if entry.naps and entry.nap_min == 0:
        raise UserError(
            N_("{naps} of 0 minutes? Leave the nap minutes blank if unsure."),
            naps=Phrase(
                N_("{count} nap") if entry.naps == 1 else N_("{count} naps"), count=entry.naps
            ),
        )
    if entry.naps == 0 and entry.nap_min:
        raise UserError(
            N_("No naps, but {minutes} napping? Check the two answers."),
            minutes=Phrase(
                N_("{count} minute") if entry.nap_min == 1 else N_("{count} minutes"),
                count=entry.nap_min,
            ),
        )


def bed_span(entry: SleepEntry) -> timedelta:
    """Time in bed, or from into bed to the final wake while out of bed is unknown."""
    tib = time_in_bed(entry)
    return utc(entry.final_wake) - utc(entry.into_bed) if tib is None else tib


def implausible(entry: SleepEntry, tr: Speaker = ENGLISH_SPEAKER) -> str | None:
    """A question to ask before saving a night that is possible but unusual (16 hours or more
    in bed, or none at all: often a typo such as 10:00 for 22:00), or None."""
    zone = load_zone(entry.timezone)

    def at(instant: datetime) -> Moment:
        return Moment(instant.astimezone(zone))

    span = bed_span(entry)
    end = entry.out_of_bed or entry.final_wake
    if span <= timedelta(0):
        return tr(
            "That's no time in bed at all: into bed and up both at {at}. Is that right?",
            at=at(entry.into_bed),
        )
    if span >= LONG_TIME_IN_BED:
        return tr(
            "That's {span} in bed, from {start} to {end}. Is that right?",
            span=hours_minutes(span.total_seconds() / 60, tr),
            start=at(entry.into_bed),
            end=at(end),
        )
    return None


def _time(what: str, text: str) -> time:
    try:
        return parse_time(text)
    except UserError as exc:
        raise UserError(
            N_("{what}: {problem}"), what=Said(what), problem=Phrase(exc.text, **exc.params)
        ) from None


def _count(what: str, value: int | None, limit: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not 0 <= value <= limit:
        raise UserError(
            N_("{what} should be between 0 and {limit}, not {value}."),
            what=Said(what),
            limit=limit,
            value=value,
        )
    return value


def _scale(what: str, value: int | None, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not low <= value <= high:
        raise UserError(
            N_("{what} goes from {low} to {high}; {value} is off the scale."),
            what=Said(what),
            low=low,
            high=high,
            value=value,
        )
    return value


def _note(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    note = text.strip()
    if len(note) > MAX_NOTE:
        raise UserError(
            N_(
                "Your note is {length} characters; please keep it to {limit} (it's for you and "
                "your doctor at a glance)."
            ),
            length=len(note),
            limit=MAX_NOTE,
        )
    return note


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
