"""One night of the Consensus Sleep Diary (Carney et al., 2012) plus the RLS fields.

A question left unanswered is None (unknown), never 0: "woke 0 times" and "didn't say" are
different answers, and a doctor reading the report must be able to tell them apart.

A night is dated by the morning it ends, in the user's zone: the night from Monday evening to
Tuesday morning is "Tuesday". Every clock time is stored as a UTC instant together with the
entry's IANA zone, never as a naive local time, so durations stay right across DST changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from bot.i18n.speech import ENGLISH_SPEAKER, N_, Speaker

# Tags people can pick with one tap; "stretched" is also added automatically on nights after a
# stretch reminder was marked Done. Values are stored, labels shown.
KNOWN_TAGS: dict[str, str] = {
    "caffeine": N_("Caffeine"),
    "alcohol": N_("Alcohol"),
    "late_meal": N_("Late meal"),
    "exercise": N_("Exercise"),
    "stretched": N_("Stretched"),
    "massage": N_("Massage"),
    "iron": N_("Iron supplement"),
    "medication": N_("Medication taken"),
    "stress": N_("Stressful day"),
}
STRETCHED = "stretched"


def tag_label(tag: str, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """A known tag's label in the reader's language; a person's own tag as they typed it."""
    return tr(KNOWN_TAGS[tag]) if tag in KNOWN_TAGS else tag


def ordered_tags(tags: frozenset[str] | set[str]) -> list[str]:
    """The standard tags in their usual order, then the person's own ones alphabetically."""
    order = list(KNOWN_TAGS)
    return sorted(tags, key=lambda t: (0, order.index(t), t) if t in KNOWN_TAGS else (1, 0, t))


@dataclass(frozen=True)
class SleepEntry:
    user_id: int
    night: date  # the morning the night ends, in `timezone`
    timezone: str  # IANA zone the times were given in
    into_bed: datetime  # UTC instants from here on
    tried_sleep: datetime
    sleep_latency_min: int | None  # minutes to fall asleep
    awakenings: int | None  # not counting the final awakening
    # Minutes awake between first falling asleep and the final awakening, time up walking included
    awake_min: int | None
    final_wake: datetime
    out_of_bed: datetime | None
    quality: int | None = None  # 1 (very poor) .. 5 (very good)
    severity: int | None = None  # RLS symptoms last evening/night, 0 (none) .. 10 (worst)
    rls_onset: datetime | None = None  # when symptoms started
    rls_out_of_bed: int | None = None  # times RLS got them out of bed
    # Naps the day before the night (CSD): how many and how long, outside total sleep time
    naps: int | None = None
    nap_min: int | None = None
    tags: frozenset[str] = field(default_factory=frozenset)
    note: str | None = None
    updated_at: datetime | None = None
    # Issue 20: where symptoms were felt (bot.clinical.nights.REGIONS; None: not answered, empty:
    # no symptoms) and minutes at rest before they started. Stored by the diary from migration 0012.
    body_regions: frozenset[str] | None = None
    rest_min: int | None = None

    def __post_init__(self) -> None:
        for name in ("into_bed", "tried_sleep", "final_wake", "out_of_bed", "rls_onset"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")

    def with_tags(self, extra: set[str] | frozenset[str]) -> SleepEntry:
        return replace(self, tags=self.tags | frozenset(extra))


def unchanged(stored: SleepEntry, new: SleepEntry) -> bool:
    """Whether saving `new` over `stored` would change nothing but the time it was saved."""
    return replace(stored, updated_at=None) == replace(new, updated_at=None)


def utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60
