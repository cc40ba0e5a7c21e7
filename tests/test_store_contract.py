"""The store contract: what every case store (``data.store_api.CaseStore``) must do, whatever keeps the cases.

Each test runs once per backend in ``BACKENDS`` and uses only the interface: no file, folder or
table is looked at, so the next backend plugs into the same tests. "What the store holds" is
checked through a second store object opened on the same store (``store_factory()`` again), as
another ophamp would see it, not only through what a call returned.

Adding a backend (PostgreSQL next): add its name to ``BACKENDS`` and a branch to ``store_factory``
that gives each test a store of its own, empty at the start (e.g. a new schema or database named
after ``tmp_path``, dropped afterwards), and whose every call opens a *new* store object on that
same store with the given ``clock`` and lock timeout. PostgreSQL: a fresh database on the test
run's own server (``conftest.pg_server``), which fails, never skips, if the server cannot start.
The backend-specific tests (damaged files, fsync faults, a database that goes away) stay in the
backend's own test file (``test_store.py`` for the files, ``test_store_pg.py`` for PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ophamp_tui.data.edits import merge_update
from ophamp_tui.data.models import Actor, LogEntry, StepStatus
from ophamp_tui.data.store_api import CaseStore, ConflictError, StoreBusyError, StoreError

UTC = UTC
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # the stores' clock in these tests
OTHER = Actor(name="DC Lee Marsh", number="DC 7001", role="oic")
BACKENDS = ["tinydb", "postgresql"]

StoreFactory = Callable[..., CaseStore]


@pytest.fixture(params=BACKENDS)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """``store_factory(clock=..., lock_timeout=...)``: a new store object on this test's own store.

    The first call makes the store (empty); every later call opens another object on the same
    store, as a second ophamp would. ``lock_timeout`` is how long a write waits for the lock.
    """
    if request.param == "tinydb":
        from ophamp_tui.data.store import Store

        def open_tinydb(*, clock: Callable[[], datetime] = lambda: NOW, lock_timeout: float = 10.0) -> CaseStore:
            return Store(tmp_path / "store", clock=clock, lock_timeout=lock_timeout)

        yield open_tinydb
    elif request.param == "postgresql":
        from ophamp_tui.data.store_pg import PgStore

        dsn = request.getfixturevalue("pg_dsn")  # a fresh database on the test server (fails if none)
        opened: list[PgStore] = []

        def open_pg(*, clock: Callable[[], datetime] = lambda: NOW, lock_timeout: float = 10.0) -> CaseStore:
            opened.append(PgStore(dsn, clock=clock, lock_timeout=lock_timeout))
            return opened[-1]

        yield open_pg
        for made in opened:
            made.close()
    else:  # pragma: no cover - a name in BACKENDS without a branch here
        raise AssertionError(f"no factory for the {request.param} store")


@pytest.fixture
def store(store_factory: StoreFactory) -> CaseStore:
    """A fresh, empty store (this module's own: the conftest ``store`` is the TinyDB one)."""
    made = store_factory()
    assert len(made) == 0 and made.summaries() == []
    return made


def reopened(store_factory: StoreFactory) -> CaseStore:
    """What another ophamp opening the store now would see."""
    return store_factory()


def comparable(summary) -> dict:
    """A summary without what only one backend knows (the file store's cache check)."""
    return summary.model_dump(mode="json", exclude={"file_mtime_ns", "file_size"})


def test_the_store_is_a_case_store(store):
    assert isinstance(store, CaseStore)
    assert isinstance(store.location, str) and store.location
    assert store.read_only is False
    assert isinstance(store.notices, list)


# --- create and load --------------------------------------------------------------------------------


def test_create_and_load_round_trip(store, store_factory, make_case):
    case = make_case(
        case_id="OH-260608-RT01", victim_name="Zoë Ní Bhriain", hate_crime=True, hate_strands=["religion", "race"]
    )
    case.incident.impact_notes = "Not sleeping.\nWorried about going back."
    case.updates = [LogEntry(at=NOW, by=OTHER, method="phone", summary="Told of arrest 👍")]
    assert store.create(case) == case
    assert store.load(case.id) == case
    again = reopened(store_factory)
    assert again.load(case.id) == case
    assert case.id in again and "OH-NOT-THERE" not in again
    assert len(again) == 1


def test_create_twice_is_refused_and_the_first_is_kept(store, store_factory, make_case):
    first = make_case(case_id="OH-DUP", victim_name="First Victim")
    store.create(first)
    with pytest.raises(StoreError, match="OH-DUP already exists"):
        store.create(make_case(case_id="OH-DUP", victim_name="Second Victim"))
    with pytest.raises(StoreError, match="OH-DUP already exists"):
        reopened(store_factory).create_many([make_case(case_id="OH-DUP", victim_name="Third Victim")])
    assert reopened(store_factory).load("OH-DUP") == first
    assert len(reopened(store_factory)) == 1


def test_create_many_then_every_case_is_there(store, store_factory, make_case):
    cases = [make_case(case_id=f"OH-MANY-{n}", victim_number=f"PC {1000 + n}") for n in range(5)]
    store.create_many(cases)
    assert sorted(s.id for s in store.summaries()) == sorted(c.id for c in cases)
    again = reopened(store_factory)
    assert [again.load(c.id) for c in cases] == cases


def test_an_unknown_case_cannot_be_loaded(store):
    with pytest.raises(StoreError, match="OH-NOPE"):
        store.load("OH-NOPE")
    assert store.summary("OH-NOPE") is None


@pytest.mark.parametrize("bad", ["", "../escape", ".hidden", "a/b"])
def test_what_is_not_a_case_reference_is_refused(store, bad):
    with pytest.raises(StoreError):
        store.load(bad)
    assert bad not in store


# --- update: history, merge and conflicts -------------------------------------------------------


def test_update_sets_a_field_and_records_who_when_old_new_and_the_revision(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-H"))
    first = store.update("OH-H", sergeant, sets={"steps.statement.fields.vps": "declined"})
    second = store.update("OH-H", OTHER, sets={"steps.statement.fields.vps": "taken", "victim.name": "Sam O'Kafor"})
    assert (first.rev, second.rev) == (1, 2)

    held = reopened(store_factory).load("OH-H")
    assert held.rev == 2
    assert held.field("statement", "vps") == "taken"
    assert held.victim.name == "Sam O'Kafor"
    got = [(h.by, h.at, h.rev, h.field, h.old, h.new) for h in held.history[1:]]
    assert got == [
        (sergeant, NOW, 1, "steps.statement.fields.vps", None, "declined"),
        (OTHER, NOW, 2, "steps.statement.fields.vps", "declined", "taken"),
        (OTHER, NOW, 2, "victim.name", "Sam Okafor", "Sam O'Kafor"),
    ]
    assert held.history[0].field == "case"  # created


def test_the_clock_of_the_saving_store_dates_the_change(store_factory, make_case, sergeant):
    later = NOW + timedelta(hours=3)
    store_factory().create(make_case(case_id="OH-T"))
    store_factory(clock=lambda: later).update("OH-T", sergeant, sets={"steps.statement.notes": "later"})
    assert store_factory().load("OH-T").history[-1].at == later


def test_two_people_editing_different_fields_from_the_same_revision_both_land(
    store, store_factory, make_case, sergeant
):
    store.create(make_case(case_id="OH-M"))
    other_desk = reopened(store_factory)
    seen = store.load("OH-M").rev
    other_desk.update("OH-M", OTHER, sets={"steps.statement.fields.vps": "taken"}, base_rev=seen)
    merged = store.update("OH-M", sergeant, sets={"steps.statement.fields.impact": "Anxious"}, base_rev=seen)
    assert merged.rev == seen + 2
    for view in (merged, reopened(store_factory).load("OH-M")):
        assert view.field("statement", "vps") == "taken"
        assert view.field("statement", "impact") == "Anxious"
    # Log entries from a stale view are merged too.
    entry = LogEntry(at=NOW, by=sergeant, summary="Called")
    assert store.update("OH-M", sergeant, appends={"updates": entry}, base_rev=seen).updates == [entry]


def test_the_same_field_changed_since_base_rev_is_a_conflict_naming_it(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-C"))
    seen = store.load("OH-C").rev
    reopened(store_factory).update("OH-C", OTHER, sets={"steps.statement.fields.vps": "taken"}, base_rev=seen)
    with pytest.raises(ConflictError) as info:
        store.update(
            "OH-C",
            sergeant,
            sets={"steps.statement.fields.vps": "declined", "steps.statement.notes": "mine"},
            base_rev=seen,
        )
    assert isinstance(info.value, StoreError)
    assert info.value.fields == ["steps.statement.fields.vps"]
    assert "DC Lee Marsh" in str(info.value) and "not saved" in str(info.value)
    held = reopened(store_factory).load("OH-C")
    assert (held.rev, held.field("statement", "vps"), held.step("statement").notes) == (1, "taken", "")
    # Having been shown the new revision, the user can change it.
    assert store.update("OH-C", sergeant, sets={"steps.statement.fields.vps": "declined"}, base_rev=1).rev == 2
    assert reopened(store_factory).load("OH-C").field("statement", "vps") == "declined"


def test_no_conflict_without_base_rev(store, make_case, sergeant):
    store.create(make_case(case_id="OH-C2"))
    store.update("OH-C2", OTHER, sets={"steps.statement.notes": "theirs"})
    assert store.update("OH-C2", sergeant, sets={"steps.statement.notes": "mine"}).rev == 2


def test_a_stale_expected_value_is_a_conflict(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-E"))
    store.update("OH-E", sergeant, sets={"incident.location": "Custody suite, cell 4"})
    reopened(store_factory).update("OH-E", OTHER, sets={"incident.location": "Front office"})
    with pytest.raises(ConflictError) as info:
        store.update(
            "OH-E", sergeant, sets={"incident.location": "Yard"}, expect={"incident.location": "Custody suite, cell 4"}
        )
    assert info.value.fields == ["incident.location"]
    assert reopened(store_factory).load("OH-E").incident.location == "Front office"
    # What the user was shown is still there: saved.
    saved = store.update(
        "OH-E", sergeant, sets={"incident.location": "Yard"}, expect={"incident.location": "Front office"}
    )
    assert saved.incident.location == "Yard"
    assert reopened(store_factory).load("OH-E").incident.location == "Yard"


def test_start_step_marks_the_step_in_progress_in_the_same_save(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-S"))
    saved = store.update("OH-S", sergeant, sets={"steps.statement.fields.vps": "later"}, start_step="statement")
    assert saved.rev == 1
    held = reopened(store_factory).load("OH-S").step("statement")
    assert (held.status, held.by, held.at) == (StepStatus.IN_PROGRESS, sergeant, NOW)
    # A step already started (or finished) by someone else is left as it is.
    store.update("OH-S", OTHER, sets={"steps.welfare_contact.status": StepStatus.DONE})
    store.update("OH-S", sergeant, sets={"steps.welfare_contact.notes": "x"}, start_step="welfare_contact")
    assert reopened(store_factory).load("OH-S").step("welfare_contact").status is StepStatus.DONE


def test_setting_the_value_already_held_records_nothing(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-N"))
    store.update("OH-N", sergeant, sets={"steps.statement.notes": "same"})
    before = reopened(store_factory).load("OH-N")
    again = store.update("OH-N", OTHER, sets={"steps.statement.notes": "same"})
    assert again.rev == 1
    assert reopened(store_factory).load("OH-N") == before
    assert store.summary("OH-N").rev == 1


def test_updating_a_missing_case_says_so(store, make_case, sergeant):
    with pytest.raises(StoreError) as info:
        store.update("OH-GONE", sergeant, sets={"steps.statement.notes": "x"})
    assert not isinstance(info.value, ConflictError)
    assert "OH-GONE" in str(info.value)
    assert "OH-GONE" not in store and len(store) == 0


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        ({"steps.nope.fields.x": "y"}, "steps.nope.fields.x"),
        ({"rev": 7}, "rev cannot be changed"),
        ({"history": []}, "history cannot be changed"),
    ],
)
def test_a_change_that_is_not_allowed_is_refused_and_nothing_is_saved(
    store, store_factory, make_case, sergeant, sets, message
):
    case = store.create(make_case(case_id="OH-B"))
    with pytest.raises(StoreError, match=message):
        store.update("OH-B", sergeant, sets=sets)
    assert reopened(store_factory).load("OH-B") == case


def test_log_entries_land_in_order(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-LOG"))
    entries = [
        LogEntry(at=NOW - timedelta(hours=5 - n), by=sergeant, method="phone", summary=f"update {n}") for n in range(4)
    ]
    for entry in entries:
        store.update("OH-LOG", sergeant, appends={"updates": entry})
    welfare = LogEntry(at=NOW, by=OTHER, method="in_person", summary="Seen at home")
    reopened(store_factory).update("OH-LOG", OTHER, appends={"welfare_contacts": welfare})
    held = reopened(store_factory).load("OH-LOG")
    assert held.updates == entries
    assert held.welfare_contacts == [welfare]
    assert held.rev == 5
    assert [h.field for h in held.history[1:]] == ["updates+"] * 4 + ["welfare_contacts+"]
    assert json.loads(held.history[-1].new)["summary"] == "Seen at home"


def test_control_codes_never_reach_the_store(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-CC", victim_name="Sam\x1b[2J\x07 Okafor\u202e"))
    store.create_many([make_case(case_id="OH-CC2", victim_name="Pat\x1b]0;owned\x07 Example")])
    store.update(
        "OH-CC",
        sergeant,
        sets={"steps.statement.notes": "line\x1b[31m red\x00"},
        appends={"updates": LogEntry(at=NOW, by=sergeant, summary="told\x9b1m them")},
    )
    again = reopened(store_factory)
    held = again.load("OH-CC")
    assert held.victim.name == "Sam Okafor"
    assert held.step("statement").notes == "line red"
    assert held.updates[0].summary == "told them"
    assert again.load("OH-CC2").victim.name == "Pat Example"
    text = json.dumps(
        [
            held.model_dump(mode="json"),
            again.load("OH-CC2").model_dump(mode="json"),
            [comparable(s) for s in again.summaries()],
        ],
        ensure_ascii=False,
    )
    assert not any(ch in text for ch in ("\x1b", "\x07", "\x00", "\x9b", "\u202e"))
    assert "\\u00" not in text  # nor escaped (json writes the C0 controls as \u00XX)


# --- the case list ------------------------------------------------------------------------------------


def test_summaries_follow_create_and_update(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-L1", victim_number="PC 1234"))
    store.create(make_case(case_id="OH-L2", victim_number="PC 5678"))
    assert len(store) == 2
    assert store.summary("OH-L1").rev == 0
    assert store.summary("OH-L1").done == 0
    store.update(
        "OH-L1", sergeant, sets={"steps.supervisor_aware.status": StepStatus.DONE, "victim.name": "Sam O'Kafor"}
    )
    mine = store.summary("OH-L1")
    assert (mine.rev, mine.done, mine.victim_name) == (1, 1, "Sam O'Kafor")
    again = reopened(store_factory)
    assert len(again) == 2
    assert {s.id: comparable(s) for s in again.summaries()} == {s.id: comparable(s) for s in store.summaries()}
    assert comparable(again.summary("OH-L1")) == comparable(mine)


def test_another_store_objects_saves_show_after_refresh(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-R"))
    other = reopened(store_factory)
    other.update("OH-R", OTHER, sets={"steps.statement.notes": "from the other desk"})
    other.create(make_case(case_id="OH-R2"))
    store.refresh()
    assert store.summary("OH-R").rev == 1
    assert sorted(s.id for s in store.summaries()) == ["OH-R", "OH-R2"]
    assert len(store) == 2
    assert store.load("OH-R").step("statement").notes == "from the other desk"  # load reads it as it is now


def test_a_watcher_hears_of_another_store_objects_saves(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-W"))
    assert store.wait_for_change(0.05) is False  # the first call starts watching
    assert store.wait_for_change(0.3) is False  # nothing saved since
    other = reopened(store_factory)
    other.update("OH-W", OTHER, sets={"steps.statement.notes": "from the other desk"})
    assert store.wait_for_change(3.0) is True
    store.refresh()
    assert store.summary("OH-W").rev == 1
    assert store.wait_for_change(0.3) is False  # heard once
    other.create(make_case(case_id="OH-W2"))
    assert store.wait_for_change(3.0) is True


def test_victim_cases_by_number_ignoring_case_and_spacing(store, store_factory, make_case):
    store.create(make_case(case_id="OH-V1", victim_number="PC 1234", occurred_at=NOW - timedelta(days=300)))
    store.create(make_case(case_id="OH-V2", victim_number="pc1234", occurred_at=NOW - timedelta(days=3)))
    store.create(make_case(case_id="OH-V3", victim_number="4321", occurred_at=NOW - timedelta(days=30)))
    store.create(make_case(case_id="OH-V4", victim_number="PCSO 1234", occurred_at=NOW - timedelta(days=20)))
    for view in (store, reopened(store_factory)):
        assert [s.id for s in view.victim_cases("Pc 1234")] == ["OH-V1", "OH-V2"]
        assert [s.id for s in view.victim_cases(" pc-1234 ")] == ["OH-V1", "OH-V2"]
        # Without a rank it may be anyone's 1234: every rank is offered.
        assert [s.id for s in view.victim_cases("1234")] == ["OH-V1", "OH-V4", "OH-V2"]
        assert [s.id for s in view.victim_cases("pcso1234")] == ["OH-V4"]
        assert view.victim_cases("") == []
        assert view.victim_cases("9999") == []


# --- the lock -----------------------------------------------------------------------------------------


def test_locked_keeps_every_other_store_object_from_saving(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-LK"))
    impatient = store_factory(lock_timeout=0.2)
    with store.locked():
        with pytest.raises(StoreBusyError, match="Nothing was saved"):
            impatient.update("OH-LK", sergeant, sets={"steps.statement.notes": "x"})
        with pytest.raises(StoreBusyError):
            impatient.update("OH-LK", sergeant, sets={"steps.statement.notes": "x"}, wait=0.1)
        with pytest.raises(StoreBusyError):
            impatient.create(make_case(case_id="OH-LK2"))
        with pytest.raises(StoreBusyError):
            with impatient.locked(timeout=0.1):
                pass
        # The holder's own writes go ahead.
        assert store.update("OH-LK", sergeant, sets={"steps.statement.notes": "holder"}).rev == 1
    held = reopened(store_factory)
    assert held.load("OH-LK").step("statement").notes == "holder"
    assert "OH-LK2" not in held
    # Free again: the other one saves.
    assert impatient.update("OH-LK", OTHER, sets={"steps.statement.notes": "x"}).rev == 2


def test_a_busy_error_is_a_store_error(store, store_factory, make_case, sergeant):
    store.create(make_case(case_id="OH-LK3"))
    with store.locked():
        with pytest.raises(StoreError):
            store_factory().update("OH-LK3", sergeant, sets={"steps.statement.notes": "x"}, wait=0.05)


# --- replacing everything (training resets) -----------------------------------------------------------


def test_replace_all_leaves_exactly_the_new_cases(store, store_factory, make_case, sergeant):
    store.create_many([make_case(case_id="OH-OLD1"), make_case(case_id="OH-KEEP")])
    store.update("OH-KEEP", sergeant, sets={"steps.statement.notes": "class work"})
    store.save_draft("PS 4521", {"kind": "new_case", "fields": {"victim_name": "Draft"}})
    fresh_keep = make_case(case_id="OH-KEEP")
    new = make_case(case_id="OH-NEW", victim_number="PC 7777")

    replacer = reopened(store_factory)
    replacer.replace_all([fresh_keep, new])
    store.refresh()
    for view in (replacer, store, reopened(store_factory)):
        assert sorted(s.id for s in view.summaries()) == ["OH-KEEP", "OH-NEW"]
        assert len(view) == 2
        assert "OH-OLD1" not in view and view.summary("OH-OLD1") is None
        assert view.load("OH-KEEP") == fresh_keep  # as created: the class's work is gone
        assert view.load("OH-NEW") == new
        assert view.load_draft("PS 4521") == {"kind": "new_case", "fields": {"victim_name": "Draft"}}
    # And it is a store like any other afterwards.
    assert store.update("OH-KEEP", sergeant, sets={"steps.statement.notes": "again"}).rev == 1


def test_replace_all_with_nothing_empties_the_store(store, store_factory, make_case):
    store.create_many([make_case(case_id="OH-E1"), make_case(case_id="OH-E2")])
    store.replace_all([])
    assert len(store) == 0 and store.summaries() == []
    assert len(reopened(store_factory)) == 0


def test_replace_all_refuses_two_cases_with_one_reference_and_changes_nothing(store, store_factory, make_case):
    old = store.create(make_case(case_id="OH-STAY"))
    with pytest.raises(StoreError, match="OH-TWICE"):
        store.replace_all([make_case(case_id="OH-TWICE"), make_case(case_id="OH-TWICE", victim_name="Other")])
    held = reopened(store_factory)
    assert [s.id for s in held.summaries()] == ["OH-STAY"]
    assert held.load("OH-STAY") == old


def test_replace_all_waits_for_the_lock(store, store_factory, make_case):
    store.create(make_case(case_id="OH-W"))
    impatient = store_factory(lock_timeout=0.2)
    with store.locked():
        with pytest.raises(StoreBusyError):
            impatient.replace_all([make_case(case_id="OH-W2")])
    assert [s.id for s in reopened(store_factory).summaries()] == ["OH-W"]


# --- replacing a case by a later version of itself (ophamp store copy, run again) --------------------


def later_version(case, by, *, notes: str = "moved on"):
    """``case`` as another store holds it after one more save (never saved here)."""
    return merge_update(case, by, NOW + timedelta(hours=1), sets={"steps.statement.notes": notes})[0]


def test_replace_with_later_keeps_the_later_version_history_and_all(store, store_factory, make_case, sergeant):
    held = store.create(make_case(case_id="OH-LV"))
    later = later_version(later_version(held, sergeant), OTHER, notes="and again")
    assert later.rev == 2 and len(later.history) == len(held.history) + 2
    reopened(store_factory).replace_with_later(later)
    store.refresh()
    for view in (store, reopened(store_factory)):
        assert view.load("OH-LV") == later  # history, revision and times as given, not the store's clock
        assert view.summary("OH-LV") is not None and len(view) == 1
    # A store like any other afterwards: the next save carries on from the copied revision.
    assert store.update("OH-LV", sergeant, sets={"steps.statement.fields.vps": "declined"}).rev == 3


@pytest.mark.parametrize("what", ["same", "older", "changed here", "another case", "missing"])
def test_replace_with_later_refuses_what_is_not_a_later_version_and_changes_nothing(
    store, store_factory, make_case, sergeant, what
):
    first = store.create(make_case(case_id="OH-NL"))
    store.update("OH-NL", sergeant, sets={"steps.statement.notes": "saved here"})
    held = store.load("OH-NL")
    given = {
        "same": held,
        "older": first,
        "changed here": later_version(first, OTHER, notes="saved elsewhere"),  # rev 1 vs rev 1, other history
        "another case": later_version(later_version(make_case(case_id="OH-NL", victim_name="Other"), OTHER), OTHER),
        "missing": later_version(make_case(case_id="OH-NOPE"), OTHER),
    }[what]
    with pytest.raises(StoreError, match="OH-NL|OH-NOPE"):
        store.replace_with_later(given)
    again = reopened(store_factory)
    assert again.load("OH-NL") == held and "OH-NOPE" not in again and len(again) == 1


def test_replace_with_later_waits_for_the_lock(store, store_factory, make_case, sergeant):
    held = store.create(make_case(case_id="OH-LVW"))
    impatient = store_factory(lock_timeout=0.2)
    with store.locked():
        with pytest.raises(StoreBusyError):
            impatient.replace_with_later(later_version(held, sergeant))
    assert reopened(store_factory).load("OH-LVW") == held


# --- drafts -------------------------------------------------------------------------------------------


def test_drafts_are_kept_per_owner_until_discarded(store, store_factory):
    assert store.load_draft("PS 4521") is None
    store.discard_draft("PS 4521")  # none: nothing happens
    draft = {
        "kind": "new_case",
        "saved_at": "2026-06-10T12:00:00Z",
        "fields": {"victim_name": "Zoë Ní Bhriain", "notes": "two\nlines", "count": 2, "ok": True, "x": None},
    }
    store.save_draft("PS 4521", draft)
    store.save_draft("DC 7001", {"kind": "new_case", "fields": {}})
    assert reopened(store_factory).load_draft("PS 4521") == draft
    changed = {**draft, "fields": {"victim_name": "Sam"}}
    reopened(store_factory).save_draft("PS 4521", changed)
    assert store.load_draft("PS 4521") == changed
    store.discard_draft("PS 4521")
    again = reopened(store_factory)
    assert again.load_draft("PS 4521") is None
    assert again.load_draft("DC 7001") == {"kind": "new_case", "fields": {}}
    assert len(again) == 0  # a draft is not a case


def test_drafts_are_kept_without_control_codes(store, store_factory):
    store.save_draft("PS 4521", {"kind": "new_case", "fields": {"victim_name": "Sam\x1b[2J Okafor\x07"}})
    assert reopened(store_factory).load_draft("PS 4521") == {
        "kind": "new_case",
        "fields": {"victim_name": "Sam Okafor"},
    }


# --- who else has the store open ---------------------------------------------------------------------


def test_a_session_is_not_its_own_other_session(store, sergeant):
    before = store.other_sessions()
    store.register_session(sergeant, training=True)
    try:
        assert store.other_sessions() == before
        store.register_session(OTHER)  # a change of user: replaces, never adds
        assert store.other_sessions() == before
    finally:
        store.unregister_session()
    store.unregister_session()  # twice: nothing happens
    assert store.other_sessions() == before


def test_rebuild_iter_summaries_and_case_ids(store, store_factory, make_case):
    store.create_many([make_case(case_id="OH-RB1"), make_case(case_id="OH-RB2", victim_number="PC 7777")])
    again = reopened(store_factory)
    assert not again.needs_rebuild  # opened normally: already up to date
    calls: list[tuple[int, int]] = []
    again.rebuild(lambda done, total: calls.append((done, total)))
    assert calls and calls[0][0] == 0 and calls[-1][0] == calls[-1][1]
    assert sorted(again.case_ids()) == ["OH-RB1", "OH-RB2"]
    assert {s.id: comparable(s) for s in again.iter_summaries()} == {s.id: comparable(s) for s in store.summaries()}


def test_the_interface_names_only_what_the_app_uses():
    """A reminder that a method added here is a method every backend must have and test."""
    declared = set(vars(CaseStore)) | set(CaseStore.__annotations__)
    names = {n for n in declared if not n.startswith("_")} | {"__len__", "__contains__"} & declared
    assert names == {
        "read_only",
        "notices",
        "location",
        "refresh",
        "wait_for_change",
        "needs_rebuild",
        "rebuild",
        "summaries",
        "iter_summaries",
        "case_ids",
        "summary",
        "__len__",
        "__contains__",
        "victim_cases",
        "report_counts",
        "load",
        "create",
        "create_many",
        "update",
        "replace_all",
        "replace_with_later",
        "locked",
        "save_draft",
        "load_draft",
        "discard_draft",
        "register_session",
        "unregister_session",
        "other_sessions",
    }


def test_report_counts_see_every_store_objects_saves(store, store_factory, make_case):
    """``report_counts`` (issue 15): zeros on an empty store; then a case saved by another ophamp counts,
    in its period only, with its welfare contact (the figures themselves: ``test_report.py``)."""
    june = (datetime(2026, 5, 31, 23, 0, tzinfo=UTC), datetime(2026, 6, 30, 23, 0, tzinfo=UTC))
    empty = store.report_counts(*june, NOW)
    assert (empty.cases, empty.store_cases, empty.welfare_median_h, empty.clocks) == (0, 0, None, {})
    other = store_factory()
    case = other.create(make_case(case_id="OH-260608-AAAA"))  # Mon 8 June 08:00 UTC, no welfare contact yet
    other.update(case.id, OTHER, sets={"steps.welfare_contact.fields.contact_at": "2026-06-08T10:00:00Z"})
    store.refresh()
    counts = store.report_counts(*june, NOW)
    assert (counts.cases, counts.by_offence, counts.welfare_made, counts.welfare_median_h) == (1, {"aew_s1": 1}, 1, 2.0)
    assert counts.clocks["welfare"] == (0, 0, 1)  # the step is not done: its 24 hours ran out on Tuesday
    assert store.report_counts(june[1], june[1] + timedelta(days=30), NOW).cases == 0
