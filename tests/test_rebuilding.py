"""Issue 13: a lost index is made again inside the app, in a worker, with a progress bar (never a blank
terminal); then the case list. An index that is there is still checked, after the list is shown."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pyte

from ophamp_tui.app import OpHampApp
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.seed import iter_fictional_cases
from ophamp_tui.data.store import Store
from ophamp_tui.screens.home import HomeScreen
from ophamp_tui.screens.rebuilding import WHY, RebuildingScreen

from .pty_terminal import OPHAMP, Terminal, ophamp_env
from .ui_helpers import SERGEANT, wait_for

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def seeded_without_index(root: Path, count: int) -> None:
    Store(root, clock=lambda: NOW).create_many(iter_fictional_cases(count, seed=13, now=NOW))
    shutil.rmtree(root / "index")


async def wait_until(pilot, test, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def test_a_lost_index_is_made_with_a_progress_bar_then_the_list(tmp_path):
    root = tmp_path / "store"
    seeded_without_index(root, 300)
    save_identity(tmp_path / "config", SERGEANT)
    store = Store(root, rebuild=False)
    assert store.needs_rebuild and len(store) == 0
    seen: list[tuple[int, int]] = []
    go_on = threading.Event()
    rebuild = store.rebuild

    def held_rebuild(progress=None):
        def watched(done: int, total: int) -> None:
            seen.append((done, total))
            if progress is not None:
                progress(done, total)
            go_on.wait(10)  # the screen is looked at part way

        rebuild(watched)

    store.rebuild = held_rebuild  # type: ignore[method-assign]
    app = OpHampApp(store, config_dir=tmp_path / "config")
    async with app.run_test(size=(80, 24)) as pilot:
        text = await wait_for(pilot, "300 case files")
        assert isinstance(app.screen, RebuildingScreen)
        assert seen == [(0, 300)]
        assert "Making the case list from 300 case files…" in text
        assert "The case list index was missing or made by another version" in text
        go_on.set()
        await wait_for(pilot, "300 cases ·")
        assert isinstance(app.screen, HomeScreen)
        assert [type(s) for s in app.screen_stack[1:]] == [HomeScreen]  # the progress screen is gone
        await pilot.press("ctrl+q")
    assert seen[0] == (0, 300) and seen[-1] == (300, 300)
    assert not Store(root, rebuild=False).needs_rebuild  # the index is there for next time
    assert len(Store(root, rebuild=False)) == 300


async def test_an_index_that_is_there_is_still_checked_after_the_list_is_shown(tmp_path):
    root = tmp_path / "store"
    Store(root, clock=lambda: NOW).create_many(iter_fictional_cases(5, seed=13, now=NOW))
    store = Store(root, rebuild=False)
    assert not store.needs_rebuild and len(store) == 5
    # Written since this ophamp read its index (by another ophamp, or a copy of case files).
    Store(root, clock=lambda: NOW).create_many(list(iter_fictional_cases(8, seed=14, now=NOW))[5:])
    save_identity(tmp_path / "config", SERGEANT)
    app = OpHampApp(store, config_dir=tmp_path / "config")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, "8 cases ·")
        await pilot.press("ctrl+q")


def test_the_real_program_shows_progress_first_not_a_blank_terminal(tmp_path):
    root = tmp_path / "store"
    seeded_without_index(root, 300)
    env = ophamp_env(tmp_path)
    save_identity(tmp_path / "config", SERGEANT)
    with Terminal([*OPHAMP, "--store", str(root)], env) as term:
        term.wait_for("300 cases", timeout=20)
        # Played back as the terminal drew it, a little at a time: the progress screen, title and reason,
        # is drawn in full before anything of the case list.
        replay = pyte.Screen(80, 24)
        stream = pyte.ByteStream(replay)
        raw, shown = bytes(term.raw), ""
        for start in range(0, len(raw), 64):
            stream.feed(raw[start : start + 64])
            shown = "\n".join(replay.display)
            if "cases ·" in shown or ("300 case files" in shown and WHY[:40] in shown):
                break
        assert "Making the case list from 300 case files" in shown and WHY[:40] in shown, shown
        assert "cases ·" not in shown, shown
        term.send("\x11")  # Ctrl+Q
        assert term.wait_exit(10) == 0
    assert not Store(root, rebuild=False).needs_rebuild
