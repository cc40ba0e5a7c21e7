"""CaseList (the case list kept in step case by case) always equals the list made afresh by ``rows``:
order, rows, repeat flags, overdue totals and filter results, through changes, additions, removals,
victim numbers moving between victims, and time passing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ophamp_tui.data.caselist import CaseList, matches, repeat_ids, rows, victim_summaries
from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.summary import earlier_cases, summarise

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
QUERIES = ["a", "ab", "abh", "pc 1", "open", "ke", "senior"]


def test_case_list_kept_in_step_equals_the_list_made_afresh():
    cases = fictional_cases(300, seed=3, now=NOW)
    sums = {c.id: summarise(c) for c in cases}
    order = list(sums)
    rng = random.Random(1)
    now = NOW - timedelta(days=30)
    listing = CaseList([sums[i] for i in order], now)

    def check() -> None:
        current = [sums[i] for i in order]
        want = rows(current, now)
        assert [r.id for r in listing.all] == [r.id for r in want]
        assert listing.all == want
        assert listing.overdue == sum(r.overdue for r in want)
        assert listing.late == sum(1 for r in want if r.overdue)
        assert {r.id for r in listing.all if r.repeat} == repeat_ids(current)
        for query in QUERIES:
            assert [r.id for r in listing.find(query)] == [r.id for r in want if matches(r, query)], query

    check()
    for step in range(200):
        now += timedelta(hours=rng.choice([0, 1, 7, 30]))
        for _ in range(rng.randint(1, 4)):
            op, case_id = rng.random(), rng.choice(order)
            s = sums[case_id]
            if op < 0.4:  # the victim's number corrected to another victim's
                other = sums[rng.choice(order)]
                sums[case_id] = s.model_copy(update={"victim_number": other.victim_number, "rev": s.rev + 1})
            elif op < 0.6:
                moved = s.occurred_at and s.occurred_at - timedelta(days=rng.randint(-5, 5))
                sums[case_id] = s.model_copy(update={"done": (s.done + 1) % 11, "rev": s.rev + 1, "occurred_at": moved})
            elif op < 0.75 and len(order) > 50:
                order.remove(case_id)
                del sums[case_id]
            elif op < 0.9:
                new = summarise(fictional_cases(1, seed=rng.randint(0, 10**6), now=NOW)[0])
                if new.id not in sums:
                    sums[new.id] = new
                    order.append(new.id)
            else:
                sums[case_id] = s.model_copy(update={"closed": not s.closed, "rev": s.rev + 1})
        if step % 2:  # another reader of the shared index catches up first
            listing.victims.sync([sums[i] for i in order])
        listing.sync([sums[i] for i in order], now)
        check()


class _Store:
    """Just enough of a store for ``victim_summaries``."""

    def __init__(self, summaries):
        self.held = summaries

    def summaries(self):
        return list(self.held)


def test_earlier_cases_from_the_index_are_those_found_by_going_through_every_case():
    cases = fictional_cases(400, seed=11, now=NOW)
    store = _Store([summarise(c) for c in cases])
    repeats = 0
    for case in cases:
        found = earlier_cases(case, victim_summaries(store, case.victim.number, case.victim.staff_no))
        assert found == earlier_cases(case, store.summaries())
        repeats += bool(found)
    assert repeats > 10
    # A case that later turns out to be another victim's leaves one list and joins the other.
    first, second = cases[0], cases[1]
    store.held[1] = store.held[1].model_copy(update={"victim_number": store.held[0].victim_number, "rev": 9})
    moved = second.model_copy(update={"victim": first.victim})
    assert earlier_cases(moved, victim_summaries(store, first.victim.number)) == earlier_cases(moved, store.summaries())
