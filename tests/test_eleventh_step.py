"""The checklist is all data: an 11th step added by editing ``checklist.py`` alone works end to end.

A copy of the package has one more step written into its ``STEPS`` (nothing else changed). In a
fresh interpreter on that copy, ``ophamp seed`` fills it in, and a sergeant at 80x24 opens it from the
case, types its fields and marks it done; the store holds what was typed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import ophamp_tui

REPO = Path(__file__).resolve().parent.parent

ELEVENTH = """
    StepDef(
        key="lessons_learned",
        short="Lessons",
        number=11,
        title="Lessons learned",
        expect="What the force learned from what happened to you is shared with your team.",
        why="A debrief turns one assault into safer practice for everyone.",
        fields=(
            FieldDef("lesson", "What should change", kind="longtext", required=True),
            FieldDef("shared_at", "Shared with the team", kind="datetime", required=True),
            FieldDef("shared_by_number", "Shared by: collar/staff no.", kind="number", person="the debriefer",
                     not_victim=True),
        ),
    ),
"""

WALK = """
import asyncio, json, sys
from datetime import datetime, timezone
from tests.ui_helpers import fixed_clock, make_app, screen_text, type_text
from ophamp_tui.data.checklist import STEPS
from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Actor, Incident, Victim
from ophamp_tui.data.store import Store
from pathlib import Path

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
tmp = Path(sys.argv[1])
assert len(STEPS) == 11, len(STEPS)
store = Store(tmp / "store")
sgt = Actor(name="PS Sam Taylor", number="4521", role="sergeant")
case = new_case(victim=Victim(name="PC Alex Morgan", number="PC 7788"),
                incident=Incident(occurred_at=NOW.replace(hour=9), location="Custody suite", offence="aew_s1"),
                by=sgt, now=NOW)
store.create(case)

async def walk():
    app = make_app(tmp, clock=fixed_clock(NOW))
    seen = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.open_case(case.id)
        await pilot.pause()
        seen["case"] = screen_text(pilot)
        await pilot.press("ctrl+end", "enter")  # the last row of the steps table: the new step
        await pilot.pause()
        seen["step"] = screen_text(pilot)
        await type_text(pilot, "lesson", "Brief custody staff on spit guards.")
        await type_text(pilot, "shared_at", "today 14:00")
        await type_text(pilot, "shared_by_number", "PC 7788")
        seen["victim_error"] = screen_text(pilot)
        await type_text(pilot, "shared_by_number", "S 1234")
        await pilot.press("f2")
        await pilot.pause()
        seen["after"] = screen_text(pilot)
    return seen

seen = asyncio.run(walk())
saved = Store(tmp / "store").load(case.id)
rec = saved.steps["lessons_learned"]
seen["stored"] = {"status": rec.status.value, "fields": rec.fields, "by": rec.by.number if rec.by else ""}
summary = Store(tmp / "store").summary(case.id)
seen["summary"] = [summary.done, summary.total]
print(json.dumps(seen))
"""


def _package_with_eleven_steps(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    shutil.copytree(Path(ophamp_tui.__file__).parent, root / "ophamp_tui", ignore=shutil.ignore_patterns("__pycache__"))
    checklist = root / "ophamp_tui" / "data" / "checklist.py"
    source = checklist.read_text(encoding="utf-8")
    start = source.index("STEPS: tuple[StepDef, ...] = (")
    end = source.index("\n)\n", start)
    checklist.write_text(source[:end] + ELEVENTH.rstrip("\n") + source[end:], encoding="utf-8")
    return root


def _env(root: Path, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPHAMP")}
    env["PYTHONPATH"] = os.pathsep.join([str(root), str(REPO)])
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    return env


def test_an_eleventh_step_is_seeded_and_walked(tmp_path):
    root = _package_with_eleven_steps(tmp_path)
    env = _env(root, tmp_path)

    # ophamp seed fills the new step in, like the others, on cases old enough to have reached it.
    seeded = tmp_path / "seeded"
    run = subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "seed", "--store", str(seeded), "--cases", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(tmp_path),
    )
    assert run.returncode == 0, run.stderr
    files = list((seeded / "cases").glob("*.json"))
    assert len(files) == 60
    records = [json.loads(f.read_text())["case"]["1"]["steps"] for f in files]
    assert all("lessons_learned" in steps for steps in records)
    done = [s["lessons_learned"] for s in records if s["lessons_learned"]["status"] == "done"]
    assert done and all(d["fields"]["lesson"] and d["fields"]["shared_at"] for d in done)

    # A sergeant walks it at 80x24.
    walk = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WALK), str(tmp_path / "walk")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=str(tmp_path),
    )
    assert walk.returncode == 0, walk.stderr[-3000:]
    seen = json.loads(walk.stdout.strip().splitlines()[-1])
    assert "0/11 steps" in seen["case"]
    assert "Lessons learned" in seen["case"]
    assert "Step 11 of 11: Lessons learned" in seen["step"]
    assert "What should change" in seen["step"]
    assert "PC 7788 is the victim's own number." in seen["victim_error"], seen["victim_error"]
    assert seen["stored"]["status"] == "done", seen["after"]
    assert seen["stored"]["fields"]["lesson"] == "Brief custody staff on spit guards."
    assert seen["stored"]["fields"]["shared_at"] == "2026-11-23T14:00:00+00:00"
    assert seen["stored"]["fields"]["shared_by_number"] == "S 1234"
    assert seen["stored"]["by"] == "4521"
    assert seen["summary"] == [1, 11]
    # The last step done leads back to the case.
    assert "Step 11 of 11" not in seen["after"]
