"""Time: stored in UTC, shown in Europe/London, working days in England and Wales.

Every clock in Op Hampshire (the Victims' Code limits, VRR deadlines, the
time since an incident) goes through this module, so that the clock changes
and bank holidays are handled in one place.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil import parser as date_parser
from dateutil import tz as date_tz
from dateutil.relativedelta import relativedelta

UTC = UTC
LONDON = ZoneInfo("Europe/London")


class DateInputError(ValueError):
    """A date or time the user typed that cannot be used; the message says what to fix."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC (naive values are taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_london(value: datetime) -> datetime:
    return as_utc(value).astimezone(LONDON)


def fmt_local(value: datetime | None, *, with_day: bool = False) -> str:
    """``23/11/2026 14:05`` in London time (``Mon 23/11/2026 14:05`` with the day)."""
    if value is None:
        return ""
    local = to_london(value)
    text = local.strftime("%d/%m/%Y %H:%M")
    return f"{local:%a} {text}" if with_day else text


def fmt_deadline(due_at: datetime, end_of_day: bool, *, short: bool = False) -> str:
    """When something is due, in words: ``end of Wed 18/11/2026`` for a limit counted in days (which
    ends at the end of its London day, stored as the midnight after it), else ``Wed 18/11/2026 14:30``.
    ``short`` leaves out the weekday (``end 18/11/2026``, ``18/11/2026 14:30``) for a narrow column."""
    if end_of_day:
        day = to_london(as_utc(due_at) - timedelta(microseconds=1)).date()
        return f"end {day:%d/%m/%Y}" if short else f"end of {day:%a %d/%m/%Y}"
    return fmt_local(due_at, with_day=not short)


def fmt_by(due_at: datetime, end_of_day: bool) -> str:
    """``by the end of Wed 18/11/2026`` or ``by Wed 18/11/2026 14:30``."""
    text = fmt_deadline(due_at, end_of_day)
    return f"by the {text}" if end_of_day else f"by {text}"


def end_of_day_after(start: datetime, *, days: int = 0, months: int = 0) -> datetime:
    """The end of the London day ``days`` days and ``months`` months after ``start``'s day (UTC)."""
    day = to_london(start).date() + relativedelta(months=months, days=days)
    return end_of_local_day(day)


def fmt_local_input(value: datetime | None) -> str:
    """Like fmt_local, but during the hour that happens twice it adds BST or GMT, so it reads back the same."""
    if value is None:
        return ""
    local = to_london(value)
    text = local.strftime("%d/%m/%Y %H:%M")
    if date_tz.datetime_ambiguous(local.replace(tzinfo=None).replace(tzinfo=LONDON)):
        text += " BST" if local.dst() else " GMT"
    return text


def fmt_local_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value).date()
    return value.strftime("%d/%m/%Y")


def fmt_short_date(value: datetime | None) -> str:
    """``23/11/26`` in London: a date in 8 characters, for narrow columns."""
    return "" if value is None else to_london(value).strftime("%d/%m/%y")


def iso(value: datetime | None) -> str | None:
    """The stored form: ISO 8601 in UTC with seconds, e.g. ``2026-11-23T14:05:00+00:00``."""
    return None if value is None else as_utc(value).isoformat(timespec="seconds")


def from_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return as_utc(datetime.fromisoformat(value))


_SUFFIX = re.compile(r"\s*\b(BST|GMT|UTC)\s*$", re.IGNORECASE)
_RELATIVE = re.compile(r"^(today|yesterday)\b\s*(.*)$", re.IGNORECASE)
EXAMPLE = "e.g. 23/11/2026 14:30, today 14:30 or now"
EARLIEST = date(1990, 1, 1)  # nothing an Op Hampshire case records happened before this
LATEST_AHEAD = timedelta(days=3 * 366)  # the furthest a date may lie ahead (a bail return date)


