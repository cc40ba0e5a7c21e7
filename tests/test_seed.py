"""Fictional cases for training and benchmarks, and the ``ophamp`` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ophamp_tui import __version__
from ophamp_tui.data import choices as C
from ophamp_tui.data import deadlines, progress, summary, validation
from ophamp_tui.data.checklist import STEPS
from ophamp_tui.data.models import Case, StepStatus
from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store
from ophamp_tui.data.text import normalise_number

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return fictional_cases(60, seed=2016, now=NOW)


def test_count_and_unique_ids(cases):
    assert len(cases) == 60
    assert len({c.id for c in cases}) == 60
    assert all(c.id.startswith("OH-") for c in cases)


def test_cases_are_valid_and_survive_a_round_trip(cases):
    for case in cases:
        assert isinstance(case, Case)
        again = Case.model_validate_json(case.model_dump_json())
        assert again == case
        assert set(case.steps) == {s.key for s in STEPS}
        assert case.history and case.history[0].field == "case"


def test_same_seed_same_cases():
    one = fictional_cases(25, seed=7, now=NOW)
    two = fictional_cases(25, seed=7, now=NOW)
    assert [c.model_dump(mode="json") for c in one] == [c.model_dump(mode="json") for c in two]


def test_different_seed_different_cases():
    one = fictional_cases(10, seed=7, now=NOW)
    two = fictional_cases(10, seed=8, now=NOW)
    assert [c.id for c in one] != [c.id for c in two]
    assert [c.victim.name for c in one] != [c.victim.name for c in two]


def test_repeat_victims(cases):
    counts = Counter(normalise_number(c.victim.number) for c in cases)
    repeats = [n for n, k in counts.items() if k > 1]
    assert repeats, "no victim appears twice"
    # And the rules find them as earlier cases.
    summaries = [summary.summarise(c) for c in cases]
    found = [c for c in cases if summary.earlier_cases(c, summaries)]
    assert found
    assert all(normalise_number(c.victim.number) in repeats for c in found)


def test_some_overdue_some_not(cases):
    overdue = [c for c in cases if deadlines.overdue(c, NOW)]
    assert 0 < len(overdue) < len(cases)


def test_variety(cases):
    offences = {c.incident.offence for c in cases}
    assert len(offences) >= 6
    assert offences <= {v for v, _ in C.OFFENCES}
    outcomes = {c.steps["outcome"].fields.get("outcome") for c in cases} - {None}
    assert len(outcomes) >= 2
    assert outcomes <= {v for v, _ in C.OUTCOMES}
    assert len({c.incident.injury for c in cases}) >= 3
    assert len({c.suspect.status for c in cases}) >= 3
    assert any(c.hate_crime for c in cases) and not all(c.hate_crime for c in cases)
    done = {progress.progress(c)[0] for c in cases}
    assert min(done) <= 2 and max(done) >= 9
    assert any(progress.is_complete(c) for c in cases)
    assert any(progress.awaiting_review(c) for c in cases)


def test_seeded_choices_are_real_choices(cases):
    for case in cases:
        assert case.victim.role in {v for v, _ in C.VICTIM_ROLES}
        assert case.incident.methods and set(case.incident.methods) <= {v for v, _ in C.METHODS}
        assert case.incident.location_type in {v for v, _ in C.LOCATION_TYPES}
        assert case.incident.context in {v for v, _ in C.CONTEXTS}
        assert set(case.incident.equipment) <= {v for v, _ in C.EQUIPMENT}
        assert case.incident.injury in {v for v, _ in C.INJURY_LEVELS}
        assert case.incident.medical in {v for v, _ in C.MEDICAL_CARE}
        assert case.suspect.status in {v for v, _ in C.SUSPECT_STATUSES}
        assert set(case.hate_strands) <= {v for v, _ in C.HATE_STRANDS}
        for entry in case.referrals:
            assert entry.kind in {v for v, _ in C.REFERRAL_SERVICES}


def _all_times(case: Case):
    yield "created_at", case.created_at
    for key, rec in case.steps.items():
        if rec.at:
            yield f"{key}.at", rec.at
        for name, value in rec.fields.items():
            if name.endswith("_at") and isinstance(value, str):
                yield f"{key}.{name}", datetime.fromisoformat(value)
    for log in ("updates", "status_history", "welfare_contacts", "referrals"):
        for entry in getattr(case, log):
            yield log, entry.at
            if entry.done_at:
                yield f"{log}.done_at", entry.done_at


@pytest.mark.parametrize("seed", [2016, 1, 2])
def test_seeded_cases_keep_the_rules_they_teach(seed):
    """Training data must not show what the app refuses: future dates, dates before the incident,
    the victim in their own case's roles, or a done step that is missing what it needs."""
    for case in fictional_cases(200, seed=seed, now=NOW):
        for where, when in _all_times(case):
            assert when <= NOW, (case.id, where, when)
            assert when >= case.incident.occurred_at, (case.id, where, when)
        for sdef in STEPS:
            rec = case.steps[sdef.key]
            if rec.status is StepStatus.DONE:
                assert validation.missing_for_done(sdef, case, NOW) == {}, (case.id, sdef.key)
            if rec.status is StepStatus.NOT_APPLICABLE:
                assert rec.na_reason


