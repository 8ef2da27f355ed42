"""Plain-text pieces of the replies (Discord markdown, but no discord import)."""

from __future__ import annotations

from bot.clinical.nights import REGIONS
from bot.i18n import N_, Speaker
from bot.i18n.locales import ENGLISH
from bot.i18n.speech import ENGLISH_SPEAKER, Day, OneOf, Quoted
from bot.scheduling.recurrence import load_zone
from bot.sleep.entry import SleepEntry, ordered_tags, tag_label
from bot.sleep.metrics import (
    EFFICIENCY_TARGET,
    efficiency,
    hours_minutes,
    maybe_hours_minutes,
    optional_minutes,
    time_in_bed,
    total_sleep,
)
from bot.sleep.stats import MIN_NIGHTS_TO_COMPARE, Measure, Summary, TagComparison
from bot.sleep.times import local_clock

UNKNOWN = "–"
# Said once under the stats and in the report: what the averages are and what "–" means.
AVERAGES_ARE = N_(
    "Averages are of nightly values, over the nights where the value is known (n); "
    "– means not answered."
)
EN = ENGLISH_SPEAKER


def _decimal(value: float, tr: Speaker) -> str:
    return f"{value:.1f}" if tr.locale == ENGLISH else tr.decimal(value, 1)


def format_value(value: float | None, unit: str, tr: Speaker = EN) -> str:
    if value is None:
        return UNKNOWN
    if unit == "min":
        return hours_minutes(value, tr) if value >= 60 else f"{value:.0f} min"
    if unit == "%":
        return f"{value:.0f}%" if tr.locale == ENGLISH else f"{value:.0f} %"
    return f"{_decimal(value, tr)}{unit}"


def format_change(measure: Measure, tr: Speaker = EN) -> str:
    change = measure.change
    if change is None:
        return ""
    if measure.unit == "min":
        if abs(change) < 1:
            return tr("steady")
        amount = f"{abs(change):.0f} min"
    elif measure.unit == "%":
        if abs(change) < 0.5:
            return tr("steady")
        points = round(abs(change))
        amount = tr.plural(points, "{count} point", "{count} points")
    else:
        if abs(change) < 0.05:
            return tr("steady")
        amount = _decimal(abs(change), tr)
    return tr("up {amount}", amount=amount) if change > 0 else tr("down {amount}", amount=amount)


def measure_line(measure: Measure, tr: Speaker = EN) -> str:
    line = f"**{tr(measure.name)}:** {format_value(measure.mean, measure.unit, tr)}"
    if measure.mean is None:
        return line + tr(" (not answered on any night)")
    details = [f"n = {measure.count}"]
    change = format_change(measure, tr)
    if change:
        details.append(tr("{change}, later vs earlier nights", change=change))
    return f"{line} ({'; '.join(details)})"


def too_few_to_compare(too_few: list[TagComparison], tr: Speaker = EN) -> str:
    """Why tags on these nights are not compared yet, with each one's counts so far."""
    counts = "; ".join(
        tr(
            "{tag}: {tagged} with, {untagged} without",
            tag=tag_label(c.tag, tr),
            tagged=c.tagged_nights,
            untagged=c.untagged_nights,
        )
        for c in too_few[:6]
    )
    return tr(
        "A comparison needs {least} nights with a tag and {least} without. So far: {counts}.",
        least=MIN_NIGHTS_TO_COMPARE,
        counts=counts,
    )


