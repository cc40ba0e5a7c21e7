"""Training scenarios: the data files, moving them to this week, and training mode's own store."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from ophamp_tui.data import choices as C
from ophamp_tui.data import deadlines, progress, summary, validation
from ophamp_tui.data.caselist import repeat_ids
from ophamp_tui.data.checklist import STEPS
from ophamp_tui.data.clock import LONDON, as_utc
from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import SCHEMA_VERSION, Actor, Case, Incident, StepStatus, Victim
from ophamp_tui.data.scenarios import (
    MARKER,
    ScenarioError,
    install_training,
    is_training_store,
    load_scenarios,
    scenario_titles,
)
from ophamp_tui.data.store import Store, StoreError

from .conftest import DATA_NOW

UTC = UTC
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")
# Different days of the week and times of day, summer and winter, before and after the files were written.
NOWS = [
    DATA_NOW,  # Wed, summer, before most anchors: the stories move back
    datetime(2026, 11, 23, 2, 15, tzinfo=UTC),  # Mon small hours
    datetime(2027, 1, 3, 23, 59, tzinfo=UTC),  # Sun night, winter
    datetime(2027, 3, 28, 3, 0, tzinfo=UTC),  # the Sunday the clocks go forward
    datetime(2031, 10, 17, 9, 30, tzinfo=UTC),  # Fri, years on
]
ME = Actor(name="Trainer Jo Example", number="T 0001", role="trainer")


def _raw_files() -> dict[str, dict]:
    folder = resources.files("ophamp_tui").joinpath("scenarios")
    return {
        f.name[: -len(".json")]: json.loads(f.read_text(encoding="utf-8"))
        for f in folder.iterdir()
        if f.name.endswith(".json")
    }


def _times(record) -> list[datetime]:
    text = json.dumps(record, sort_keys=True)
    return [datetime.fromisoformat(m.group(0).replace("Z", "+00:00")) for m in ISO.finditer(text)]


@pytest.fixture(scope="module")
def by_now() -> dict[datetime, dict[str, object]]:
    return {now: {s.key: s for s in load_scenarios(now)} for now in NOWS}


# --- the files ------------------------------------------------------------------------------------


def test_the_files_are_what_the_picker_and_loader_expect():
    raw = _raw_files()
    assert len(raw) >= 5
    ids = set()
    for key, data in raw.items():
        assert set(data) == {"title", "list_name", "teaching_points", "anchor", "stopped_at", "expect", "case"}, key
        assert data["stopped_at"].strip(), key
        assert 0 < len(data["list_name"]) <= 15, key  # fits the case list's Scenario column at 80x24
        assert data["title"].strip()
        assert 2 <= len(data["teaching_points"]) <= 4 and all(p.strip() for p in data["teaching_points"]), key
        anchor = datetime.fromisoformat(data["anchor"])
        assert anchor.utcoffset() == timedelta(0), key
        case = Case.model_validate(data["case"])
        assert case.schema_version == SCHEMA_VERSION
        assert case.id.startswith("OH-TRAIN-") and case.id not in ids
        ids.add(case.id)
        assert data["case"] == case.model_dump(mode="json"), f"{key} is not a full, current case record"
        for when in _times(data["case"]):
            assert case.incident.occurred_at <= when <= anchor, (key, when)
    assert [k for k, _ in scenario_titles()] == sorted(raw)
    assert dict(scenario_titles()) == {k: d["title"] for k, d in raw.items()}


@pytest.mark.parametrize("now", NOWS)
def test_every_scenario_loads_and_keeps_the_rules_it_teaches(by_now, now):
    scenarios = by_now[now]
    assert len(scenarios) >= 5
    for key, s in scenarios.items():
        case = s.case
        assert s.key == key and s.case_id == case.id
        assert Case.model_validate(case.model_dump(mode="json")) == case
        for sdef in STEPS:
            rec = case.steps[sdef.key]
            if rec.status is StepStatus.DONE:
                assert validation.missing_for_done(sdef, case, now) == {}, (key, sdef.key)
            if rec.status is StepStatus.NOT_APPLICABLE:
                assert rec.na_reason, (key, sdef.key)
            # Whatever the status, the victim holds none of their own case's roles.
            for fdef in sdef.fields:
                if fdef.not_victim and rec.fields.get(fdef.key):
                    assert not validation.is_victim_number(case, rec.fields[fdef.key]), (key, fdef.key)
        for entry in case.updates + case.status_history + case.welfare_contacts + case.referrals:
            assert entry.recorded_at >= entry.at, (key, entry.id)
        for earlier, later in zip(case.history, case.history[1:], strict=False):
            assert earlier.at <= later.at and earlier.rev <= later.rev, key


# --- different paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("now", NOWS)
def test_the_scenarios_take_different_paths(by_now, now):
    cases = [s.case for s in by_now[now].values()]

    def outcome(c: Case) -> dict:
        return c.steps["outcome"].fields

    convicted = [c for c in cases if outcome(c).get("outcome") == "convicted"]
    assert convicted and all(progress.awaiting_review(c) for c in convicted)
    assert all(c.updates for c in convicted)

    vrr = [c for c in cases if outcome(c).get("outcome") in C.VRR_OUTCOMES and outcome(c).get("vrr_requested") == "yes"]
    assert vrr
    for c in vrr:
        assert [e.kind for e in c.status_history] == ["arrested", "rui", "nfa"]
        assert outcome(c)["nfa_discussed"] is True and outcome(c)["vrr_explained"] is True
        assert c.hate_crime and c.victim.role == "pcso" and deadlines.enhanced_rights(c)
        assert deadlines.vrr_deadline(c) is not None

    sick = [c for c in cases if c.steps["longer_term"].fields.get("sick_leave") is True]
    assert sick
    for c in sick:
        assert c.steps["longer_term"].fields["contact_every"] == "7"
        assert len(c.welfare_contacts) >= 2
        assert "Welfare contact (sick leave)" in [d.what for d in deadlines.overdue(c, now)]

    summaries = [summary.summarise(c) for c in cases]
    repeats = repeat_ids(summaries)
    assert repeats and {c.id for c in sick} <= repeats

    spit = [c for c in cases if "spit" in c.incident.methods]
    assert spit
    for c in spit:
        assert c.incident.injury == "none" and c.incident.impact  # no injury, real impact
        assert c.steps["supervisor_aware"].status is StepStatus.DONE
        assert c.steps["welfare_contact"].status is StepStatus.DONE
        assert c.steps["statement"].status is StepStatus.NOT_STARTED
        open_refs = [r for r in c.referrals if r.kind == "occupational_health" and r.done_at is None]
        assert open_refs
        assert "Referral: Occupational Health" in [d.what for d in deadlines.obligations(c, now)]

    # Every scenario stops somewhere else.
    points = {
        (
            progress.progress(c),
            progress.awaiting_review(c),
            progress.is_complete(c),
            c.suspect.status,
            outcome(c).get("outcome"),
        )
        for c in cases
    }
    assert len(points) == len(cases)


# --- placing the story on the calendar (and tests/test_scenario_clock.py) -------------------------


@pytest.mark.parametrize("now", NOWS)
def test_placing_keeps_times_of_day_and_never_passes_now(by_now, now):
    raw = _raw_files()
    for key, s in by_now[now].items():
        before = _times(raw[key]["case"])
        after = _times(s.case.model_dump(mode="json"))
        assert len(before) == len(after) > 10, key
        moves = set()
        for old, new in zip(before, after, strict=True):
            old_l, new_l = old.astimezone(LONDON), new.astimezone(LONDON)
            assert new_l.time() == old_l.time(), (key, old, new)  # the London wall clock, as written
            moves.add((new_l.date() - old_l.date()).days)
            assert new <= now, (key, new, now)
        assert len(moves) == 1, f"{key}: every time moves by the same number of days"
        anchor = as_utc(datetime.fromisoformat(raw[key]["anchor"]))
        assert (s.anchor.astimezone(LONDON).date() - anchor.astimezone(LONDON).date()).days in moves
        assert now - timedelta(days=21) < s.anchor <= now, (key, s.anchor)
        assert s.expect.problems(s.case, now) == [], key  # it reads as its teaching points say


def test_the_repeat_victims_cases_move_together(by_now):
    for scenarios in by_now.values():
        cases = [s.case for s in scenarios.values()]
        numbers = [c.victim.number for c in cases]
        pair = sorted((c for c in cases if numbers.count(c.victim.number) > 1), key=lambda c: c.incident.occurred_at)
        assert len(pair) >= 2
        # Months apart and in the same order, whatever day the scenarios are loaded.
        assert pair[-1].incident.occurred_at - pair[0].incident.occurred_at > timedelta(days=60)


def test_same_now_same_cases():
    a, b = load_scenarios(NOWS[1]), load_scenarios(NOWS[1])
    assert [s.case.model_dump(mode="json") for s in a] == [s.case.model_dump(mode="json") for s in b]


# --- training mode's store --------------------------------------------------------------------------


def _case_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "cases").glob("*.json"))}


def _all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_install_writes_every_scenario_into_a_marked_store(tmp_path):
    now = NOWS[1]
    store = install_training(tmp_path / "training", now, clock=lambda: now)
    assert is_training_store(tmp_path / "training")
    assert (tmp_path / "training" / MARKER).stat().st_mode & 0o777 == 0o600
    ids = {s.case_id for s in load_scenarios(now)}
    assert {s.id for s in store.summaries()} == ids
    fresh = Store(tmp_path / "training", clock=lambda: now)
    assert not any(s.damaged for s in fresh.summaries())
    for s in load_scenarios(now):
        assert fresh.load(s.case_id) == s.case
    assert repeat_ids(fresh.summaries())


def test_reset_restores_every_case_file_byte_for_byte(tmp_path):
    now = NOWS[1]
    root = tmp_path / "training"
    install_training(root, now)
    first = _case_bytes(root)
    assert len(first) >= 5
    install_training(tmp_path / "other", now)
    assert _case_bytes(tmp_path / "other") == first

    # A class works through a scenario and adds a case of its own.
    store = Store(root)
    spit = next(s.case_id for s in load_scenarios(now) if "spit" in s.case.incident.methods)
    store.update(spit, ME, sets={"steps.statement.fields.vps": "taken", "steps.statement.status": "in_progress"})
    store.create(
        new_case(
            victim=Victim(name="PC Pat Example", number="9999"),
            incident=Incident(occurred_at=now - timedelta(hours=2)),
            by=ME,
            now=now,
            case_id="OH-TRAIN-CLASS",
        )
    )
    assert _case_bytes(root) != first

    # Installing again without reset keeps the class's work.
    install_training(root, now)
    assert Store(root).load(spit).steps["statement"].fields["vps"] == "taken"

    restored = install_training(root, now, reset=True)
    assert _case_bytes(root) == first
    assert not list((root / "cases").glob("*.bak"))
    assert len(restored) == len(first)
    assert restored.summary("OH-TRAIN-CLASS") is None
    assert len(Store(root)) == len(first)


def test_reset_with_another_now_moves_the_stories_to_that_week(tmp_path):
    root = tmp_path / "training"
    install_training(root, NOWS[1])
    store = install_training(root, NOWS[2], reset=True)
    for s in load_scenarios(NOWS[2]):
        assert store.load(s.case_id) == s.case


@pytest.mark.parametrize("reset", [True, False])
def test_a_live_store_is_refused_and_left_untouched(tmp_path, reset, make_case):
    live = Store(tmp_path / "live", clock=lambda: DATA_NOW)
    live.create(make_case(case_id="OH-260608-LIVE"))
    before = _all_files(tmp_path / "live")
    with pytest.raises(StoreError, match="not a training store"):
        install_training(tmp_path / "live", DATA_NOW, reset=reset)
    assert _all_files(tmp_path / "live") == before
    assert not (tmp_path / "live" / MARKER).exists()


def test_an_empty_live_store_is_refused_too(tmp_path):
    Store(tmp_path / "live")
    before = _all_files(tmp_path / "live")
    with pytest.raises(StoreError, match="not a training store"):
        install_training(tmp_path / "live", DATA_NOW, reset=True)
    assert _all_files(tmp_path / "live") == before


def test_someone_elses_directory_is_refused_and_left_untouched(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "letter.txt").write_text("hello")
    with pytest.raises(StoreError, match="not a training store"):
        install_training(docs, DATA_NOW, reset=True)
    assert sorted(p.name for p in docs.iterdir()) == ["letter.txt"]
    with pytest.raises(StoreError):
        install_training(docs / "letter.txt", DATA_NOW, reset=True)


def test_reset_touches_nothing_outside_the_training_store(tmp_path):
    root = tmp_path / "training"
    install_training(root, DATA_NOW)
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}")
    (root / "cases" / "link.json").symlink_to(outside)  # a link in the cases folder: removed, its target kept
    install_training(root, DATA_NOW, reset=True)
    assert outside.read_text() == "{}"
    assert not (root / "cases" / "link.json").exists()


def test_a_damaged_scenario_says_which(monkeypatch):
    from ophamp_tui.data import scenarios as S

    monkeypatch.setattr(S, "_files", lambda: [("99-broken", "{not json")])
    with pytest.raises(ScenarioError, match="99-broken"):
        load_scenarios(DATA_NOW)
