"""Screens as a user sees them, compared with approved SVG snapshots (pytest-textual-snapshot).

Regenerate after an intended change with `pytest tests/test_snapshots.py --snapshot-update`,
then look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store

from .ui_helpers import fixed_clock, make_app

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]


def seeded_app(tmp_path, count: int = 30):
    store = Store(tmp_path / "store", clock=fixed_clock(NOW))
    store.create_many(fictional_cases(count, seed=7, now=NOW))
    return make_app(tmp_path, clock=fixed_clock(NOW))


def _a_case_id(app) -> str:
    """An open case a few steps in (deterministic: the seed is fixed)."""
    summaries = sorted(app.store.summaries(), key=lambda s: s.id)
    return next(s.id for s in summaries if 3 <= s.done <= 6)


@pytest.mark.parametrize("size", SIZES)
def test_home_empty(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path, clock=fixed_clock(NOW)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_home_full(snap_compare, tmp_path, size):
    assert snap_compare(seeded_app(tmp_path), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_new_case(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path, clock=fixed_clock(NOW)), press=["n"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_case_overview(snap_compare, tmp_path, size):
    app = seeded_app(tmp_path)

    async def open_case(pilot):
        pilot.app.screen.open_case(_a_case_id(pilot.app))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_case)


@pytest.mark.parametrize("size", SIZES)
def test_step_form(snap_compare, tmp_path, size):
    app = seeded_app(tmp_path)

    async def open_step(pilot):
        pilot.app.screen.open_case(_a_case_id(pilot.app))
        await pilot.pause()
        await pilot.press("4")  # step 4, the statement
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_step)