def comparison_line(c: TagComparison, tr: Speaker = EN) -> str:
    def sev(value: float | None) -> str:
        return UNKNOWN if value is None else _decimal(value, tr)

    def tst(value: float | None) -> str:
        return maybe_hours_minutes(value, UNKNOWN, tr)

    def n(counts: tuple[int, int]) -> str:
        # Only when a value is missing on some nights: otherwise the nights count says it.
        if counts == (c.tagged_nights, c.untagged_nights):
            return ""
        return tr(" (n = {tagged} vs {untagged})", tagged=counts[0], untagged=counts[1])

    # The measures compared, each shown when it is known on either side of the tag.
    compared = (
        (
            N_("RLS severity {tagged} vs {untagged}{n}"),
            (c.severity_tagged, c.severity_untagged),
            c.severity_n,
            sev,
        ),
        (N_("sleep {tagged} vs {untagged}{n}"), (c.sleep_tagged, c.sleep_untagged), c.sleep_n, tst),
    )
    parts = [
        tr(message, tagged=say(tagged), untagged=say(untagged), n=n(counts))
        for message, (tagged, untagged), counts, say in compared
        if tagged is not None or untagged is not None
    ]
    nights = tr(
        "**{tag}** ({tagged} vs {untagged} nights)",
        tag=tag_label(c.tag, tr),
        tagged=c.tagged_nights,
        untagged=c.untagged_nights,
    )
    return f"{nights}: {', '.join(parts) or tr('no severity or total sleep to compare')}"


def _lower_first(name: str) -> str:
    """ "Sleep quality" → "sleep quality" mid-sentence; an acronym ("RLS severity") stays upper."""
    first = name.split(" ", 1)[0]
    return name if first.isupper() else name[:1].lower() + name[1:]


def summary_text(summary: Summary, days: int, tr: Speaker = EN) -> list[str]:
    lines = [
        tr(
            "Nights logged: **{nights}** of the last {days} ({start} – {end})",
            nights=summary.nights,
            days=tr.plural(days, "{count} day", "{count} days"),
            start=Day(summary.start, "short_day", "%d %b").said_by(tr),
            end=Day(summary.end, "long", "%d %b %Y").said_by(tr),
        )
    ]
    lines += [measure_line(m, tr) for m in summary.measures if m.mean is not None]
    # One line for the unanswered ones: eight lines of "–" would bury the answers.
    # (German nouns keep their capital letter mid-sentence.)
    unanswered = [
        _lower_first(tr(m.name)) if tr.locale == ENGLISH else tr(m.name)
        for m in summary.measures
        if m.mean is None
    ]
    if unanswered:
        lines.append(
            tr("Not answered on any of these nights: {names}.", names=", ".join(unanswered))
        )
    eff = summary.measure("Sleep efficiency").mean
    footnote = tr(AVERAGES_ARE)
    if eff is not None:
        footnote += tr(
            " Sleep efficiency = total sleep ÷ time in bed; {target}% or more is the usual target.",
            target=f"{EFFICIENCY_TARGET:.0f}",
        )
    lines.append(f"-# {footnote}")
    return lines


def entry_line(entry: SleepEntry, tr: Speaker = EN) -> str:
    zone = load_zone(entry.timezone)
    eff = efficiency(entry)
    up = UNKNOWN if entry.out_of_bed is None else local_clock(entry.out_of_bed, zone)
    parts = [
        "**" + Day(entry.night, "short_day", "%a %d %b").said_by(tr) + "**",
        tr(
            "bed {bed}, woke {wake}, up {up}",
            bed=local_clock(entry.into_bed, zone),
            wake=local_clock(entry.final_wake, zone),
            up=up,
        ),
        tr(
            "slept {slept}",
            slept=maybe_hours_minutes(optional_minutes(total_sleep(entry)), UNKNOWN, tr),
        ),
        tr(
            "in bed {in_bed}",
            in_bed=maybe_hours_minutes(optional_minutes(time_in_bed(entry)), UNKNOWN, tr),
        ),
        tr(
            "efficiency {efficiency}",
            efficiency=UNKNOWN if eff is None else format_value(eff, "%", tr),
        ),
    ]
    if entry.quality is not None:
        parts.append(tr("quality {quality}/5", quality=entry.quality))
    # When symptoms started, as read ("9pm" is 21:00): the time an onset-timed reminder follows.
    onset = None if entry.rls_onset is None else local_clock(entry.rls_onset, zone)
    if entry.severity is not None and onset is not None:
        parts.append(tr("RLS {severity}/10 from {onset}", severity=entry.severity, onset=onset))
    elif entry.severity is not None:
        parts.append(tr("RLS {severity}/10", severity=entry.severity))
    elif onset is not None:
        parts.append(tr("RLS from {onset}", onset=onset))
    if entry.body_regions is not None or entry.rest_min is not None or entry.severity:
        parts.append(symptom_spread_text(entry, tr))
    if entry.naps:
        naps = tr.plural(entry.naps, "{count} nap", "{count} naps")
        minutes = "" if entry.nap_min is None else f", {entry.nap_min} min"
        parts.append(f"{naps}{minutes}")
    if entry.tags:
        parts.append(", ".join(tag_label(t, tr) for t in ordered_tags(entry.tags)))
    return " · ".join(parts)


