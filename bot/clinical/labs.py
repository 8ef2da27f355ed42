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
from bot.i18n.speech import ENGLISH_SPEAKER, N_, Day, Said, Speaker
from bot.scheduling.parsing import parse_day_word
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
GUIDELINE = N_(
    "The 2024 AASM guideline suggests discussing iron treatment with your doctor when ferritin "
    "is {ferritin} ng/mL or below or saturation below {tsat} % (doi {doi})."
)
_GUIDELINE_VALUES = {
    "ferritin": f"{FERRITIN_THRESHOLD:.0f}",
    "tsat": f"{TSAT_THRESHOLD:.0f}",
    "doi": GUIDELINE_DOI,
}
GUIDELINE_LINE = GUIDELINE.format(**_GUIDELINE_VALUES)


def guideline_line(tr: Speaker = ENGLISH_SPEAKER) -> str:
    """The guideline's thresholds in the reader's language."""
    return tr(GUIDELINE, **_GUIDELINE_VALUES)


SAME_UNIT = N_("ng/mL and µg/L are the same number.")
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
_DATE_FORMATS = Said(N_("Use today, yesterday or a date like 2026-03-03."))


@dataclass(frozen=True)
class LabResult:
    taken_on: date  # the day of the blood test, in the person's zone
    ferritin: float  # ng/mL (= µg/L)
    tsat: float | None = None  # transferrin saturation, %
    fasting: bool | None = None  # None: not said
    note: str | None = None


def parse_ferritin(value: str | float | int) -> float:
    """Ferritin in ng/mL or µg/L (the same number), 1–3000."""
    number, unit = _number(Said(N_("ferritin")), value, example="45")
    if unit not in _FERRITIN_UNITS:
        raise UserError(
            N_(
                "Please give ferritin in ng/mL or µg/L, which are the same number; “{unit}” "
                "isn't one of those. If your report uses another unit, ask the lab for ng/mL."
            ),
            unit=unit[:12],
        )
    if not FERRITIN_MIN <= number <= FERRITIN_MAX:
        raise UserError(
            N_(
                "Ferritin {value} is outside {least}–{most} ng/mL. Check the number on your lab "
                "report (ng/mL and µg/L are the same number)."
            ),
            value=_number_text(number),
            least=f"{FERRITIN_MIN:.0f}",
            most=f"{FERRITIN_MAX:.0f}",
        )
    return round(number, 1)


def parse_tsat(value: str | float | int | None) -> float | None:
    """Transferrin saturation in %, 1–100; None stays unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number, unit = _number(Said(N_("transferrin saturation")), value, example="18")
    if unit not in _TSAT_UNITS:
        raise UserError(N_("Please give transferrin saturation as a percentage, e.g. 18 or 18 %."))
    if not TSAT_MIN <= number <= TSAT_MAX:
        if 0 < number < 1:
            raise UserError(
                N_(
                    "Transferrin saturation is a percentage from {least} to {most}; {value} is "
                    "outside that. If your report shows {value}, that is {percent} %."
                ),
                least=f"{TSAT_MIN:.0f}",
                most=f"{TSAT_MAX:.0f}",
                value=_number_text(number),
                percent=f"{number * 100:.0f}",
            )
        raise UserError(
            N_(
                "Transferrin saturation is a percentage from {least} to {most}; {value} is outside that."
            ),
            least=f"{TSAT_MIN:.0f}",
            most=f"{TSAT_MAX:.0f}",
            value=_number_text(number),
        )
    return round(number, 1)


def parse_lab_date(text: str | None, today: date) -> date:
    """today | yesterday | YYYY-MM-DD (default today), not in the future, not before 1990."""
    if text is None or not text.strip():
        return today
    cleaned = text.strip().lower()
    worded = parse_day_word(cleaned, today)  # today, heute, yesterday, gestern, 3.3.2026 ...
    if worded is not None:
        day = worded
    else:
        try:
            day = date.fromisoformat(cleaned)
        except ValueError:
            raise UserError(
                N_("I couldn't read “{date}” as a date. {formats}"),
                date=text.strip()[:24],
                formats=_DATE_FORMATS,
            ) from None
    if day > today:
        raise UserError(
            N_("{date} is in the future: give the day the blood was taken. {formats}"),
            date=Day(day),
            formats=_DATE_FORMATS,
        )
    if day < EARLIEST_LAB_DATE:
        raise UserError(
            N_("{date} is before 1990; I keep lab values from {year} on. {formats}"),
            date=Day(day),
            year=f"{EARLIEST_LAB_DATE:%Y}",
            formats=_DATE_FORMATS,
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
    raise UserError(
        N_("Fasting: please answer yes or no, not “{answer}”."), answer=value.strip()[:24]
    )


def parse_lab_note(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    note = " ".join(text.split())
    if len(note) > MAX_LAB_NOTE:
        raise UserError(
            N_(
                "Your note is {length} characters; please keep it to {most} (the lab or a word "
                "about the test is plenty)."
            ),
            length=len(note),
            most=MAX_LAB_NOTE,
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


def ago(then: date, today: date, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """ "today", "yesterday", "5 days ago", "3 weeks ago", "4 months ago", "2 years ago"."""
    days = (today - then).days
    if days < 0:
        return tr("in the future")
    if days == 0:
        return tr("today")
    if days == 1:
        return tr("yesterday")
    if days < 14:
        return tr("{count} days ago", count=tr.number(days))
    if days < 63:
        return tr.plural(days // 7, "{count} week ago", "{count} weeks ago")
    if days < 730:
        return tr.plural(max(2, round(days / 30.44)), "{count} month ago", "{count} months ago")
    return tr.plural(days // 365, "{count} year ago", "{count} years ago")


def ferritin_in_range(lab: LabResult) -> bool:
    return lab.ferritin <= FERRITIN_THRESHOLD


def tsat_in_range(lab: LabResult) -> bool:
    return lab.tsat is not None and lab.tsat < TSAT_THRESHOLD


def lab_values(lab: LabResult, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """ "Ferritin **45 ng/mL**, saturation **18 %**": a value's numbers, without its day."""
    parts = [tr("Ferritin **{value} ng/mL**", value=_number_text(lab.ferritin, tr))]
    if lab.tsat is not None:
        parts.append(tr("saturation **{value} %**", value=_number_text(lab.tsat, tr)))
    return ", ".join(parts)


