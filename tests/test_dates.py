"""Relative date ranges resolve in the config's time zone: month ends, leap days, ISO weeks, DST days."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sheets_sync.dates import PRESETS, latest_end, local_today, range_error, range_problem, resolve_date_range

D = dt.date
UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware UTC instant."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# Monday 2025-03-31: a month end and a quarter end.
PRESET_CASES = [
    ("today", (D(2025, 3, 31), D(2025, 3, 31))),
    ("yesterday", (D(2025, 3, 30), D(2025, 3, 30))),
    ("last_7_days", (D(2025, 3, 24), D(2025, 3, 30))),
    ("last_30_days", (D(2025, 3, 1), D(2025, 3, 30))),
    ("last_90_days", (D(2024, 12, 31), D(2025, 3, 30))),
    ("this_week", (D(2025, 3, 31), D(2025, 3, 31))),
    ("last_week", (D(2025, 3, 24), D(2025, 3, 30))),
    ("month_to_date", (D(2025, 3, 1), D(2025, 3, 31))),
    ("last_month", (D(2025, 2, 1), D(2025, 2, 28))),
    ("quarter_to_date", (D(2025, 1, 1), D(2025, 3, 31))),
    ("last_quarter", (D(2024, 10, 1), D(2024, 12, 31))),
    ("year_to_date", (D(2025, 1, 1), D(2025, 3, 31))),
    ("last_year", (D(2024, 1, 1), D(2024, 12, 31))),
]


class TestPresets:
    @pytest.mark.parametrize(("preset", "expected"), PRESET_CASES)
    def test_every_preset_on_a_month_end(self, preset, expected):
        """Each preset on Monday 2025-03-31 (a month and quarter end) gives the documented range."""
        assert resolve_date_range(preset, "UTC", at(2025, 3, 31)) == expected

    def test_every_preset_is_covered(self):
        """PRESET_CASES covers every preset the config accepts."""
        assert [preset for preset, _ in PRESET_CASES] == list(PRESETS)

    def test_last_month_in_a_leap_year_ends_on_the_29th(self):
        """February of a leap year has 29 days."""
        assert resolve_date_range("last_month", "UTC", at(2024, 3, 31)) == (D(2024, 2, 1), D(2024, 2, 29))

    def test_last_7_days_across_a_leap_day(self):
        """The window that ends on 29 February counts it."""
        assert resolve_date_range("last_7_days", "UTC", at(2024, 3, 1)) == (D(2024, 2, 23), D(2024, 2, 29))

    def test_last_month_in_january_is_last_december(self):
        """Month arithmetic wraps the year."""
        assert resolve_date_range("last_month", "UTC", at(2025, 1, 1)) == (D(2024, 12, 1), D(2024, 12, 31))


class TestIsoWeeks:
    def test_this_week_across_new_year(self):
        """On Sunday 2025-01-05, ISO week 1 of 2025 began Monday 2024-12-30."""
        assert resolve_date_range("this_week", "UTC", at(2025, 1, 5)) == (D(2024, 12, 30), D(2025, 1, 5))

    def test_last_week_across_new_year(self):
        """On Wednesday 2025-01-01 last week is Monday 23 to Sunday 29 December."""
        assert resolve_date_range("last_week", "UTC", at(2025, 1, 1)) == (D(2024, 12, 23), D(2024, 12, 29))

    def test_last_n_weeks_are_complete_weeks(self):
        """{last: 2, unit: weeks} is the two complete ISO weeks before the current one."""
        spec = {"last": 2, "unit": "weeks"}
        assert resolve_date_range(spec, "UTC", at(2025, 1, 1)) == (D(2024, 12, 16), D(2024, 12, 29))

    def test_last_n_weeks_including_today(self):
        """With include_today the current, partial week is the last of the N."""
        spec = {"last": 2, "unit": "weeks", "include_today": True}
        assert resolve_date_range(spec, "UTC", at(2025, 1, 1)) == (D(2024, 12, 23), D(2025, 1, 1))


class TestLastN:
    def test_last_n_days_excludes_today(self):
        """{last: 3, unit: days} ends yesterday."""
        assert resolve_date_range({"last": 3}, "UTC", at(2025, 3, 1)) == (D(2025, 2, 26), D(2025, 2, 28))

    def test_last_n_days_including_today(self):
        """include_today moves the window to end today."""
        spec = {"last": 3, "unit": "days", "include_today": True}
        assert resolve_date_range(spec, "UTC", at(2025, 3, 1)) == (D(2025, 2, 27), D(2025, 3, 1))

    def test_last_n_months_are_complete_months(self):
        """{last: 3, unit: months} in mid-January is October to December."""
        spec = {"last": 3, "unit": "months"}
        assert resolve_date_range(spec, "UTC", at(2025, 1, 15)) == (D(2024, 10, 1), D(2024, 12, 31))

    def test_last_n_months_including_today(self):
        """With include_today the current month counts as the last of the N."""
        spec = {"last": 2, "unit": "months", "include_today": True}
        assert resolve_date_range(spec, "UTC", at(2024, 3, 10)) == (D(2024, 2, 1), D(2024, 3, 10))

    def test_fixed_range_is_returned_as_written(self):
        """{start, end} needs no clock."""
        spec = {"start": D(2025, 1, 1), "end": D(2025, 1, 31)}
        assert resolve_date_range(spec, "Europe/London", at(2030, 1, 1)) == (D(2025, 1, 1), D(2025, 1, 31))


class TestTimeZones:
    def test_london_autumn_change_night_is_already_the_next_day(self):
        """At 23:30 UTC on 25 Oct 2025 it is 00:30 BST on the 26th in London (the DST change day)."""
        now = at(2025, 10, 25, 23, 30)
        assert resolve_date_range("today", "Europe/London", now) == (D(2025, 10, 26), D(2025, 10, 26))
        assert resolve_date_range("today", "UTC", now) == (D(2025, 10, 25), D(2025, 10, 25))

    def test_london_spring_change_night_stays_on_the_same_day(self):
        """At 00:30 UTC on 30 Mar 2025 London is still on GMT: 00:30 on the 30th, yesterday is the 29th."""
        assert resolve_date_range("yesterday", "Europe/London", at(2025, 3, 30, 0, 30)) == (
            D(2025, 3, 29), D(2025, 3, 29))

    def test_new_york_spring_change_evening_is_the_previous_day(self):
        """At 04:30 UTC on 9 Mar 2025 New York is at 23:30 EST on the 8th."""
        assert local_today("America/New_York", at(2025, 3, 9, 4, 30)) == D(2025, 3, 8)

    def test_month_boundary_depends_on_the_zone(self):
        """At 10:30 UTC on 31 Jan, Kiritimati (UTC+14) is already in February."""
        now = at(2025, 1, 31, 10, 30)
        assert resolve_date_range("month_to_date", "Pacific/Kiritimati", now) == (D(2025, 2, 1), D(2025, 2, 1))
        assert resolve_date_range("last_month", "Pacific/Kiritimati", now) == (D(2025, 1, 1), D(2025, 1, 31))

    def test_naive_now_is_refused(self):
        """A clock without a time zone would silently mean the machine's zone."""
        with pytest.raises(ValueError, match="aware"):
            resolve_date_range("today", "UTC", dt.datetime(2025, 1, 1))