NOTE_SHOWN = 80  # characters of a note quoted in a question; the rest as "…"


def answers_a_replace_deletes(old: SleepEntry, new: SleepEntry, tr: Speaker = EN) -> str | None:
    """The old night's answers that `new` leaves out and neither's summary line shows (a note,
    when symptoms started...), as one sentence; None when replacing deletes none of them."""
    zone = load_zone(old.timezone)
    lost = []
    if old.note and not new.note:
        shown = old.note if len(old.note) <= NOTE_SHOWN else old.note[: NOTE_SHOWN - 1] + "…"
        lost.append(tr("the note {note}", note=Quoted(shown)))
    if old.rls_onset is not None and new.rls_onset is None:
        lost.append(tr("symptoms from {time}", time=local_clock(old.rls_onset, zone)))
    if old.rls_out_of_bed is not None and new.rls_out_of_bed is None:
        lost.append(
            tr.plural(
                old.rls_out_of_bed, "RLS got you up {count} time", "RLS got you up {count} times"
            )
        )
    if old.sleep_latency_min is not None and new.sleep_latency_min is None:
        lost.append(tr("{minutes} min to fall asleep", minutes=old.sleep_latency_min))
    if old.awake_min is not None and new.awake_min is None:
        lost.append(tr("{minutes} min awake in the night", minutes=old.awake_min))
    if old.awakenings is not None and new.awakenings is None:
        lost.append(tr.plural(old.awakenings, "woke {count} time", "woke {count} times"))
    if old.tried_sleep != old.into_bed and new.tried_sleep == new.into_bed:
        lost.append(tr("tried to sleep at {time}", time=local_clock(old.tried_sleep, zone)))
    if not lost:
        return None
    return tr("Replacing deletes what only the old one has: {answers}.", answers=", ".join(lost))


def symptom_spread_text(entry: SleepEntry, tr: Speaker = EN) -> str:
    """Where symptoms were felt and after how long at rest; "–" where not answered."""
    regions = entry.body_regions
    if regions is None:
        where = tr("where {unknown}", unknown=UNKNOWN)
    elif not regions:
        where = tr("no body region")
    else:
        where = tr(
            "in {regions}",
            regions=", ".join(tr(label) for r, label in REGIONS.items() if r in regions),
        )
    rest = (
        tr("at rest {unknown}", unknown=UNKNOWN)
        if entry.rest_min is None
        else tr("after {rest} at rest", rest=format_value(entry.rest_min, "min", tr))
    )
    return tr("symptoms {where}, {rest}", where=where, rest=rest)


MINUTES_TO_FALL_ASLEEP = N_("minutes to fall asleep")
MINUTES_AWAKE = N_("minutes awake in the night")
WHEN_UP = N_("when you got out of bed")


def missing_for_sleep(entry: SleepEntry, tr: Speaker = EN) -> str | None:
    """What to add for total sleep and efficiency to be known, or None if they are."""
    missing = []
    if entry.sleep_latency_min is None:
        missing.append(tr(MINUTES_TO_FALL_ASLEEP))
    if total_sleep(entry) is None and entry.awake_min is None:
        missing.append(tr(MINUTES_AWAKE))
    if entry.out_of_bed is None:
        missing.append(tr(WHEN_UP))
    if not missing:
        return None
    listed = OneOf(missing).said_by(tr) if len(missing) == 1 else _and(missing, tr)
    if total_sleep(entry) is not None:
        return tr("Add {missing} (`/sleep edit`) for efficiency.", missing=listed)
    return tr("Add {missing} (`/sleep edit`) for total sleep and efficiency.", missing=listed)


def _and(items: list[str], tr: Speaker) -> str:
    return tr("{some} and {last}", some=", ".join(items[:-1]), last=items[-1])