def parse_local(text: str, *, now: datetime | None = None, require_time: bool = True) -> datetime:
    """Read a date and time typed in UK style and return it in UTC.

    Accepts ``23/11/2026 14:30``, ``23 Nov 2026 2:30pm``, ``today 14:30``,
    ``yesterday 09:00`` and ``now``. A time that did not exist (the hour the
    clocks go forward) or happened twice (the hour they go back) is an error
    unless ``BST`` or ``GMT`` after it says which was meant.
    """
    now = as_utc(now or now_utc())
    raw = (text or "").strip()
    if not raw:
        raise DateInputError(f"Enter a date and time ({EXAMPLE}).")
    if raw.lower() == "now":
        return now.replace(microsecond=0)
    zone_hint = None
    match = _SUFFIX.search(raw)
    if match:
        zone_hint = match.group(1).upper()
        raw = raw[: match.start()].strip()
    base_day: date | None = None
    rel = _RELATIVE.match(raw)
    if rel:
        today = to_london(now).date()
        base_day = today if rel.group(1).lower() == "today" else today - timedelta(days=1)
        raw = rel.group(2).strip()
        if not raw:
            raise DateInputError(f"Add a time after '{rel.group(1)}', {EXAMPLE}.")
    try:
        default = datetime.combine(base_day or date(2000, 1, 1), time(0, 0))
        # Day first (23/11/2026), except a year-first ISO-style date (2026-11-23), which dateutil
        # would otherwise read as year-day-month when told dayfirst.
        year_first = re.match(r"\d{4}[-/.]", raw) is not None
        parsed = date_parser.parse(raw, dayfirst=not year_first, yearfirst=year_first, default=default, fuzzy=False)
    except (ValueError, OverflowError, date_parser.ParserError):
        raise DateInputError(f"Could not read '{text.strip()[:40]}' as a date and time ({EXAMPLE}).") from None
    if parsed.tzinfo is not None:
        raise DateInputError("Give the time as London time, optionally followed by BST or GMT.")
    if base_day is not None and parsed.date() != base_day:
        raise DateInputError(f"After 'today' or 'yesterday' give only a time, {EXAMPLE}.")
    if base_day is None and not re.search(r"\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", raw):
        raise DateInputError(f"Include the year, {EXAMPLE}.")
    if require_time and not re.search(r"\d:\d|\d\s*[ap]\.?m", raw, re.IGNORECASE):
        raise DateInputError(f"Include a time (hours:minutes), {EXAMPLE}.")
    if not EARLIEST <= parsed.date() <= to_london(now).date() + LATEST_AHEAD:
        raise DateInputError(
            f"{parsed.day:02d}/{parsed.month:02d}/{parsed.year:04d} is outside the dates ophamp takes "
            f"({EARLIEST:%Y} to "
            f"{(to_london(now).date() + LATEST_AHEAD):%Y}). Check the year."
        )
    return localise(parsed, zone_hint)


def localise(naive: datetime, zone_hint: str | None = None) -> datetime:
    """A naive London wall-clock time as UTC, refusing to guess at the clock changes."""
    if zone_hint == "UTC":
        return naive.replace(tzinfo=UTC)
    candidate = naive.replace(tzinfo=LONDON)
    when = naive.strftime("%H:%M on %d/%m/%Y")
    if not date_tz.datetime_exists(candidate):
        raise DateInputError(
            f"{when} did not happen: the clocks went forward an hour at 01:00 GMT that night. "
            "Check the time (01:00 to 01:59 was skipped)."
        )
    if date_tz.datetime_ambiguous(candidate):
        if zone_hint == "BST":
            return candidate.replace(fold=0).astimezone(UTC)
        if zone_hint == "GMT":
            return candidate.replace(fold=1).astimezone(UTC)
        raise DateInputError(
            f"{when} happened twice: the clocks went back an hour that night. "
            f"Add BST for the first or GMT for the second, e.g. '{naive:%d/%m/%Y %H:%M} GMT'."
        )
    if zone_hint is not None:
        expected = "BST" if candidate.dst() else "GMT"
        if zone_hint != expected:
            raise DateInputError(f"{when} was {expected}, not {zone_hint}. Remove '{zone_hint}' or fix the date.")
    return candidate.astimezone(UTC)


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    # England and Wales share one list of bank holidays; "ENG" is the subdivision holidays uses.
    return holidays.country_holidays("GB", subdiv="ENG")


def bank_holiday_name(day: date) -> str | None:
    return _bank_holidays().get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()


def add_working_days(start: datetime, days: int) -> datetime:
    """When a limit of ``days`` working days from ``start`` runs out (UTC).

    The day of ``start`` itself does not count; the limit ends at midnight
    London time at the end of the last working day. So an arrest on Friday
    with a 1-working-day limit must be told by the end of Monday (or Tuesday
    if Monday is a bank holiday).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = to_london(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return end_of_local_day(day)


def end_of_local_day(day: date) -> datetime:
    """Midnight London time at the end of ``day``, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=LONDON).astimezone(UTC)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after the day of ``start`` up to and including the day of ``end``."""
    a, b = to_london(start).date(), to_london(end).date()
    if b <= a:
        return 0
    return sum(1 for n in range(1, (b - a).days + 1) if is_working_day(a + timedelta(days=n)))


def add_months(start: datetime, months: int) -> datetime:
    """The same London wall-clock time ``months`` later (clamped to month end), in UTC."""
    local = to_london(start).replace(tzinfo=None) + relativedelta(months=months)
    result: datetime = local.replace(tzinfo=LONDON).astimezone(UTC)
    return result


def fmt_duration(delta: timedelta) -> str:
    """``3d 4h``, ``5h 20m`` or ``12m``: how long, for a busy reader."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rem = divmod(seconds, 86_400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes}m"
    return f"{sign}{minutes}m"


def fmt_age(delta: timedelta) -> str:
    """How long, in at most 7 characters for a narrow column: ``176d``, ``3d 4h``, ``5h 20m``, ``12m``."""
    if delta >= timedelta(days=10):
        return f"{delta.days}d"
    return fmt_duration(delta)
