"""The scenarios' clocks read as their teaching points say on whatever day a class starts.

A store is prepared on one day and a class starts on another (each day of a week with bank
holidays in it, each day of the week the clocks go forward, and 7, 14 and 30 days after it was
prepared). Starting a class (`ophamp demo`) places the scenarios again, and the store then holds
what each teaching point promises: which time limits are still running, which have run out, and
how old the incident is.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from ophamp_tui.data import deadlines
from ophamp_tui.data.clock import LONDON, add_working_days, bank_holiday_name
from ophamp_tui.data.models import Actor
from ophamp_tui.data.scenarios import install_training, load_scenarios
from ophamp_tui.data.store import Store

ME = Actor(name="Trainer Jo Example", number="T 0001", role="trainer")

# What each scenario's teaching points say a class sees: (still running, run out, incident age in days).
PROMISED: dict[str, tuple[set[str], set[str], tuple[int, int]]] = {
    # "The Occupational Health referral is due within 2 working days": the morning after, still due.
    "OH-TRAIN-SPIT": ({"Referral: Occupational Health", "Right 4: victim support"}, set(), (0, 1)),
    # Convicted, awaiting senior review: nothing left running, about 100 days on.
    "OH-TRAIN-PUNCH": (set(), set(), (99, 102)),
    # NFA and a review request, the victim kept told: the routine update still due.
    "OH-TRAIN-PCSO": ({"Routine update to the victim"}, set(), (63, 65)),
    # Closed months ago: nothing running.
    "OH-TRAIN-BOTTLE": (set(), set(), (267, 270)),
    # "The weekly call was missed": the sick-leave welfare contact is overdue, the update is not.
    "OH-TRAIN-SICK": ({"Routine update to the victim"}, {"Welfare contact (sick leave)"}, (33, 35)),
}

PREPARED = datetime(2026, 12, 18, 16, 0, tzinfo=LONDON)  # a Friday afternoon, days before the class
CHRISTMAS_WEEK = [datetime(2026, 12, 21, 9, 0, tzinfo=LONDON) + timedelta(days=n) for n in range(7)]
CLOCKS_GO_FORWARD_WEEK = [datetime(2027, 3, 22, 9, 0, tzinfo=LONDON) + timedelta(days=n) for n in range(7)]
AFTER_PREPARING = [PREPARED.replace(hour=9) + timedelta(days=n) for n in (7, 14, 30)]
CLASS_STARTS = CHRISTMAS_WEEK + CLOCKS_GO_FORWARD_WEEK + AFTER_PREPARING


def _label(when: datetime) -> str:
    return f"{when:%a-%d-%m-%Y}"


def test_the_weeks_cover_every_weekday_and_bank_holidays():
    assert sorted(d.weekday() for d in CHRISTMAS_WEEK) == list(range(7))
    assert sorted(d.weekday() for d in CLOCKS_GO_FORWARD_WEEK) == list(range(7))
    assert [bank_holiday_name(d.date()) for d in CHRISTMAS_WEEK if bank_holiday_name(d.date())]
    assert {s.case_id for s in load_scenarios(PREPARED)} == set(PROMISED)


def _what_the_class_sees(store: Store, now: datetime) -> dict[str, tuple[set[str], set[str], int]]:
    seen = {}
    for summary in store.summaries():
        late = {d.what for d in summary.dues if d.overdue(now)}
        running = {d.what for d in summary.dues} - late
        assert summary.occurred_at is not None
        seen[summary.id] = (running, late, (now - summary.occurred_at).days)
    return seen


@pytest.mark.parametrize("start", CLASS_STARTS, ids=_label)
@pytest.mark.parametrize("later", [timedelta(0), timedelta(hours=5)], ids=["at-the-start", "five-hours-in"])
def test_a_class_sees_what_the_teaching_points_say(tmp_path, start, later):
    root = tmp_path / "training"
    install_training(root, PREPARED, clock=lambda: PREPARED)
    store = install_training(root, start, clock=lambda: start)  # `ophamp demo` at the start of the class
    now = start + later
    seen = _what_the_class_sees(Store(root), now)
    assert set(seen) == set(PROMISED)
    for case_id, (running, late, (youngest, oldest)) in PROMISED.items():
        got_running, got_late, age = seen[case_id]
        assert got_running == running, (case_id, _label(start), got_running)
        assert got_late == late, (case_id, _label(start), got_late)
        assert youngest <= age <= oldest, (case_id, _label(start), age)
        case = store.load(case_id)
        assert max(e.at for e in case.history) <= start  # nothing happens after the class has started
    # The referral is due as the rule says: 2 working days from when it was made, bank holidays skipped.
    spit = store.load("OH-TRAIN-SPIT")
    referral = next(r for r in spit.referrals if r.kind == "occupational_health")
    due = next(d for d in deadlines.obligations(spit) if d.what == "Referral: Occupational Health")
    assert due.due_at == add_working_days(referral.at, 2) > now


@pytest.mark.parametrize("start", CLASS_STARTS, ids=_label)
def test_the_stories_keep_their_times_of_day(start):
    prepared = {s.case_id: s for s in load_scenarios(PREPARED)}
    for s in load_scenarios(start):
        before, after = prepared[s.case_id], s
        moved = after.anchor.astimezone(LONDON).date() - before.anchor.astimezone(LONDON).date()
        assert after.anchor <= start
        for old, new in (
            (before.case.incident.occurred_at, after.case.incident.occurred_at),
            (before.case.created_at, after.case.created_at),
        ):
            old_l, new_l = old.astimezone(LONDON), new.astimezone(LONDON)
            assert new_l.time() == old_l.time() or time(1) <= old_l.time() < time(2)  # the hour that was skipped
            assert new_l.date() - old_l.date() == moved, s.case_id


def test_starting_a_class_keeps_what_the_class_did_and_moves_the_rest(tmp_path):
    root = tmp_path / "training"
    install_training(root, PREPARED, clock=lambda: PREPARED)
    store = Store(root, clock=lambda: PREPARED)
    store.update("OH-TRAIN-SPIT", ME, sets={"steps.statement.fields.vps": "taken"})
    worked = store.load("OH-TRAIN-SPIT")
    untouched = store.load("OH-TRAIN-SICK")

    start = AFTER_PREPARING[0]
    store = install_training(root, start, clock=lambda: start)
    assert store.load("OH-TRAIN-SPIT") == worked  # the class's work and its clocks, as they were
    assert store.load("OH-TRAIN-SPIT").steps["statement"].fields["vps"] == "taken"
    moved = store.load("OH-TRAIN-SICK")
    assert moved != untouched
    assert moved.incident.occurred_at - untouched.incident.occurred_at >= timedelta(days=6)

    # --reset puts the worked one back too, placed for the class.
    store = install_training(root, start, reset=True, clock=lambda: start)
    placed = {s.case_id: s.case for s in load_scenarios(start)}
    assert {c: store.load(c) for c in placed} == placed


def test_starting_twice_on_the_same_day_writes_nothing(tmp_path):
    root = tmp_path / "training"
    start = CHRISTMAS_WEEK[1]
    install_training(root, start)
    before = {p.name: p.stat().st_mtime_ns for p in (root / "cases").glob("*.json")}
    install_training(root, start + timedelta(minutes=30))
    assert {p.name: p.stat().st_mtime_ns for p in (root / "cases").glob("*.json")} == before


def test_an_untouched_case_from_an_older_release_is_brought_up_to_date(tmp_path):
    root = tmp_path / "training"
    start = CHRISTMAS_WEEK[2]
    store = install_training(root, PREPARED, clock=lambda: PREPARED)
    old = store.load("OH-TRAIN-PUNCH")
    older = old.model_copy(update={"history": old.history[:-3]})  # as an earlier release wrote it
    store.replace_all([older if s.id == "OH-TRAIN-PUNCH" else store.load(s.id) for s in store.summaries()])
    store = install_training(root, start, clock=lambda: start)
    assert store.load("OH-TRAIN-PUNCH") == next(s.case for s in load_scenarios(start) if s.case_id == "OH-TRAIN-PUNCH")
