"""Crash during save on PostgreSQL: kill -9 a process saving to a PgStore; no confirmed save is lost.

The loop lives in benchmarks/crash_loop_pg.py, which runs it 1000 times (figures in BENCHMARKS.md);
here a dozen times against the test server, so CI stays fast (about 5 s).
"""

from __future__ import annotations

from benchmarks.crash_loop_pg import run

RUNS = 12


def test_kill_9_during_pg_saves_loses_nothing(pg_dsn, tmp_path):
    result = run(RUNS, pg_dsn, seed=7, work=tmp_path / "logs")
    assert result.problems == []
    assert result.runs == RUNS
    assert result.children_not_killed == 0 and result.sessions_slow_to_end == 0
    assert result.lost == 0
    assert result.history_mismatches == 0
    assert result.open_failures == 0 and result.damaged_cases == 0
    assert result.probe_failures == 0  # the store saves after every kill: no lock left behind
    # The children really saved, and kills really landed inside a save's transaction.
    assert result.saves_confirmed >= RUNS
    assert result.creates_confirmed > 0 and result.values_confirmed > 0 and result.appends_confirmed > 0
    assert result.in_transaction > 0 and result.in_transaction_rolled_back > 0
    assert result.inflight_landed + result.inflight_absent > 0
    assert result.cases >= result.creates_confirmed
    assert result.ok


def test_the_pg_checks_notice_lost_saves(pg_dsn, tmp_path):
    """Negative control: a child that puts some cases back as they were before a confirmed save."""
    result = run(6, pg_dsn, seed=7, work=tmp_path / "logs", sabotage=True)
    assert result.lost > 0
    assert result.history_mismatches > 0  # the history rows stayed: the table no longer matches the case
    assert not result.ok
