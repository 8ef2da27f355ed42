"""Iron labs: ferritin and transferrin saturation, checked, dated and put in the guideline's
context.

The 2024 AASM guideline (Winkelman et al., J Clin Sleep Med, doi 10.5664/jcsm.11390) suggests
iron treatment for adults with RLS when serum ferritin is 75 ng/mL or below or transferrin
saturation is below 20 %. We say that in plain words next to the person's own values, with
their dates: a value from two years ago is not today's. It is context for a talk with a doctor,
never a diagnosis and never advice to take iron.

Ferritin in ng/mL and in µg/L is the same number (1 ng/mL = 1 µg/L), so both units are accepted
as typed and the reply says so. Other units (pmol/L) are refused rather than converted: a wrong
conversion would put someone on the wrong side of the threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.errors import UserError
from bot.formatting import plural
from bot.scheduling.recurrence import DailySchedule, Weekdays, occurrence_on

FERRITIN_MIN = 1.0
FERRITIN_MAX = 3000.0
TSAT_MIN = 1.0
TSAT_MAX = 100.0
EARLIEST_LAB_DATE = date(1990, 1, 1)
MAX_LAB_NOTE = 200
# The guideline's thresholds: ferritin at or below, saturation strictly below.
FERRITIN_THRESHOLD = 75.0
TSAT_THRESHOLD = 20.0
GUIDELINE_DOI = "10.5664/jcsm.11390"
GUIDELINE_URL = f"https://doi.org/{GUIDELINE_DOI}"
GUIDELINE_LINE = (
    "The 2024 AASM guideline suggests discussing iron treatment with your doctor when ferritin "
    f"is {FERRITIN_THRESHOLD:.0f} ng/mL or below or saturation below {TSAT_THRESHOLD:.0f} % "
    f"(doi {GUIDELINE_DOI})."
)
SAME_UNIT = "ng/mL and µg/L are the same number."
MIN_RETEST_WEEKS = 1
MAX_RETEST_WEEKS = 52
# When the one-off retest reminder arrives on its day, local time: a working-hours moment to
# book a blood test, not the evening when stretch reminders come.
RETEST_AT = time(9, 0)

_MAX_NUMBER_TEXT = 24
# \d in ASCII only: look-alike digits from other scripts are not a lab value.
_NUMBER = re.compile(r"(\d{1,5}(?:[.,]\d{1,3})?)\s*(.*)", re.ASCII)
_FERRITIN_UNITS = {"", "ng/ml", "ngml", "ng", "µg/l", "μg/l", "ug/l", "mcg/l"}
_TSAT_UNITS = {"", "%", "percent", "pct"}
_YES = {"yes", "y", "true", "fasting", "fasted"}
_NO = {"no", "n", "false", "not fasting", "non-fasting", "nonfasting"}
_DATE_FORMATS = "Use today, yesterday or a date like 2026-03-03."


@dataclass(frozen=True)
class LabResult:
    taken_on: date  # the day of the blood test, in the person's zone
    ferritin: float  # ng/mL (= µg/L)
    tsat: float | None = None  # transferrin saturation, %
    fasting: bool | None = None  # None: not said
    note: str | None = None


def parse_ferritin(value: str | float | int) -> float:
    """Ferritin in ng/mL or µg/L (the same number), 1–3000."""
    number, unit = _number("ferritin", value, example="45")
    if unit not in _FERRITIN_UNITS:
        raise UserError(
            f"Please give ferritin in ng/mL or µg/L, which are the same number; “{unit[:12]}” "
            "isn't one of those. If your report uses another unit, ask the lab for ng/mL."
        )
    if not FERRITIN_MIN <= number <= FERRITIN_MAX:
        raise UserError(
            f"Ferritin {_number_text(number)} is outside {FERRITIN_MIN:.0f}–{FERRITIN_MAX:.0f} "
            f"ng/mL. Check the number on your lab report ({SAME_UNIT[:-1]})."
        )
    return round(number, 1)


def parse_tsat(value: str | float | int | None) -> float | None:
    """Transferrin saturation in %, 1–100; None stays unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number, unit = _number("transferrin saturation", value, example="18")
    if unit not in _TSAT_UNITS:
        raise UserError("Please give transferrin saturation as a percentage, e.g. 18 or 18 %.")
    if not TSAT_MIN <= number <= TSAT_MAX:
        hint = ""
        if 0 < number < 1:
            hint = f" If your report shows {_number_text(number)}, that is {number * 100:.0f} %."
        raise UserError(
            f"Transferrin saturation is a percentage from {TSAT_MIN:.0f} to {TSAT_MAX:.0f}; "
            f"{_number_text(number)} is outside that.{hint}"
        )
    return round(number, 1)


