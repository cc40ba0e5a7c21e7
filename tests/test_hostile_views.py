"""Generated hostile text, stored and reloaded, through every view that shows it: the case list, the
case, a step form, a log, the history, the queues, the victim leaflet (and its export) and a notification.
No exception, and the text is shown as the user typed it (control codes removed)."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.hostile_fuzz import hostile
from ophamp_tui.data.edits import new_case
from ophamp_tui.data.leaflet import export
from ophamp_tui.data.models import Actor, Incident, LogEntry, Victim
from ophamp_tui.data.text import clean_text

from .ui_helpers import SERGEANT, fixed_clock, make_app, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def visible(text: str) -> str:
    """A stretch of the cleaned text that must appear on screen: the start, up to the first odd character."""
    out = []
    for ch in clean_text(text):
        if not (ch.isascii() and ch.isprintable()) or ch == " " and out and out[-1] == " ":
            break
        out.append(ch)
    return "".join(out)[:12].strip()


async def look_everywhere(tmp: Path, text: str) -> None:
    app = make_app(tmp, clock=fixed_clock(NOW))
    name = clean_text(text, max_len=500) or "x"
    case = new_case(
        victim=Victim(name=name, number="7788"),
        incident=Incident(occurred_at=NOW - timedelta(days=9), location=text, impact_notes=text),
        by=Actor(name=name, number="1"),
        now=NOW,
        case_id="OH-261114-HOST",
    )
    app.store.create(case)
    app.store.update(
        case.id,
        SERGEANT,
        sets={"steps.welfare_contact.fields.how_are_you": text, "steps.welfare_contact.notes": text},
        appends={"updates": LogEntry(at=NOW - timedelta(days=1), by=SERGEANT, method="phone", summary=text)},
    )
    shown = visible(text)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert shown in screen_text(pilot)  # case list
        for keys in (["o"], ["escape", "r"], ["escape"]):  # the queues, back to the list
            await pilot.press(*keys)
            await pilot.pause()
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        assert shown in screen_text(pilot)  # the case
        for keys in (["2"], ["escape", "7"], ["escape", "h"], ["escape", "v"], ["escape"]):
            await pilot.press(*keys)
            await pilot.pause()
            screen_text(pilot)  # renders without raising
        pilot.app.notify(name, markup=False)  # a notification quoting user text
        await pilot.pause()
        screen_text(pilot)
        assert pilot.app.is_running
    written = export(app.store.load(case.id), tmp / "out").read_text(encoding="utf-8")
    assert name in written and "\x1b" not in written


@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=st.one_of(hostile, st.sampled_from(["[/] O'Brien [b", "[@click=app.quit]x", "\x1b]0;t\x07ok"])))
def test_generated_hostile_text_in_every_view(text):
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(look_everywhere(Path(tmp), text))