class TestApiLimits:
    def test_two_years_end_on_the_anniversary_inclusive(self):
        """2025-01-01 allows an end of 2027-01-01, not 2027-01-02 (docs/decisions.md#date-ranges)."""
        assert latest_end(D(2025, 1, 1)) == D(2027, 1, 1)
        assert range_problem(D(2024, 6, 30), D(2026, 6, 30)) is None
        assert range_problem(D(2025, 1, 1), D(2027, 1, 2)) == (
            "the range 2025-01-01 to 2027-01-02 is longer than the API's 2-year limit "
            "(the latest end for this start is 2027-01-01)")

    def test_leap_day_start_allows_an_end_on_28_february(self):
        """From 29 Feb 2024 the latest end is 28 Feb 2026 (the emulator's rule), not 1 March."""
        assert latest_end(D(2024, 2, 29)) == D(2026, 2, 28)
        assert range_problem(D(2024, 2, 29), D(2026, 3, 1)) is not None

    def test_ranges_at_the_end_of_the_calendar_do_not_overflow(self):
        """A start in 9998 or 9999 has no "two years later"; the calendar's last day is the limit, not an error."""
        assert latest_end(D(9999, 12, 30)) == D.max
        assert range_problem(D(9999, 12, 30), D(9999, 12, 31)) is None

    def test_a_range_leaving_the_calendar_is_a_problem_not_an_exception(self):
        """Resolving a range past year 1 gives a readable problem instead of OverflowError/ValueError."""
        now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        outside = (None, "the range cannot be computed: it falls outside the calendar (years 1 to 9999)")
        assert range_error({"last": 100000000, "unit": "days"}, "UTC", now) == outside
        assert range_error({"last": 100000, "unit": "months"}, "UTC", now) == outside
        assert range_error("last_7_days", "UTC", now) == ((D(2024, 12, 25), D(2024, 12, 31)), None)

    def test_end_before_start_is_a_problem(self):
        """An inverted range is a problem; a one-day range is not."""
        assert range_problem(D(2025, 1, 2), D(2025, 1, 1)) == "end 2025-01-01 is before start 2025-01-02"
        assert range_problem(D(2025, 1, 1), D(2025, 1, 1)) is None


class TestParseIsoDate:
    @pytest.mark.parametrize(("text", "reason"), [
        ("2026-02-30", "2026-02-30 does not exist: February 2026 has 28 days"),
        ("2100-02-29", "2100-02-29 does not exist: February 2100 has 28 days"),  # not a leap year (century)
        ("2026-06-31", "2026-06-31 does not exist: June 2026 has 30 days"),
        ("2026-00-10", "2026-00-10 does not exist: there is no month 00 (months are 01 to 12)"),
        ("2026-01-00", "2026-01-00 does not exist: January 2026 has 31 days"),
        ("0000-01-01", "0000-01-01 does not exist: years start at 0001"),
        ("2026-1-5", 'expected a date written YYYY-MM-DD, not "2026-1-5"'),
        ("yesterday", 'expected a date written YYYY-MM-DD, not "yesterday"'),
    ])
    def test_impossible_or_misshapen_dates_say_why(self, text, reason):
        """Each impossible date is refused with the reason it does not exist; other shapes ask for YYYY-MM-DD."""
        from sheets_sync.dates import parse_iso_date

        with pytest.raises(ValueError, match=f"^{re.escape(reason)}$"):
            parse_iso_date(text)

    @pytest.mark.parametrize("text", ["2024-02-29", "2000-02-29", "2026-12-31", "0001-01-01", "9999-12-31"])
    def test_real_dates_parse(self, text):
        """Dates that exist (leap days of leap years, the calendar's ends) parse to that date."""
        from sheets_sync.dates import parse_iso_date

        assert parse_iso_date(text) == D.fromisoformat(text)
