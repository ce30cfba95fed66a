"""The emulator's late data (`restate_days`): the last N days before its clock grow until they are final."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.emulator import EmulatorOptions
from sheets_sync.emulator.cli import build_parser, options_from
from sheets_sync.emulator.curves import withheld
from tests.emulator.support import Api

DAY = {"startDate": "2026-06-01", "endDate": "2026-06-14", "granularity": "day", "metrics": ["impressions"]}


def _daily(api: Api) -> dict[str, int]:
    rows = api.walk("/v2/instances/performance-over-time", DAY)
    return {row["startDate"][:10]: row["metrics"]["impressions"] for row in rows}


def _at(clock: dict[str, float], day: int) -> None:
    clock["now"] = dt.datetime(2026, 6, day, 9, tzinfo=dt.UTC).timestamp()


def test_recent_days_grow_as_the_clock_moves_then_stay_final(make_emulator) -> None:
    """A day reported at 1, 2, 3 days old grows each time and is final (as without restating) from 3 days old."""
    clock = {"now": 0.0}
    _at(clock, 11)
    emu = make_emulator(restate_days=3, clock=lambda: clock["now"])
    final = _daily(Api(make_emulator()))
    seen = []
    for day in (11, 12, 13, 14):
        _at(clock, day)
        seen.append(_daily(Api(emu))["2026-06-10"])
    assert seen[0] < seen[1] < seen[2] == seen[3] == final["2026-06-10"], seen
    assert _daily(Api(emu))["2026-06-01"] == final["2026-06-01"]  # long past: never restated


def test_restated_numbers_are_the_same_for_a_seed_and_a_clock(make_emulator) -> None:
    """Two emulators with one seed, one clock and one restate window answer the same numbers."""
    clock = {"now": dt.datetime(2026, 6, 12, 9, tzinfo=dt.UTC).timestamp()}
    first = _daily(Api(make_emulator(restate_days=5, clock=lambda: clock["now"])))
    second = _daily(Api(make_emulator(restate_days=5, clock=lambda: clock["now"])))
    assert first == second


def test_withheld_is_zero_once_every_day_is_old_enough() -> None:
    """Nothing is held back of days at least N days before the clock; part is of a day 0 days old."""
    assert withheld(1000, 100, 10, 100, 109, as_of=120, restate_days=3) == 0
    assert 0 < withheld(1000, 100, 10, 100, 109, as_of=105, restate_days=3) < 1000


def test_restate_days_is_an_option_and_a_flag() -> None:
    """--restate-days N reaches EmulatorOptions; a negative value is refused before anything starts."""
    assert options_from(build_parser().parse_args(["--restate-days", "4"])).restate_days == 4
    with pytest.raises(ValueError, match="restate_days"):
        EmulatorOptions(restate_days=-1).validate()