def lab_line(lab: LabResult, today: date, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """One value as the reply and the list show it: values, the date and how long ago."""
    when = f"{tr.date(lab.taken_on, 'compact')} ({ago(lab.taken_on, today, tr)})"
    details = [when]
    if lab.fasting is not None:
        details.append(tr("fasting") if lab.fasting else tr("not fasting"))
    line = f"{lab_values(lab, tr)} · {' · '.join(details)}"
    if lab.note:
        line += f" · {lab.note}"
    return line


def context_lines(labs: list[LabResult], today: date, tr: Speaker = ENGLISH_SPEAKER) -> list[str]:
    """The guideline in plain words, and where the latest values sit against it."""
    lines = [guideline_line(tr)]
    if not labs:
        return lines
    latest = max(labs, key=lambda lab: lab.taken_on)
    when = f"{tr.date(latest.taken_on, 'compact')}, {ago(latest.taken_on, today, tr)}"
    values = tr("ferritin {value} ng/mL", value=_number_text(latest.ferritin, tr))
    if latest.tsat is not None:
        values += tr(", saturation {value} %", value=_number_text(latest.tsat, tr))
    if ferritin_in_range(latest) or tsat_in_range(latest):
        lines.append(
            tr(
                "Your latest values ({values}; {when}) are in that range: worth raising with your "
                "doctor if you haven't already.",
                values=values,
                when=when,
            )
        )
    else:
        lines.append(
            tr(
                "Your latest values ({values}; {when}) are outside that range.",
                values=values,
                when=when,
            )
        )
    if (today - latest.taken_on).days > 365:
        lines.append(tr("That test is over a year old; a newer one may read differently."))
    return lines


def labs_text(labs: list[LabResult], today: date, tr: Speaker = ENGLISH_SPEAKER) -> list[str]:
    """/labs list and the reply to /labs add: newest first, then the context."""
    ordered = sorted(labs, key=lambda lab: lab.taken_on, reverse=True)
    lines = [f"• {lab_line(lab, today, tr)}" for lab in ordered]
    lines += context_lines(ordered, today, tr)
    lines.append(f"-# {tr(SAME_UNIT)} {tr('Not medical advice.')}")
    return lines


def parse_retest_weeks(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not MIN_RETEST_WEEKS <= value <= MAX_RETEST_WEEKS:
        raise UserError(
            N_("A retest reminder can be {least} to {most} weeks from now, not {weeks}."),
            least=MIN_RETEST_WEEKS,
            most=MAX_RETEST_WEEKS,
            weeks=value,
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


def retest_line(day: date, today: date, tr: Speaker = ENGLISH_SPEAKER) -> str:
    weeks = (day - today).days // 7
    return tr.plural(
        weeks,
        "I'll remind you about a retest on {day} (in {count} week), around {time}.",
        "I'll remind you about a retest on {day} (in {count} weeks), around {time}.",
        day=tr.date(day),
        time=tr.time(RETEST_AT),
    )


def _number(what: Said, value: str | float | int, *, example: str) -> tuple[float, str]:
    if isinstance(value, bool):
        raise UserError(
            N_("Please give {what} as a number, e.g. {example}."), what=what, example=example
        )
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise UserError(
                N_("Please give {what} as a number, e.g. {example}."), what=what, example=example
            )
        return float(value), ""
    cleaned = value.strip().lower()
    if not cleaned:
        raise UserError(
            N_("Please give {what} from your lab report, e.g. {example}."),
            what=what,
            example=example,
        )
    if len(cleaned) > _MAX_NUMBER_TEXT or not (match := _NUMBER.fullmatch(cleaned)):
        raise UserError(
            N_(
                "I couldn't read “{typed}” as {what}. Type the number from your lab report, e.g. "
                "{example}."
            ),
            typed=value.strip()[:24],
            what=what,
            example=example,
        )
    return float(match[1].replace(",", ".")), match[2].replace(" ", "")


def _number_text(value: float, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """45.0 -> "45", 45.5 -> "45.5" ("45,5" in German), 0.18 -> "0.18"."""
    text = f"{value:g}"
    return text if tr.decimal(0.5) == "0.5" else text.replace(".", tr.decimal(0.5)[1])
