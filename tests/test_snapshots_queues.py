"""The overdue and senior-review queues at 80x24, compared with approved SVG snapshots.

Regenerate after an intended change with `pytest tests/test_snapshots_queues.py --snapshot-update`,
then look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store

from .ui_helpers import fixed_clock, make_app

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SIZE = (80, 24)


def seeded_app(tmp_path, count: int = 30):
    """30 fictional cases (fixed seed and clock): 6 things overdue, 4 cases awaiting review."""
    store = Store(tmp_path / "store", clock=fixed_clock(NOW))
    store.create_many(fictional_cases(count, seed=7, now=NOW))
    return make_app(tmp_path, clock=fixed_clock(NOW))


def test_overdue_queue(snap_compare, tmp_path):
    assert snap_compare(seeded_app(tmp_path), press=["o"], terminal_size=SIZE)


def test_overdue_queue_empty(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, clock=fixed_clock(NOW)), press=["o"], terminal_size=SIZE)


def test_review_queue(snap_compare, tmp_path):
    assert snap_compare(seeded_app(tmp_path), press=["r"], terminal_size=SIZE)
