"""Time: UK-style input, clock changes, working days and bank holidays (England and Wales)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ophamp_tui.data import clock
from ophamp_tui.data.clock import (
    DateInputError,
    add_months,
    add_working_days,
    end_of_local_day,
    fmt_duration,
    fmt_local,
    from_iso,
    iso,
    parse_local,
    working_days_between,
)

UTC = UTC


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Wed 10 June 2026 13:00 BST.
NOW = utc(2026, 6, 10, 12, 0)
# Tue 10 November 2026 09:15 GMT.
NOW_WINTER = utc(2026, 11, 10, 9, 15)


# --- parse_local: what a user types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Day first, GMT in winter: London time is UTC.
        ("23/11/2026 14:30", utc(2026, 11, 23, 14, 30)),
        ("23/11/26 14:30", utc(2026, 11, 23, 14, 30)),
        ("23-11-2026 14:30", utc(2026, 11, 23, 14, 30)),
        ("23.11.2026 14:30", utc(2026, 11, 23, 14, 30)),
        ("23 Nov 2026 2:30pm", utc(2026, 11, 23, 14, 30)),
        ("23 November 2026 14:30", utc(2026, 11, 23, 14, 30)),
        # 4/3 is the 4th of March, never April the 3rd.
        ("04/03/2026 10:00", utc(2026, 3, 4, 10, 0)),
        ("4/3/2026 10:00", utc(2026, 3, 4, 10, 0)),
        ("4 March 2026 10:00", utc(2026, 3, 4, 10, 0)),
        # BST in summer: London 14:30 is 13:30 UTC.
        ("01/07/2026 14:30", utc(2026, 7, 1, 13, 30)),
        ("  01/07/2026   14:30  ", utc(2026, 7, 1, 13, 30)),
        # A year-first (ISO) date is read year-month-day, not year-day-month.
        ("2026-03-04 10:00", utc(2026, 3, 4, 10, 0)),
        ("2026/03/04 10:00", utc(2026, 3, 4, 10, 0)),
    ],
)
def test_parse_local_uk_formats(text, expected):
    assert parse_local(text, now=NOW) == expected


def test_parse_local_results_are_aware_utc():
    got = parse_local("01/07/2026 14:30", now=NOW)
    assert got.tzinfo is not None
    assert got.utcoffset() == timedelta(0)
    assert fmt_local(got) == "01/07/2026 14:30"


def test_parse_local_now_is_the_given_now_to_the_second():
    now = utc(2026, 6, 10, 12, 0, 41, 123456)
    assert parse_local("now", now=now) == utc(2026, 6, 10, 12, 0, 41)
    assert parse_local("  NOW ", now=now) == utc(2026, 6, 10, 12, 0, 41)


def test_parse_local_today_and_yesterday_use_the_london_date():
    # 13:00 BST on 10 June.
    assert parse_local("today 09:30", now=NOW) == utc(2026, 6, 10, 8, 30)
    assert parse_local("Today 9:30am", now=NOW) == utc(2026, 6, 10, 8, 30)
    assert parse_local("yesterday 23:15", now=NOW) == utc(2026, 6, 9, 22, 15)
    assert parse_local("today 14:30", now=NOW_WINTER) == utc(2026, 11, 10, 14, 30)


def test_parse_local_today_just_after_midnight_bst_is_the_london_day():
    # 23:30 UTC on 10 June is 00:30 BST on 11 June: "today" is the 11th in London.
    late = utc(2026, 6, 10, 23, 30)
    assert parse_local("today 00:10", now=late) == utc(2026, 6, 10, 23, 10)
    assert parse_local("yesterday 22:00", now=late) == utc(2026, 6, 10, 21, 0)


@pytest.mark.parametrize("word", ["today", "yesterday", "Yesterday"])
def test_parse_local_relative_day_needs_a_time(word):
    with pytest.raises(DateInputError, match=rf"(?i)Add a time after '{word}'"):
        parse_local(word, now=NOW)


def test_parse_local_relative_day_refuses_a_date_too():
    with pytest.raises(DateInputError, match="give only a time"):
        parse_local("today 25/12/2026 14:00", now=NOW)


@pytest.mark.parametrize("text", ["23/11 14:30", "23 Nov 14:30", "14:30"])
def test_parse_local_missing_year(text):
    with pytest.raises(DateInputError, match="Include the year"):
        parse_local(text, now=NOW)


@pytest.mark.parametrize("text", ["23/11/2026", "23 November 2026"])
def test_parse_local_missing_time(text):
    with pytest.raises(DateInputError, match=r"Include a time \(hours:minutes\)"):
        parse_local(text, now=NOW)


def test_parse_local_date_only_allowed_when_time_not_required():
    assert parse_local("23/11/2026", now=NOW, require_time=False) == utc(2026, 11, 23, 0, 0)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_local_empty(text):
    with pytest.raises(DateInputError, match="Enter a date and time"):
        parse_local(text, now=NOW)


@pytest.mark.parametrize(
    "text", ["banana", "32/13/2026 10:00", "31/02/2026 10:00", "23/11/2026 25:61", "next tuesday-ish"]
)
def test_parse_local_garbage(text):
    with pytest.raises(DateInputError, match="Could not read|Include"):
        parse_local(text, now=NOW)


def test_parse_local_garbage_message_quotes_the_input_briefly():
    with pytest.raises(DateInputError) as info:
        parse_local("banana" * 20, now=NOW)
    msg = str(info.value)
    assert "Could not read 'bananabanana" in msg
    assert "banana" * 20 not in msg  # cut short
    assert "e.g. 23/11/2026 14:30" in msg


def test_parse_local_refuses_a_numeric_offset():
    with pytest.raises(DateInputError, match="London time"):
        parse_local("23/11/2026 14:30 +05:00", now=NOW)


# --- the clock changes ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["29/03/2026 01:30", "29/03/2026 01:00", "29/03/2026 01:59", "29/03/2026 01:30 BST"])
def test_spring_forward_gap_is_refused(text):
    with pytest.raises(DateInputError) as info:
        parse_local(text, now=NOW)
    msg = str(info.value)
    assert "did not happen" in msg
    assert "clocks went forward" in msg
    assert "on 29/03/2026" in msg


def test_either_side_of_the_spring_gap_is_fine():
    assert parse_local("29/03/2026 00:59", now=NOW) == utc(2026, 3, 29, 0, 59)
    assert parse_local("29/03/2026 02:00", now=NOW) == utc(2026, 3, 29, 1, 0)


def test_autumn_overlap_is_ambiguous_without_suffix():
    with pytest.raises(DateInputError) as info:
        parse_local("25/10/2026 01:30", now=NOW_WINTER)
    msg = str(info.value)
    assert "happened twice" in msg
    assert "BST" in msg and "GMT" in msg
    assert "25/10/2026 01:30 GMT" in msg  # shows how to say it


def test_autumn_overlap_suffixes_pick_each_occurrence_an_hour_apart():
    first = parse_local("25/10/2026 01:30 BST", now=NOW_WINTER)
    second = parse_local("25/10/2026 01:30 gmt", now=NOW_WINTER)
    assert first == utc(2026, 10, 25, 0, 30)
    assert second == utc(2026, 10, 25, 1, 30)
    assert second - first == timedelta(hours=1)


def test_either_side_of_the_autumn_overlap_needs_no_suffix():
    assert parse_local("25/10/2026 00:59", now=NOW_WINTER) == utc(2026, 10, 24, 23, 59)
    assert parse_local("25/10/2026 02:00", now=NOW_WINTER) == utc(2026, 10, 25, 2, 0)


@pytest.mark.parametrize(
    ("text", "said", "really"),
    [("23/11/2026 14:30 BST", "BST", "GMT"), ("01/07/2026 14:30 GMT", "GMT", "BST")],
)
def test_wrong_suffix_is_refused(text, said, really):
    with pytest.raises(DateInputError) as info:
        parse_local(text, now=NOW)
    assert f"was {really}, not {said}" in str(info.value)


def test_right_suffix_and_utc_suffix_are_accepted():
    assert parse_local("01/07/2026 14:30 BST", now=NOW) == utc(2026, 7, 1, 13, 30)
    assert parse_local("23/11/2026 14:30 GMT", now=NOW) == utc(2026, 11, 23, 14, 30)
    assert parse_local("01/07/2026 14:30 UTC", now=NOW) == utc(2026, 7, 1, 14, 30)


# --- stored form ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        utc(2026, 11, 23, 14, 5),
        utc(2026, 10, 25, 0, 30),  # first 01:30 (BST)
        utc(2026, 10, 25, 1, 30),  # second 01:30 (GMT)
        utc(2024, 2, 29, 23, 59, 59),
    ],
)
def test_iso_round_trip_exact(value):
    text = clock.iso(value)
    assert from_iso(text) == value
    assert iso(from_iso(text)) == text
    assert text.endswith("+00:00")


def test_iso_is_utc_with_seconds():
    bst = datetime(2026, 7, 1, 14, 30, 15, 999, tzinfo=clock.LONDON)
    assert iso(bst) == "2026-07-01T13:30:15+00:00"
    assert iso(None) is None
    assert from_iso(None) is None
    assert from_iso("") is None
    assert from_iso("2026-07-01T14:30:00+01:00") == utc(2026, 7, 1, 13, 30)


def test_fmt_local_shows_london_time():
    assert fmt_local(utc(2026, 7, 1, 13, 30)) == "01/07/2026 14:30"
    assert fmt_local(utc(2026, 11, 23, 14, 5), with_day=True) == "Mon 23/11/2026 14:05"
    assert fmt_local(None) == ""


# --- working days ---------------------------------------------------------------------------------


def test_end_of_local_day_in_bst_and_gmt():
    assert end_of_local_day(date(2026, 7, 1)) == utc(2026, 7, 1, 23, 0)
    assert end_of_local_day(date(2026, 12, 1)) == utc(2026, 12, 2, 0, 0)


def test_add_working_days_same_day_is_end_of_today():
    assert add_working_days(utc(2026, 6, 10, 9), 0) == utc(2026, 6, 10, 23, 0)


def test_add_working_days_negative_is_an_error():
    with pytest.raises(ValueError):
        add_working_days(NOW, -1)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # Mon 8 June + 1 = end of Tue 9 June (BST).
        (utc(2026, 6, 8, 10), 1, utc(2026, 6, 9, 23)),
        # Fri 12 June + 1 skips the weekend: end of Mon 15 June.
        (utc(2026, 6, 12, 10), 1, utc(2026, 6, 15, 23)),
        # A Saturday start: Mon is the first working day.
        (utc(2026, 6, 13, 10), 1, utc(2026, 6, 15, 23)),
        # Mon 8 June + 5 = end of Mon 15 June.
        (utc(2026, 6, 8, 10), 5, utc(2026, 6, 15, 23)),
        # Fri + 5 = end of the next Fri.
        (utc(2026, 6, 12, 10), 5, utc(2026, 6, 19, 23)),
        # Christmas 2026: Fri 25 Christmas Day, Sat 26 Boxing Day, Mon 28 its substitute.
        (utc(2026, 12, 24, 12), 1, utc(2026, 12, 30, 0)),
        (utc(2026, 12, 23, 12), 2, utc(2026, 12, 30, 0)),
        # New Year's Day 2027 is a Friday.
        (utc(2026, 12, 31, 12), 1, utc(2027, 1, 5, 0)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April (BST from 29 March).
        (utc(2026, 4, 2, 9), 1, utc(2026, 4, 7, 23)),
        (utc(2026, 4, 2, 9), 2, utc(2026, 4, 8, 23)),
        # Early May bank holiday: Mon 4 May 2026.
        (utc(2026, 5, 1, 9), 1, utc(2026, 5, 5, 23)),
        # Spring bank holiday: Mon 25 May 2026.
        (utc(2026, 5, 22, 9), 1, utc(2026, 5, 26, 23)),
        # Late August (summer) bank holiday: Mon 31 August 2026.
        (utc(2026, 8, 28, 9), 1, utc(2026, 9, 1, 23)),
        # Across the spring clock change (Sun 29 March): the deadline is midnight BST.
        (utc(2026, 3, 27, 12), 1, utc(2026, 3, 30, 23)),
        # Across the autumn clock change (Sun 25 October): the deadline is midnight GMT.
        (utc(2026, 10, 23, 12), 1, utc(2026, 10, 27, 0)),
    ],
)
def test_add_working_days(start, days, end):
    assert add_working_days(start, days) == end


def test_add_working_days_counts_from_the_london_date_not_the_utc_date():
    # 23:30 UTC Fri 12 June is 00:30 BST Sat 13 June: the weekend start gives the same Monday deadline,
    # while 22:30 UTC on Thu 11 June (23:30 BST Thursday) is still Thursday.
    assert add_working_days(utc(2026, 6, 12, 23, 30), 1) == utc(2026, 6, 15, 23)
    assert add_working_days(utc(2026, 6, 11, 22, 30), 1) == utc(2026, 6, 12, 23)


def test_bank_holiday_names_and_working_days():
    assert clock.bank_holiday_name(date(2026, 12, 28)) is not None
    assert clock.bank_holiday_name(date(2026, 4, 3)) is not None
    assert clock.bank_holiday_name(date(2026, 6, 10)) is None
    assert not clock.is_working_day(date(2026, 12, 25))
    assert not clock.is_working_day(date(2026, 6, 13))  # Saturday
    assert clock.is_working_day(date(2026, 12, 29))
    # Scotland's 2 January holiday is not an England and Wales bank holiday.
    assert clock.is_working_day(date(2026, 1, 2))


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (utc(2026, 6, 8, 10), utc(2026, 6, 8, 20), 0),  # same day
        (utc(2026, 6, 10, 10), utc(2026, 6, 8, 10), 0),  # end before start
        (utc(2026, 6, 12, 10), utc(2026, 6, 15, 10), 1),  # Fri to Mon
        (utc(2026, 6, 12, 10), utc(2026, 6, 14, 10), 0),  # Fri to Sun
        (utc(2026, 6, 8, 10), utc(2026, 6, 15, 9), 5),
        (utc(2026, 12, 24, 12), utc(2026, 12, 29, 12), 1),  # only Tue 29th counts
        (utc(2026, 4, 2, 12), utc(2026, 4, 7, 12), 1),  # Easter
    ],
)
def test_working_days_between(start, end, days):
    assert working_days_between(start, end) == days


def test_working_days_between_agrees_with_add_working_days():
    start = utc(2026, 12, 18, 15)
    for n in range(0, 15):
        deadline = add_working_days(start, n)
        # The last moment before the deadline is n working days later.
        assert working_days_between(start, deadline - timedelta(seconds=1)) == n


# --- months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (utc(2026, 1, 31, 10), 1, utc(2026, 2, 28, 10)),  # clamped to the end of February
        (utc(2024, 1, 31, 10), 1, utc(2024, 2, 29, 10)),  # leap year
        (utc(2026, 1, 31, 10), 3, utc(2026, 4, 30, 9)),  # clamped, and now BST: same London wall-clock time
        (utc(2025, 11, 30, 10), 3, utc(2026, 2, 28, 10)),
        (utc(2026, 1, 15, 12), 6, utc(2026, 7, 15, 11)),  # GMT noon to BST noon
        (utc(2026, 7, 15, 11), 6, utc(2027, 1, 15, 12)),  # BST noon to GMT noon
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end


# --- durations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(seconds=59), "0m"),
        (timedelta(minutes=12), "12m"),
        (timedelta(hours=5, minutes=20), "5h 20m"),
        (timedelta(hours=1), "1h 0m"),
        (timedelta(days=3, hours=4, minutes=59), "3d 4h"),
        (timedelta(days=1), "1d 0h"),
        (timedelta(days=200), "200d 0h"),
        (-timedelta(hours=1, minutes=30), "-1h 30m"),
        (-timedelta(days=2, hours=3), "-2d 3h"),
    ],
)
def test_fmt_duration(delta, text):
    assert fmt_duration(delta) == text
