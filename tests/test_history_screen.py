"""The case history screen: every change, who and when, old → new, newest first; shown literally; read-only."""

from __future__ import annotations

from datetime import timedelta

from ophamp_tui.data.models import Actor, LogEntry
from ophamp_tui.data.store import Store
from ophamp_tui.screens.case import CaseScreen
from ophamp_tui.screens.history import HistoryScreen
from ophamp_tui.screens.history_change import HistoryChangeScreen

from .test_screens import NOW, add_case
from .ui_helpers import SERGEANT, fixed_clock, make_app, screen_text

HOSTILE = "[/] O'Brien [b [@click=app.quit]x"
INSPECTOR = Actor(name="Insp Kay Lowe", number="0099", role="inspector")


def make_changes(tmp_path, app, case_id: str) -> None:
    """Three saves: the name (2 hours ago, by the sergeant), then the VPS and an update (now, by the inspector)."""
    earlier = Store(tmp_path / "store", clock=fixed_clock(NOW - timedelta(hours=2)))
    earlier.update(case_id, SERGEANT, sets={"victim.name": HOSTILE})
    app.store.update(case_id, INSPECTOR, sets={"steps.statement.fields.vps": "declined"})
    app.store.update(
        case_id,
        INSPECTOR,
        appends={
            "updates": LogEntry(at=NOW, by=INSPECTOR, method="phone", summary="Told of arrest"),
        },
    )


async def test_history_shows_who_when_what_old_and_new_literally_newest_first(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app, case_id="OH-261024-HIST")
    make_changes(tmp_path, app, case.id)
    before = app.store.case_path(case.id).read_bytes()
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HistoryScreen)
        text = screen_text(pilot)
        lines = text.splitlines()
        assert f"{case.id}  {HOSTILE}  4 changes, newest first" in text  # the title, literally
        assert "When" in text and "Who" in text and "What" in text and "Old → New" in text
        # Newest first: the update, the VPS, the name, the case being created.
        update = next(i for i, line in enumerate(lines) if "+ Phone: Told of arrest" in line)
        vps = next(i for i, line in enumerate(lines) if "4. Victim Perso" in line)
        name = next(i for i, line in enumerate(lines) if "Victim's name" in line)
        created = next(i for i, line in enumerate(lines) if "Case created" in line)
        assert update < vps < name < created
        assert "23/11/2026 15:00  Insp Kay Lowe " in lines[vps]  # the name; the number is under the list
        assert "23/11/2026 13:00  PS Sam Taylor" in lines[name]  # London time (GMT in November)
        assert "24/10/2026 16:00" in lines[created]  # 15:00 UTC in October is BST
        assert "— → Offered and declined" in lines[vps]
        # The highlighted change is shown in full under the list.
        await pilot.press("down", "down")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Victim's name  PS Sam Taylor (4521), 23/11/2026 13:00" in text
        assert f"PC Alex Morgan → {HOSTILE}" in text
        # Enter: the change in full, in a dialog; Escape back to the list.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HistoryChangeScreen)
        text = screen_text(pilot)
        assert "Before" in text and "PC Alex Morgan" in text and "After" in text and HOSTILE in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HistoryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CaseScreen)
        assert pilot.app.is_running  # the [@click=app.quit] in the name did nothing
    assert app.store.case_path(case.id).read_bytes() == before  # read-only: the store was not written


async def test_full_change_key_shows_long_text_in_full(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    impact = "Not sleeping. " + "Worried about going back on the same beat. " * 6 + "END"
    app.store.update(case.id, SERGEANT, sets={"steps.statement.fields.impact": impact})
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert "END" not in screen_text(pilot)  # cut short in the list and under it
        assert "PS Sam Taylor (4521)" not in screen_text(pilot).splitlines()[3]  # 80 wide: the name only
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "PS Sam Taylor (4521)" in screen_text(pilot).splitlines()[3]  # wider: with the number
        await pilot.press("f")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Step 4 Statement taken: Impact on the victim (in the statement)" in text
        assert "END" in text


async def test_history_of_a_case_that_cannot_be_read_says_so(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        pilot.app.push_screen(HistoryScreen(pilot.app.store, "OH-000000-NONE"))
        await pilot.pause()
        text = screen_text(pilot)
        assert "OH-000000-NONE  history not available" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, HistoryScreen)
