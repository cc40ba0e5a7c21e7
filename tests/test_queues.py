"""The work queues, from index summaries: what is overdue, and what awaits senior review."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from ophamp_tui.data.checklist import STEP_KEYS
from ophamp_tui.data.index import ROW
from ophamp_tui.data.models import LogEntry, StepStatus
from ophamp_tui.data.queues import overdue_count, overdue_items, review_items
from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store
from ophamp_tui.data.summary import CaseSummary, summarise

UTC = UTC
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # Wed 13:00 BST


def at(days_ago: float = 0, hours_ago: float = 0) -> datetime:
    return NOW - timedelta(days=days_ago, hours=hours_ago)


def case(
    make_case,
    *,
    case_id: str,
    days_ago: float = 0,
    hours_ago: float = 0,
    name: str = "Sam Okafor",
    offence: str = "abh_s47",
):
    occurred = at(days_ago, hours_ago)
    c = make_case(case_id=case_id, occurred_at=occurred, victim_name=name, offence=offence)
    # The victim's details went to victim support services at once (Victims' Code Right 4), so the
    # only clocks running are the ones each test is about.
    c.referrals.append(
        LogEntry(at=occurred, by=c.created_by, recorded_at=occurred, kind="victim_support", done_at=occurred)
    )
    return c


def finish(c, *keys: str) -> None:
    for key in keys:
        c.steps[key].status = StepStatus.DONE


def test_welfare_contact_past_24_hours_is_overdue_and_says_by_how_much(make_case):
    late = case(make_case, case_id="OH-A", days_ago=3, name="PC [b]Jo[/] O'Brien")
    fresh = case(make_case, case_id="OH-B", hours_ago=2)  # contact still has 22 hours to run
    items = overdue_items([summarise(late), summarise(fresh)], NOW)
    assert len(items) == 1
    item = items[0]
    assert (item.case_id, item.victim, item.step) == ("OH-A", "PC [b]Jo[/] O'Brien", "welfare_contact")
    assert item.what == "Welfare contact with the victim"
    assert item.due_at == at(days_ago=2) and item.due_at.tzinfo is not None
    assert item.overdue_by == timedelta(days=2)


def test_overdue_is_judged_against_now_not_when_the_summary_was_made(make_case):
    c = case(make_case, case_id="OH-A", hours_ago=2)
    summary = summarise(c)
    assert overdue_count([summary], NOW) == 0
    assert overdue_count([summary], NOW + timedelta(hours=22)) == 1  # exactly at the limit: overdue
    assert overdue_count([summary], NOW + timedelta(hours=21, minutes=59)) == 0


def test_most_overdue_first_across_cases(make_case):
    a = case(make_case, case_id="OH-A", days_ago=2)
    b = case(make_case, case_id="OH-B", days_ago=9)
    c = case(make_case, case_id="OH-C", days_ago=7)
    # One case can have several things overdue: a referral (Thu) not made within 2 working days (by the end of Mon).
    c.referrals.append(
        LogEntry(at=at(days_ago=6), by=c.created_by, recorded_at=at(days_ago=6), kind="occupational_health")
    )
    items = overdue_items([summarise(x) for x in (a, b, c)], NOW)
    assert [(i.case_id, i.step) for i in items] == [
        ("OH-B", "welfare_contact"),
        ("OH-C", "welfare_contact"),
        ("OH-C", "longer_term"),
        ("OH-A", "welfare_contact"),
    ]
    assert [i.overdue_by for i in items] == sorted((i.overdue_by for i in items), reverse=True)
    assert overdue_count([summarise(x) for x in (a, b, c)], NOW) == 4


def test_closed_complete_and_damaged_cases_are_left_out(make_case):
    closed = case(make_case, case_id="OH-A", days_ago=3)
    closed.closed_reason = "Duplicate of OH-B"
    open_ = case(make_case, case_id="OH-B", days_ago=3)
    summaries = [summarise(closed), summarise(open_), CaseSummary.damaged_file("OH-X", "bad file")]
    # Even a stale index entry that still lists dues is skipped once the case is closed or complete.
    summaries.append(summarise(open_).model_copy(update={"id": "OH-C", "complete": True}))
    summaries.append(summarise(open_).model_copy(update={"id": "OH-D", "closed": True}))
    assert [i.case_id for i in overdue_items(summaries, NOW)] == ["OH-B"]
    assert review_items(summaries, NOW) == []


def test_an_index_entry_that_does_not_read_is_remade_not_fatal(make_case, tmp_path):
    """The index is a cache: an entry with unreadable dues is remade from the case file."""
    store = Store(tmp_path / "store", clock=lambda: NOW)
    store.create(case(make_case, case_id="OH-A", days_ago=3))
    journal = tmp_path / "store" / "index" / "journal.jsonl"  # the index line of the save
    [line] = [json.loads(x) for x in journal.read_bytes().splitlines() if b"OH-A" in x]
    line[ROW.index("dues")] = [["x"], ["What", "not a date", "welfare_contact"], None]
    journal.write_text(json.dumps(line) + "\n")
    fresh = Store(tmp_path / "store", clock=lambda: NOW)
    assert [i.case_id for i in overdue_items(fresh.summaries(), NOW)] == ["OH-A"]


def test_review_queue_holds_cases_with_steps_1_to_9_finished_oldest_first(make_case):
    ready_new = case(make_case, case_id="OH-A", days_ago=20, name="Newer", offence="aew_s1")
    ready_old = case(make_case, case_id="OH-B", days_ago=90, name="Older", offence="racial_s29")
    not_ready = case(make_case, case_id="OH-C", days_ago=200)
    signed = case(make_case, case_id="OH-D", days_ago=300)
    for c in (ready_new, ready_old, signed):
        finish(c, *[k for k in STEP_KEYS if k != "senior_review"])
    finish(not_ready, *STEP_KEYS[:8])
    finish(signed, "senior_review")
    signed.steps["senior_review"].fields["signed_off"] = True
    items = review_items([summarise(c) for c in (ready_new, not_ready, ready_old, signed)], NOW)
    assert [i.case_id for i in items] == ["OH-B", "OH-A"]
    older = items[0]
    assert (older.victim, older.offence, older.progress) == ("Older", "Aggravated s29", "9/10")
    assert older.occurred_at == at(days_ago=90) and older.waiting == timedelta(days=90)
    assert items[1].offence == "AEW Act s1"


def test_seeded_store_queues_are_consistent():
    summaries = [summarise(c) for c in fictional_cases(60, seed=11, now=NOW)]
    items = overdue_items(summaries, NOW)
    assert items and [i.due_at for i in items] == sorted(i.due_at for i in items)
    assert all(i.due_at <= NOW and i.overdue_by >= timedelta(0) for i in items)
    open_ids = {s.id for s in summaries if not (s.closed or s.complete)}
    assert {i.case_id for i in items} <= open_ids
    waiting = review_items(summaries, NOW)
    assert {i.case_id for i in waiting} == {s.id for s in summaries if s.awaiting_review}
    assert [i.waiting for i in waiting] == sorted((i.waiting for i in waiting), reverse=True)
