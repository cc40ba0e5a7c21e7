"""Issue 11 item 7: readable for everyone. Status is never shown by colour alone; NO_COLOR gives a screen
without colour; a light high-contrast theme is one keypress (F10) away and remembered."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.data.store import Store
from ophamp_tui.themes import HIGH_CONTRAST

from .pty_terminal import OPHAMP, Terminal, ophamp_env
from .ui_helpers import SERGEANT, field, fixed_clock, make_app, right4_done, screen_text, tick

SGR = re.compile(rb"\x1b\[([0-9;]*)m")


def colours(raw: bytes) -> set[tuple[int, int, int]]:
    """Every 24-bit colour the program sent (foreground and background)."""
    found = set()
    for params in SGR.findall(raw):
        parts = [int(p) for p in params.split(b";") if p]
        for i, p in enumerate(parts):
            if p in (38, 48) and i + 4 < len(parts) + 1 and parts[i + 1 : i + 2] == [2]:
                found.add(tuple(parts[i + 2 : i + 5]))
    return found


def test_no_color_gives_a_screen_without_colour(tmp_path):
    root = tmp_path / "store"
    Store(root).create(
        right4_done(
            new_case(
                victim=Victim(name="PC Alex Morgan", number="PC 7788"),
                incident=Incident(occurred_at=fixed_clock()() - timedelta(days=3)),
                by=SERGEANT,
                now=fixed_clock()(),
            )
        )
    )
    env = ophamp_env(tmp_path)
    save_identity(tmp_path / "config", SERGEANT)
    for no_color in (False, True):
        base = {**{k: v for k, v in env.items() if k != "NO_COLOR"}, "COLORTERM": "truecolor"}
        run_env = {**base, "NO_COLOR": "1"} if no_color else base
        with Terminal([*OPHAMP, "--store", str(root)], run_env) as term:
            term.wait_for("1 case ·")  # the list is up (a carry-on offer may cover its row)
            term.send("\r")
            term.wait_for("OVERDUE")
            time.sleep(0.5)
            seen = colours(bytes(term.raw))
        hues = {c for c in seen if len(set(c)) > 1}
        if no_color:
            assert seen and not hues, sorted(hues)[:5]  # shades of grey only
        else:
            assert hues  # the check would notice colour


async def test_ticked_and_unticked_look_different_without_colour(tmp_path):
    clock = fixed_clock()
    app = make_app(tmp_path, clock=clock)
    app.store.create(
        right4_done(
            new_case(
                victim=Victim(name="PC Alex Morgan", number="PC 7788"),
                incident=Incident(occurred_at=clock() - timedelta(hours=2)),
                by=SERGEANT,
                now=clock(),
            )
        )
    )
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("enter", "1")
        await pilot.pause()
        await tick(pilot, "inspector_told", True)
        assert "▐X▌ Inspector / second-line manager told" in screen_text(pilot)
        assert "▐ ▌ Colleagues who were present checked on" in screen_text(pilot)
        await pilot.press("escape", "e")
        await pilot.pause()
        methods = field(pilot, "incident.methods")
        methods.scroll_visible(animate=False)
        methods.focus()
        await pilot.press("down", "space")
        await pilot.pause()
        text = screen_text(pilot)
        assert "▐X▌ Kick" in text and "▐ ▌ Punch" in text


async def test_high_contrast_is_one_key_away_and_remembered(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        assert app.theme == HIGH_CONTRAST.name and not app.current_theme.dark
    again = make_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == HIGH_CONTRAST.name
        await pilot.press("f10")
        await pilot.pause()
        assert again.theme != HIGH_CONTRAST.name and again.current_theme.dark
