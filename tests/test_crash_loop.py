"""Crash during save: kill -9 a saving process over and over; no confirmed save is lost.

The loop lives in benchmarks/crash_loop.py, which runs it 1000 times (figures in
RELIABILITY.md); here it runs a few dozen times so CI stays fast.
"""

from __future__ import annotations

from benchmarks.crash_loop import run

RUNS = 25


def test_kill_9_during_saves_loses_nothing(tmp_path):
    result = run(RUNS, tmp_path / "store", seed=7, work=tmp_path / "logs")
    assert result.problems == []
    assert result.runs == RUNS
    assert result.children_not_killed == 0
    assert result.lost == 0
    assert result.unreadable_stores == 0 and result.damaged_cases == 0
    assert result.temps_after_open == 0
    assert result.bad_modes == 0
    # The children really saved, and the kills really landed while a save was in flight.
    assert result.saves_confirmed >= RUNS
    assert result.creates_confirmed > 0 and result.values_confirmed > 0 and result.appends_confirmed > 0
    assert result.inflight_landed + result.inflight_absent > 0
    assert result.cases >= result.creates_confirmed
    assert result.files_checked > 0


def test_the_checks_notice_lost_saves(tmp_path):
    """Negative control: a child that undoes some of its confirmed saves must be caught."""
    result = run(6, tmp_path / "store", seed=7, work=tmp_path / "logs", sabotage=True)
    assert result.lost > 0
    assert not result.ok
