"""Issue 15: the managers' dashboard at 80x24 and 160x48: answers first, a period picked by key, the
figures worked out in a worker (the screen never waits on the store)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store
from ophamp_tui.screens.dashboard import DashboardScreen
from ophamp_tui.screens.home import HomeScreen

from .test_due_from_me import add_case
from .ui_helpers import fixed_clock, make_app, screen_text, toasts

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def seeded_app(tmp_path, count: int = 60):
    store = Store(tmp_path / "store", clock=fixed_clock(NOW))
    store.create_many(fictional_cases(count, seed=7, now=NOW))
    return make_app(tmp_path, clock=fixed_clock(NOW))


async def shown(pilot) -> str:
    """Wait until the dashboard has its figures; the screen as a person sees it (lines joined)."""
    for _ in range(200):
        screen = pilot.app.screen
        if (
            isinstance(screen, DashboardScreen)
            and screen.report is not None
            and "working out" not in screen_text(pilot)
        ):
            break
        await pilot.pause(0.02)
    await pilot.pause()
    return " ".join(line.strip() for line in screen_text(pilot).splitlines())


async def test_the_dashboard_answers_which_step_is_missed_most_and_rui_over_six_months(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    add_case(app.store, "OH-261120-AAAA", 72)  # welfare contact due 48 h ago, not made: missed
    add_case(app.store, "OH-261123-BBBB", 2)  # due in 22 h: not yet late
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("d")
        text = await shown(pilot)
        assert "Dashboard: November 2026 · 2 cases by incident date" in text
        assert "Most missed step: 2. Welfare contact" in text and "1 of 1 late or missed (100%)" in text
        assert "RUI over 6 months: 0 of 0 suspects on RUI now." in text
        assert "PC Alex Morgan" not in text  # counts only: no names
        await pilot.press("c")
        await pilot.press(*"next week")
        await pilot.press("enter")
        await pilot.pause()
        assert "Dates not understood" in toasts(pilot)
        box = app.screen.query_one("#dash-range")
        box.value = ""
        await pilot.press(*"2026-11-22..2026-11-23", "enter")
        text = await shown(pilot)
        assert "Dashboard: 22/11/2026 to 23/11/2026 · 1 cases by incident date" in text
        await pilot.press("3")
        text = await shown(pilot)
        assert "Dashboard: 2026 · 2 cases" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_an_empty_store_gives_zeros_not_an_error(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        text = await shown(pilot)
        assert "0 cases by incident date" in text
        assert "Most missed step: none" in text


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_dashboard_snapshot(snap_compare, tmp_path, size):
    async def open_it(pilot) -> None:
        await pilot.press("d")
        await shown(pilot)

    assert snap_compare(seeded_app(tmp_path), run_before=open_it, terminal_size=size)


def test_the_figures_are_read_in_a_worker(tmp_path, monkeypatch):
    """A slow store never freezes the screen: the figures come from a thread (keys answered meanwhile)."""
    import threading

    from ophamp_tui.screens import dashboard

    threads: list[str] = []
    real = dashboard.build_report

    def slow(store, period, now):
        threads.append(threading.current_thread().name)
        return real(store, period, now)

    monkeypatch.setattr(dashboard, "build_report", slow)
    import asyncio

    async def run() -> None:
        app = make_app(tmp_path, clock=fixed_clock(NOW))
        add_case(app.store, "OH-261120-AAAA", 72)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("d")
            await shown(pilot)

    asyncio.run(run())
    assert threads and threads[0] != threading.main_thread().name
