"""The case history screen as a user sees it (pytest-textual-snapshot).

Regenerate after an intended change with `pytest tests/test_snapshots_history.py --snapshot-update`,
then look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Actor, Incident, LogEntry, Victim
from ophamp_tui.data.store import Store

from .ui_helpers import SERGEANT, fixed_clock, make_app

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]
CASE_ID = "OH-261120-HIST"
OIC = Actor(name="DC Priya Shah", number="3310", role="oic")


def app_with_history(tmp_path):
    """A case logged three days ago and changed since by two people, at different times."""

    def store_at(when: datetime) -> Store:
        return Store(tmp_path / "store", clock=fixed_clock(when))

    start = NOW - timedelta(days=3)
    store_at(start).create(
        new_case(
            victim=Victim(name="PC Alex Morgan", number="7788"),
            incident=Incident(occurred_at=start - timedelta(hours=1), offence="aew_s1", methods=["spit"]),
            by=SERGEANT,
            now=start,
            case_id=CASE_ID,
        )
    )
    store_at(start + timedelta(hours=2)).update(
        CASE_ID,
        SERGEANT,
        sets={
            "victim.name": "[/] O'Brien [b [@click=app.quit]x",
            "incident.offence": "abh_s47",
        },
    )
    step_at = NOW - timedelta(days=1)
    store_at(step_at).update(
        CASE_ID,
        OIC,
        sets={
            "steps.statement.fields.vps": "declined",
            "steps.statement.fields.vps_declined_reason": "Wants to think about it",
            "steps.statement.status": "in_progress",
            "steps.statement.by": OIC.model_dump(mode="json"),
            "steps.statement.at": step_at,
        },
    )
    store_at(NOW - timedelta(hours=3)).update(CASE_ID, OIC, sets={"steps.oic_assigned.fields.victim_told": True})
    store_at(NOW - timedelta(hours=1)).update(
        CASE_ID,
        OIC,
        appends={
            "updates": LogEntry(
                at=NOW - timedelta(hours=1),
                by=OIC,
                method="phone",
                summary="Told of arrest; suspect bailed to 20 December",
            ),
        },
    )
    return make_app(tmp_path, clock=fixed_clock(NOW))


@pytest.mark.parametrize("size", SIZES)
def test_case_history(snap_compare, tmp_path, size):
    async def open_history(pilot):
        pilot.app.screen.open_case(CASE_ID)
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()

    assert snap_compare(app_with_history(tmp_path), terminal_size=size, run_before=open_history)


def test_case_history_change_in_full(snap_compare, tmp_path):
    async def open_change(pilot):
        pilot.app.screen.open_case(CASE_ID)
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("ctrl+end", "up", "enter")  # the oldest are at the bottom: the name, above "created"
        await pilot.pause()

    assert snap_compare(app_with_history(tmp_path), terminal_size=(80, 24), run_before=open_change)
