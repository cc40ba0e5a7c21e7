"""What a user sees when the disk fails, a file is damaged, someone else is in the store, or the clocks change."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.data import atomic, presence
from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Actor, Incident, Victim
from ophamp_tui.data.store import Store

from .ui_helpers import SERGEANT, error_of, field, fixed_clock, make_app, screen_text, toasts, type_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def add_case(app, case_id="OH-261123-RELY", name="PC Alex Morgan"):
    case = new_case(
        victim=Victim(name=name, number="7788"),
        incident=Incident(occurred_at=NOW - timedelta(hours=5)),
        by=SERGEANT,
        now=NOW,
        case_id=case_id,
    )
    app.store.create(case)
    return case


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
async def test_disk_full_or_read_only_keeps_old_data_and_says_so(tmp_path, monkeypatch, err):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    app.store.update(case.id, SERGEANT, sets={"steps.welfare_contact.fields.how_are_you": "Shaken"})
    path = app.store.case_path(case.id)
    before = path.read_bytes()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.press("2")
        await pilot.pause()

        def full(fd, data):
            raise OSError(err, os.strerror(err))

        monkeypatch.setattr(atomic, "_write", full)
        await type_text(pilot, "how_are_you", "Better today")
        shown = toasts(pilot)
        assert "Not saved" in shown
        assert ("disk is full" in shown) if err == errno.ENOSPC else ("read-only" in shown)
        assert "what was saved before is kept" in shown.lower()
        assert path.read_bytes() == before  # the old case, untouched
        # The app carries on, and once the disk has room the same field saves.
        monkeypatch.undo()
        await type_text(pilot, "how_are_you", "Better today")
        assert pilot.app.is_running
    assert Store(tmp_path / "store").load(case.id).steps["welfare_contact"].fields["how_are_you"] == "Better today"


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "future-schema", "wrong-schema"])
async def test_a_damaged_case_is_refused_plainly_and_left_alone(tmp_path, damage):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    good = add_case(app, case_id="OH-261123-GOOD", name="PC Good Case")
    bad = add_case(app, case_id="OH-261123-BADX", name="PC Bad Case")
    app.store.update(bad.id, SERGEANT, sets={"steps.statement.notes": "second version"})  # so a .bak exists
    path = app.store.case_path(bad.id)
    raw = path.read_bytes()
    record = json.loads(raw)
    damaged = {
        "empty": b"",
        "truncated": raw[: len(raw) // 2],
        "garbage": b"\x00\xff not json at all",
        "future-schema": json.dumps({"case": {"1": {**record["case"]["1"], "schema_version": 99}}}).encode(),
        "wrong-schema": json.dumps({"case": {"1": {"victim": 5}}}).encode(),
    }[damage]
    path.write_bytes(damaged)
    app = make_app(tmp_path, clock=fixed_clock(NOW))  # a fresh start on the damaged store
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
        assert "PC Good Case" in text and "(file damaged)" in text
        await pilot.press("home")
        while pilot.app.screen.query_one("#cases").cursor_row < 2:
            row = pilot.app.screen.query_one("#cases").cursor_row
            if "damaged" in str(pilot.app.screen.query_one("#cases").get_row_at(row)[1]):
                break
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        shown = toasts(pilot)
        assert str(path) in shown  # names the file
        if damage == "future-schema":
            assert "newer ophamp" in shown
        else:
            assert ".bak" in shown and "copy it over the damaged file" in shown
        pilot.app.screen.open_case(good.id)  # the other cases still work
        await pilot.pause()
        assert "PC Good Case" in screen_text(pilot)
    assert path.read_bytes() == damaged  # never overwritten


def test_a_garbage_store_description_is_refused_without_a_traceback(tmp_path):
    root = tmp_path / "store"
    Store(root)
    (root / "store.json").write_bytes(b"{truncated")
    result = subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "--store", str(root)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "store.json is damaged" in result.stderr and "Traceback" not in result.stderr
    assert (root / "store.json").read_bytes() == b"{truncated"


async def test_second_instance_is_told_who_else_has_the_store_open(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        folder = tmp_path / "store" / "sessions"
        folder.mkdir(mode=0o700)
        (folder / f"{presence.HOST}-{other.pid}.json").write_text(
            json.dumps(
                {
                    "host": presence.HOST,
                    "pid": other.pid,
                    "started": "2026-11-23T14:02:00+00:00",
                    "name": "PS Jo Other",
                    "number": "1111",
                }
            )
        )
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            shown = toasts(pilot)
            assert "Someone else has this store open" in shown
            assert "PS Jo Other (1111) since 23/11/2026 14:02" in shown
    finally:
        other.kill()
        other.wait()
    # Once that ophamp has gone, nobody is told about it.
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert "Someone else" not in toasts(pilot)


async def test_same_field_changed_in_another_window_is_not_silently_lost(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    elsewhere = Store(tmp_path / "store")  # the second terminal
    inspector = Actor(name="Insp Kay Lowe", number="0099")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        # Live updates stopped: a save that lands between two looks at the store (or while the screen
        # is busy) leaves this screen stale for a moment, and must still never be saved over.
        app.workers.cancel_group(app, "store-watch")
        pilot.app.screen.open_case(case.id)
        await pilot.press("2")
        await pilot.pause()
        elsewhere.update(case.id, inspector, sets={"steps.welfare_contact.fields.how_are_you": "Angry, not sleeping"})
        elsewhere.update(case.id, inspector, sets={"steps.welfare_contact.fields.injuries": "Bruised wrist"})
        await type_text(pilot, "how_are_you", "Fine, back at work")
        problem = error_of(pilot, "how_are_you")
        assert "Insp Kay Lowe (0099) changed this" in problem
        assert "You had entered: Fine, back at work" in problem  # what I typed is not silently lost
        assert field(pilot, "how_are_you").text == "Angry, not sleeping"  # their value is what is shown
        assert "Changed by someone else" in toasts(pilot)
        # A different field is merged, not refused.
        await type_text(pilot, "circumstances", "Arrest at the custody desk")
    saved = Store(tmp_path / "store").load(case.id).steps["welfare_contact"].fields
    assert saved["how_are_you"] == "Angry, not sleeping"  # theirs kept; mine refused and I was told
    assert saved["injuries"] == "Bruised wrist" and saved["circumstances"] == "Arrest at the custody desk"


@pytest.mark.parametrize(
    "typed,problem",
    [
        ("29/03/2026 01:30", "did not happen: the clocks went forward"),
        ("25/10/2026 01:30", "happened twice: the clocks went back"),
    ],
)
async def test_clock_change_times_are_asked_about_not_guessed(tmp_path, typed, problem):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = new_case(
        victim=Victim(name="PC A", number="1"),
        incident=Incident(occurred_at=datetime(2026, 3, 1, tzinfo=UTC)),
        by=SERGEANT,
        now=NOW,
        case_id="OH-260301-CLCK",
    )
    app.store.create(case)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "aware_at", typed)
        assert problem in error_of(pilot, "aware_at")
        await type_text(pilot, "aware_at", "25/10/2026 01:30 GMT")
        assert error_of(pilot, "aware_at") == ""
    stored = Store(tmp_path / "store").load(case.id).steps["supervisor_aware"].fields["aware_at"]
    assert stored == "2026-10-25T01:30:00+00:00"


async def test_a_case_damaged_while_open_is_refused_not_a_crash(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        app.store.case_path(case.id).write_bytes(b"")  # damaged by something else meanwhile
        for key in ("3", "e", "v"):
            await pilot.press(key)
            await pilot.pause()
            assert "cannot be opened" in toasts(pilot) and pilot.app.is_running, key
            assert type(pilot.app.screen).__name__ == "CaseScreen"
        await pilot.press("h")  # the history screen says so itself
        await pilot.pause()
        assert pilot.app.is_running
        await pilot.press("escape", "escape")
        await pilot.pause()
        pilot.app.screen.open_case(case.id)  # from the list, before it was refreshed
        await pilot.pause()
        assert pilot.app.is_running


def _odd(kind, app, bad):
    """Spoil case ``bad`` as a sync tool, a slip or a stray program might; the file to name."""
    path = app.store.case_path(bad.id)
    if kind == "copy":
        copy = path.with_name(f"{bad.id}-copy.json")
        copy.write_bytes(path.read_bytes())
        return copy, "a copy of another case's file"
    if kind == "value-as-key":
        data = json.loads(path.read_bytes())
        data["case"]["1"]["steps"] = {"PC Bad Case": 1}
        path.write_text(json.dumps(data))
        return path, "problem at steps.?"
    path.unlink()
    if kind == "dangling-link":
        path.symlink_to(path.parent / "nowhere.json")
        return path, "link to a file that does not exist"
    if kind == "named-pipe":
        os.mkfifo(path, 0o600)
        return path, "named pipe"
    if kind == "deep":
        path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
        return path, "nested too deep"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["copy", "value-as-key", "dangling-link", "named-pipe", "deep"])
async def test_one_odd_file_never_stops_the_app_starting(tmp_path, kind):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    good = add_case(app, case_id="OH-261123-GOOD", name="PC Good Case")
    bad = add_case(app, case_id="OH-261123-BADX", name="PC Bad Case")
    app.store.update(bad.id, SERGEANT, sets={"steps.statement.notes": "second version"})
    odd, problem = _odd(kind, app, bad)
    odd_id = odd.name[: -len(".json")]
    app = make_app(tmp_path, clock=fixed_clock(NOW))  # a fresh start on the store with the odd file
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
        assert "PC Good Case" in text and "(file damaged)" in text
        assert "PC Bad Case" not in text or kind == "copy"  # a copy's original is still fine
        pilot.app.screen.open_case(odd_id)
        await pilot.pause()
        shown = toasts(pilot)
        assert str(odd) in shown and problem in shown  # names the file, says what is wrong
        assert "PC Bad Case" not in shown  # never a value from the file
        pilot.app.screen.open_case(good.id)  # the other cases still work
        await pilot.pause()
        assert "PC Good Case" in screen_text(pilot)
    assert os.path.lexists(odd)  # left as it was


def _store_with_a_case(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    add_case(app, name="PC Read Only")
    sessions = tmp_path / "store" / "sessions"
    if sessions.exists():
        for f in sessions.iterdir():
            f.unlink()
        sessions.rmdir()
    return tmp_path / "store"


@pytest.mark.parametrize("how", ["chmod", "read-only disk"])
async def test_a_read_only_store_opens_for_reading_and_says_saving_is_not_possible(tmp_path, monkeypatch, how):
    root = _store_with_a_case(tmp_path)
    before = sorted(str(p) for p in root.rglob("*"))
    if how == "chmod":  # as its owner made it read-only: dirs 0500, files 0400 (held to even as root)
        for path in sorted(root.rglob("*"), reverse=True):
            os.chmod(path, 0o500 if path.is_dir() else 0o400)
        os.chmod(root, 0o500)
    else:  # a read-only mount: every create fails with EROFS (as root too)

        def refuse(*_a, **_kw):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        real_mkdir, real_open = os.mkdir, os.open

        def open_(path, flags, *a, **k):
            if str(path).startswith(str(root)) and flags & os.O_CREAT:
                refuse()
            return real_open(path, flags, *a, **k)

        monkeypatch.setattr(atomic, "_open", open_, raising=False)
        monkeypatch.setattr(os, "open", open_)
        monkeypatch.setattr(
            os, "mkdir", lambda p, *a, **k: refuse() if str(p).startswith(str(root)) else real_mkdir(p, *a, **k)
        )
    try:
        app = make_app(tmp_path, clock=fixed_clock(NOW))
        assert app.store.read_only
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            assert "PC Read Only" in screen_text(pilot)
            shown = toasts(pilot)
            assert "read-only" in shown and "saving is not possible" in shown
            assert pilot.app.is_running
        assert sorted(str(p) for p in root.rglob("*")) == before  # nothing made, nothing changed
        if how == "chmod":
            assert stat_mode(root) == 0o500  # never made writable again
    finally:
        for path in [root, *root.rglob("*")]:
            os.chmod(path, 0o700 if path.is_dir() else 0o600)


def stat_mode(path):
    import stat

    return stat.S_IMODE(path.stat().st_mode)
