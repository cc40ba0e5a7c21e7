"""Issue 10 item 20: while another ophamp holds the store (``ophamp seed`` writing thousands of cases),
leaving a field does not freeze the screen: the save waits in the background, the header says so, and
it is in the store as soon as the other one lets go."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.data.store import Store

from .ui_helpers import SERGEANT, field, fixed_clock, make_app, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def hold_the_lock(root, seconds: float) -> subprocess.Popen:
    code = (
        "import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
        "print('held', flush=True); time.sleep(float(sys.argv[2]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(root / ".lock"), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


async def test_a_save_waiting_for_another_ophamp_does_not_freeze_the_screen(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case_id = app.store.create(
        new_case(
            victim=Victim(name="PC Alex Morgan", number="PC 7788"),
            incident=Incident(occurred_at=NOW - timedelta(hours=2)),
            by=SERGEANT,
            now=NOW,
        )
    ).id
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "1")
        await pilot.pause()
        holder = hold_the_lock(tmp_path / "store", 4)
        try:
            await pilot.press(*"PS Sam Taylor", "tab")
            await pilot.pause(0.5)
            await pilot.press(*"PS 4521")  # the screen still takes keys: it is not frozen
            await pilot.pause()
            assert holder.poll() is None  # the other ophamp still holds the store
            assert field(pilot, "supervisor_number").value == "PS 4521"
            assert "waiting: store busy" in screen_text(pilot)  # in the header (the name, and the suggested number)
            assert "supervisor_name" not in Store(tmp_path / "store").load(case_id).steps["supervisor_aware"].fields
        finally:
            holder.wait(20)
        for _ in range(100):  # saved as soon as the other one lets go
            await pilot.pause(0.1)
            if "store busy" not in screen_text(pilot):
                break
        await pilot.press("tab")
        await pilot.pause(0.5)
    fields = Store(tmp_path / "store").load(case_id).steps["supervisor_aware"].fields
    assert fields["supervisor_name"] == "PS Sam Taylor" and fields["supervisor_number"] == "PS 4521"