def test_seeded_cases_go_into_a_store(tmp_path):
    store = Store(tmp_path / "s", clock=lambda: NOW)
    made = fictional_cases(15, seed=5, now=NOW)
    store.create_many(made)
    fresh = Store(tmp_path / "s", clock=lambda: NOW)
    assert len(fresh) == 15
    for case in made:
        assert fresh.load(case.id) == case
        assert not fresh.summary(case.id).damaged


# --- the command line -----------------------------------------------------------------------------


def ophamp(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPHAMP_STORE": str(tmp_path / "env-store"), "OPHAMP_CONFIG": str(tmp_path / "config")}
    return subprocess.run(
        [sys.executable, "-m", "ophamp_tui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )


def test_cli_seed_writes_cases(tmp_path):
    target = tmp_path / "training"
    proc = ophamp("seed", "--store", str(target), "--cases", "20", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"Wrote 20 fictional cases to {target}" in proc.stdout
    assert "(20 cases in the store)" in proc.stdout
    assert len(list((target / "cases").glob("*.json"))) == 20
    store = Store(target)
    assert len(store) == 20
    assert not any(s.damaged for s in store.summaries())
    assert all(s.fictional for s in store.summaries())
    assert not (tmp_path / "env-store").exists()  # --store wins over $OPHAMP_STORE


def test_cli_seed_store_before_the_command(tmp_path):
    target = tmp_path / "training"
    proc = ophamp("--store", str(target), "seed", "--cases", "3", "--seed", "11", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(Store(target)) == 3


def test_cli_seed_refuses_a_bad_count(tmp_path):
    proc = ophamp("seed", "--store", str(tmp_path / "x"), "--cases", "0", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "ophamp: --cases must be between 1 and 1,000,000."
    assert not (tmp_path / "x").exists()


def test_cli_seed_refuses_a_non_store_directory_plainly(tmp_path):
    target = tmp_path / "documents"
    target.mkdir()
    (target / "letter.txt").write_text("hello")
    proc = ophamp("seed", "--store", str(target), "--cases", "2", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert "is not empty and is not an ophamp store" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in target.iterdir()) == ["letter.txt"]


def test_cli_version(tmp_path):
    proc = ophamp("--version", tmp_path=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"ophamp {__version__}"


def test_cli_help(tmp_path):
    proc = ophamp("--help", tmp_path=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: ophamp")
    assert "seed" in proc.stdout
    assert "--store" in proc.stdout
    assert "Operation Hampshire" in proc.stdout
    sub = ophamp("seed", "--help", tmp_path=tmp_path)
    assert sub.returncode == 0
    assert "--cases" in sub.stdout and "--seed" in sub.stdout


# --- issue 10 item 14: seed never writes into the live store by accident ---------------------------


@pytest.mark.parametrize("store_args", [[], ["--store", ""], ["--store", "   "]])
def test_cli_seed_needs_a_store_named_on_the_command_line(tmp_path, store_args):
    """Not the live default, not $OPHAMP_STORE (which may be the live store): an explicit, non-empty --store."""
    env_store = tmp_path / "env-store"
    proc = ophamp("seed", *store_args, "--cases", "2", tmp_path=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "say which store to fill: ophamp seed --store PATH" in proc.stderr
    assert not env_store.exists() and not (tmp_path / "data").exists()


def test_cli_seed_refuses_the_live_default_store(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "OPHAMP_CONFIG": str(tmp_path / "config")}
    live = tmp_path / "data" / "ophamp" / "store"
    proc = subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "seed", "--store", str(live), "--cases", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert proc.returncode == 2 and "is the live store" in proc.stderr and "--into-live" in proc.stderr
    assert not live.exists()


def test_cli_seed_refuses_a_store_with_real_cases(tmp_path, make_case):
    target = tmp_path / "force"
    Store(target).create(make_case(case_id="OH-REAL-1"))
    proc = ophamp("seed", "--store", str(target), "--cases", "2", tmp_path=tmp_path)
    assert proc.returncode == 2 and "holds 1 real case" in proc.stderr
    assert len(Store(target)) == 1
    forced = ophamp("seed", "--store", str(target), "--cases", "2", "--into-live", tmp_path=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert len(Store(target)) == 3


async def test_seeded_cases_are_marked_fictional_where_shown(tmp_path):
    from .ui_helpers import make_app, screen_text

    app = make_app(tmp_path)
    app.store.create_many(fictional_cases(3, seed=4, now=NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
        assert "fictional" in text  # the key to the flags
        assert all("F" in line[:6] for line in text.splitlines()[4:7])  # the flags column of each row
        await pilot.press("enter")
        await pilot.pause()
        assert "FICTIONAL" in screen_text(pilot)