def parse_lab_date(text: str | None, today: date) -> date:
    """today | yesterday | YYYY-MM-DD (default today), not in the future, not before 1990."""
    if text is None or not text.strip():
        return today
    cleaned = text.strip().lower()
    if cleaned == "today":
        day = today
    elif cleaned == "yesterday":
        day = today - timedelta(days=1)
    else:
        try:
            day = date.fromisoformat(cleaned)
        except ValueError:
            raise UserError(
                f"I couldn't read “{text.strip()[:24]}” as a date. {_DATE_FORMATS}"
            ) from None
    if day > today:
        raise UserError(
            f"{day:%d %b %Y} is in the future: give the day the blood was taken. {_DATE_FORMATS}"
        )
    if day < EARLIEST_LAB_DATE:
        raise UserError(
            f"{day:%d %b %Y} is before 1990; I keep lab values from {EARLIEST_LAB_DATE:%Y} on. "
            f"{_DATE_FORMATS}"
        )
    return day


def parse_fasting(value: str | bool | None) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    cleaned = " ".join(value.strip().lower().split())
    if not cleaned:
        return None
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    raise UserError(f"Fasting: please answer yes or no, not “{value.strip()[:24]}”.")


def parse_lab_note(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    note = " ".join(text.split())
    if len(note) > MAX_LAB_NOTE:
        raise UserError(
            f"Your note is {len(note)} characters; please keep it to {MAX_LAB_NOTE} (the lab or "
            "a word about the test is plenty)."
        )
    return note


def build_lab(
    *,
    ferritin: str | float | int,
    today: date,
    tsat: str | float | int | None = None,
    taken_on: str | None = None,
    fasting: str | bool | None = None,
    note: str | None = None,
) -> LabResult:
    """Everything checked before anything is kept: one bad field refuses the whole value."""
    return LabResult(
        taken_on=parse_lab_date(taken_on, today),
        ferritin=parse_ferritin(ferritin),
        tsat=parse_tsat(tsat),
        fasting=parse_fasting(fasting),
        note=parse_lab_note(note),
    )


def ago(then: date, today: date) -> str:
    """ "today", "yesterday", "5 days ago", "3 weeks ago", "4 months ago", "2 years ago"."""
    days = (today - then).days
    if days < 0:
        return "in the future"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 63:
        return f"{plural(days // 7, 'week')} ago"
    if days < 730:
        return f"{plural(max(2, round(days / 30.44)), 'month')} ago"
    return f"{plural(days // 365, 'year')} ago"


def ferritin_in_range(lab: LabResult) -> bool:
    return lab.ferritin <= FERRITIN_THRESHOLD


def tsat_in_range(lab: LabResult) -> bool:
    return lab.tsat is not None and lab.tsat < TSAT_THRESHOLD


def lab_line(lab: LabResult, today: date) -> str:
    """One value as the reply and the list show it: values, the date and how long ago."""
    parts = [f"Ferritin **{_number_text(lab.ferritin)} ng/mL**"]
    if lab.tsat is not None:
        parts.append(f"saturation **{_number_text(lab.tsat)} %**")
    when = f"{lab.taken_on:%d %b %Y} ({ago(lab.taken_on, today)})"
    details = [when]
    if lab.fasting is not None:
        details.append("fasting" if lab.fasting else "not fasting")
    line = f"{', '.join(parts)} · {' · '.join(details)}"
    if lab.note:
        line += f" · {lab.note}"
    return line


def context_lines(labs: list[LabResult], today: date) -> list[str]:
    """The guideline in plain words, and where the latest values sit against it."""
    lines = [GUIDELINE_LINE]
    if not labs:
        return lines
    latest = max(labs, key=lambda lab: lab.taken_on)
    when = f"{latest.taken_on:%d %b %Y}, {ago(latest.taken_on, today)}"
    values = f"ferritin {_number_text(latest.ferritin)} ng/mL"
    if latest.tsat is not None:
        values += f", saturation {_number_text(latest.tsat)} %"
    if ferritin_in_range(latest) or tsat_in_range(latest):
        lines.append(
            f"Your latest values ({values}; {when}) are in that range: worth raising with your "
            "doctor if you haven't already."
        )
    else:
        lines.append(f"Your latest values ({values}; {when}) are outside that range.")
    if (today - latest.taken_on).days > 365:
        lines.append("That test is over a year old; a newer one may read differently.")
    return lines


def labs_text(labs: list[LabResult], today: date) -> list[str]:
    """/labs list and the reply to /labs add: newest first, then the context."""
    ordered = sorted(labs, key=lambda lab: lab.taken_on, reverse=True)
    lines = [f"• {lab_line(lab, today)}" for lab in ordered]
    lines += context_lines(ordered, today)
    lines.append(f"-# {SAME_UNIT} Not medical advice.")
    return lines


def parse_retest_weeks(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not MIN_RETEST_WEEKS <= value <= MAX_RETEST_WEEKS:
        raise UserError(
            f"A retest reminder can be {MIN_RETEST_WEEKS} to {MAX_RETEST_WEEKS} weeks from now, "
            f"not {value}."
        )
    return value


def retest_date(today: date, weeks: int) -> date:
    """The local date of the one-off retest reminder: `weeks` from the day it was asked for."""
    return today + timedelta(weeks=parse_retest_weeks(weeks) or 0)


def retest_due(day: date, zone_name: str, at: time = RETEST_AT) -> datetime:
    """The UTC instant of the retest reminder on `day`, with the reminder engine's DST rule (a
    gap moves it to the gap's end, a fold takes the first)."""
    due = occurrence_on(DailySchedule(at, Weekdays.EVERY_DAY, zone_name), day)
    if due is None:  # pragma: no cover - only for a date the zone skipped (Pacific/Apia 2011)
        due = occurrence_on(DailySchedule(at, Weekdays.EVERY_DAY, zone_name), day + timedelta(1))
    assert due is not None
    return due


def retest_line(day: date, today: date) -> str:
    weeks = (day - today).days // 7
    return (
        f"I'll remind you about a retest on {day:%A %d %B %Y} (in {plural(weeks, 'week')}), "
        f"around {RETEST_AT:%H:%M}."
    )


def _number(what: str, value: str | float | int, *, example: str) -> tuple[float, str]:
    if isinstance(value, bool):
        raise UserError(f"Please give {what} as a number, e.g. {example}.")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise UserError(f"Please give {what} as a number, e.g. {example}.")
        return float(value), ""
    cleaned = value.strip().lower()
    if not cleaned:
        raise UserError(f"Please give {what} from your lab report, e.g. {example}.")
    if len(cleaned) > _MAX_NUMBER_TEXT or not (match := _NUMBER.fullmatch(cleaned)):
        raise UserError(
            f"I couldn't read “{value.strip()[:24]}” as {what}. Type the number from your lab "
            f"report, e.g. {example}."
        )
    return float(match[1].replace(",", ".")), match[2].replace(" ", "")


def _number_text(value: float) -> str:
    """45.0 -> "45", 45.5 -> "45.5", 0.18 -> "0.18"."""
    return f"{value:g}"
