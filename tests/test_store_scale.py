"""Issue 13, the store at force scale: the index survives cp -r and touch, a crash between a case write
and its index line is caught, a lost index is rebuilt with progress, a save's index cost does not grow
with the store, and seeding streams with unique ids."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import subprocess
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ophamp_tui.__main__ import main
from ophamp_tui.data import index as index_module
from ophamp_tui.data.models import Actor
from ophamp_tui.data.seed import fictional_case, iter_fictional_cases
from ophamp_tui.data.store import Store
from ophamp_tui.data.summary import summarise

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
SGT = Actor(name="PS Dana Holt", number="PS 4521", role="sergeant")
FIELD = "steps.statement.notes"


def seeded(root: Path, count: int, seed: int = 5) -> Store:
    store = Store(root, clock=lambda: NOW)
    store.create_many(iter_fictional_cases(count, seed=seed, now=NOW))
    return store


def comparable(store: Store) -> dict[str, dict]:
    return {s.id: s.model_dump(mode="json") for s in store.summaries()}


def test_cp_r_keeps_the_index_trusted(tmp_path):
    before = comparable(seeded(tmp_path / "store", 40))
    subprocess.run(["cp", "-r", str(tmp_path / "store"), str(tmp_path / "copy")], check=True)  # new mtimes
    copy = Store(tmp_path / "copy")
    assert copy.summarised == 0  # nothing summed up again from a case file
    assert comparable(copy) == before


def test_touch_keeps_the_index_trusted(tmp_path):
    before = comparable(seeded(tmp_path / "store", 40))
    later = time.time() + 3600
    for path in (tmp_path / "store" / "cases").iterdir():
        os.utime(path, (later, later))
    again = Store(tmp_path / "store")
    assert again.summarised == 0
    assert comparable(again) == before


def test_a_case_file_changed_behind_the_stores_back_is_summed_up_again(tmp_path):
    store = seeded(tmp_path / "store", 20)
    case_id = sorted(store.case_ids())[3]
    other = Store(tmp_path / "store")
    # What a save that crashed after writing the case file, before its index line, leaves behind.
    case = other.load(case_id)
    case.rev += 1
    case.victim.name = "Changed Behind"
    case.history.append(case.history[-1].model_copy(update={"rev": case.rev}))
    other.index_dir.joinpath("journal.jsonl").write_bytes(b"")  # and no journal line for it anywhere
    other._index.append = lambda lines: None  # type: ignore[method-assign]
    other._write_case(case)
    fresh = Store(tmp_path / "store")
    assert fresh.summarised >= 1
    assert fresh.summary(case_id).victim_name == "Changed Behind"
    assert fresh.summary(case_id).rev == case.rev


def _save_then_die(root: str, case_id: str) -> None:
    store = Store(root, clock=lambda: NOW)

    def die(lines: list[bytes]) -> None:
        os._exit(9)  # killed after the case file is durable, before the index journal line

    store._index.append = die  # type: ignore[method-assign]
    store.update(case_id, SGT, sets={FIELD: "saved just before the crash"})


def test_a_process_killed_between_case_file_and_index_line(tmp_path):
    store = seeded(tmp_path / "store", 20)
    case_id = sorted(store.case_ids())[0]
    rev = store.summary(case_id).rev
    child = multiprocessing.get_context("spawn").Process(target=_save_then_die, args=(str(tmp_path / "store"), case_id))
    child.start()
    child.join(60)
    assert child.exitcode == 9
    assert store.load(case_id).rev == rev + 1  # the case was saved
    fresh = Store(tmp_path / "store")
    assert fresh.summarised == 1  # that case, and only it, summed up again
    assert fresh.summary(case_id).rev == rev + 1
    assert fresh.summary(case_id) == summarise(fresh.load(case_id)).model_copy(
        update={"file_size": fresh.case_path(case_id).stat().st_size}
    )
    store.refresh()  # the long-running instance too
    assert store.summary(case_id).rev == rev + 1


def test_a_missing_index_is_rebuilt_with_progress(tmp_path):
    before = comparable(seeded(tmp_path / "store", 30))
    shutil.rmtree(tmp_path / "store" / "index")
    store = Store(tmp_path / "store", rebuild=False)
    assert store.needs_rebuild
    assert len(store) == 0  # nothing is known until the rebuild
    calls: list[tuple[int, int]] = []
    store.rebuild(lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 30) and calls[-1] == (30, 30)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert comparable(store) == before
    assert not store.needs_rebuild
    again = Store(tmp_path / "store", rebuild=False)
    assert not again.needs_rebuild and comparable(again) == before
    again.rebuild()
    assert again.summarised == 0


def test_a_big_rebuild_uses_worker_processes_with_the_same_result(tmp_path, monkeypatch):
    from ophamp_tui.data import store as store_module

    before = comparable(seeded(tmp_path / "store", 40))
    shutil.rmtree(tmp_path / "store" / "index")
    monkeypatch.setattr(store_module, "PARALLEL_FROM", 10)
    monkeypatch.setattr(store_module, "REBUILD_CHUNK", 7)
    store = Store(tmp_path / "store", rebuild=False)
    calls: list[tuple[int, int]] = []
    store.rebuild(lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 40) and calls[-1] == (40, 40) and len(calls) == 1 + 6
    assert store.summarised == 40
    assert comparable(store) == before
    assert Store(tmp_path / "store").summarised == 0


def test_a_rebuild_whose_worker_processes_cannot_start_is_done_here(tmp_path, monkeypatch):
    """Under a full-screen app stderr is not a real file, and spawning workers fails: no hang, same result."""
    from ophamp_tui.data import store as store_module

    class NoWorkers:
        def __init__(self, *args, **kwargs):
            raise ValueError("bad value(s) in fds_to_keep")

    before = comparable(seeded(tmp_path / "store", 20))
    shutil.rmtree(tmp_path / "store" / "index")
    monkeypatch.setattr(store_module, "PARALLEL_FROM", 10)
    monkeypatch.setattr(store_module, "ProcessPoolExecutor", NoWorkers)
    store = Store(tmp_path / "store", rebuild=False)
    calls: list[tuple[int, int]] = []
    store.rebuild(lambda done, total: calls.append((done, total)))
    assert calls[-1] == (20, 20)
    assert comparable(store) == before
    assert not Store(tmp_path / "store", rebuild=False).needs_rebuild


def test_a_damaged_index_line_is_remade_from_its_case_file(tmp_path):
    before = comparable(seeded(tmp_path / "store", 10))
    journal = tmp_path / "store" / "index" / "journal.jsonl"
    lines = journal.read_bytes().split(b"\n")
    lines[3] = lines[3][:-9] + b'"broken"]'  # id and size intact, the rest not a summary
    journal.write_bytes(b"\n".join(lines))
    assert comparable(Store(tmp_path / "store")) == before


@pytest.mark.parametrize("count", [30, 300])
def test_a_saves_index_cost_does_not_grow_with_the_store(tmp_path, count):
    store = seeded(tmp_path / "store", count)
    store = Store(tmp_path / "store")  # the index folded into its snapshot
    ids = sorted(store.case_ids())
    index_dir = store.index_dir

    def index_bytes() -> int:
        return sum(p.stat().st_size for p in index_dir.iterdir())

    rng = random.Random(1)
    grown = []
    for n in range(5):
        written, size = store._index.lines_written, index_bytes()
        store.update(rng.choice(ids), SGT, sets={FIELD: f"note {n}"})
        assert store._index.lines_written - written == 1  # one summary serialised, whatever the store's size
        grown.append(index_bytes() - size)
    assert all(0 < g < 2000 for g in grown)  # one line appended: about 0.4 KB


def test_seeding_makes_unique_ids_even_when_the_draw_repeats():
    rng_state = random.Random(3).getstate()
    first = fictional_case(random.Random(3), NOW)
    again = random.Random()
    again.setstate(rng_state)
    other = fictional_case(again, NOW, taken={first.id})
    assert other.id != first.id and other.id.startswith(first.id[:10])


def test_seed_streams_with_unique_ids_and_bounded_memory(tmp_path):
    def seed(count: int, where: str) -> int:
        tracemalloc.start()
        assert main(["seed", "--store", str(tmp_path / where), "--cases", str(count)]) == 0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small = seed(500, "small")
    large = seed(2500, "large")
    store = Store(tmp_path / "large")
    assert len(store) == 2500 and len(set(store.case_ids())) == 2500
    assert len(list((tmp_path / "large" / "cases").iterdir())) == 2500
    # Memory: one chunk of cases at a time. Five times the cases, far less than five times the memory
    # (all the cases in memory at once would take about 25 KB each).
    assert large < small * 2.5, (small, large)


def test_summary_rows_keep_their_order():
    assert index_module.ROW[:4] == ("id", "file_size", "victim_number", "victim_staff_no")


def test_saves_on_one_thread_while_another_refreshes(tmp_path):
    """The app saves on its saver thread while the list refreshes (and checks sizes) in a worker."""
    import threading

    store = seeded(tmp_path / "store", 20)
    other = Store(tmp_path / "store")  # another ophamp, saving too
    ids = store.case_ids()
    errors: list[BaseException] = []
    stop = threading.Event()

    def refresher() -> None:
        while not stop.is_set():
            try:
                store.refresh()
                store.rebuild()
                store.summaries()
            except BaseException as exc:  # noqa: BLE001 - any failure is the test's finding
                errors.append(exc)
                return

    thread = threading.Thread(target=refresher)
    thread.start()
    try:
        for n in range(60):
            who = store if n % 2 else other
            who.update(ids[n % len(ids)], SGT, sets={"steps.statement.notes": f"note {n}"})
    finally:
        stop.set()
        thread.join()
    assert errors == []
    store.refresh()
    assert comparable(store) == comparable(Store(tmp_path / "store"))
    assert store.summary(ids[59 % len(ids)]).rev == Store(tmp_path / "store").load(ids[59 % len(ids)]).rev


def test_asking_again_for_every_summary_looks_only_at_what_changed(tmp_path, monkeypatch):
    """The list of every summary is kept between calls (opening a case and coming back to the list each
    ask for it): asked again, it builds no summary but those of the cases that changed meanwhile, here or
    in another ophamp, and it always equals what a fresh open of the store gives, in the same order."""
    root = tmp_path / "store"
    here = seeded(root, 50)
    there = Store(root, clock=lambda: NOW)
    built: list[str] = []  # the cases whose summary was looked up (and built if its line is new)
    look = index_module.SummaryIndex._built

    def counted(index: index_module.SummaryIndex, case_id: str, line: bytes):
        built.append(case_id)
        return look(index, case_id, line)

    monkeypatch.setattr(index_module.SummaryIndex, "_built", counted)

    def fresh() -> list[dict]:
        return [s.model_dump(mode="json") for s in Store(root).summaries()]

    first = here.summaries()
    built.clear()
    assert here.summaries() == first and built == []  # nothing changed: nothing looked at again

    ids = [s.id for s in first]
    here.update(ids[3], SGT, sets={FIELD: "seen by the welfare officer"})
    there.update(ids[7], SGT, sets={FIELD: "statement taken"})
    built.clear()
    here.refresh()  # takes in the other ophamp's save
    got = here.summaries()
    assert sorted(built) == sorted([ids[3], ids[7]])  # only the cases saved here and elsewhere
    assert [s.model_dump(mode="json") for s in got] == fresh()
    assert got[3].rev == first[3].rev + 1 and got[7].rev == first[7].rev + 1

    for name in (f"{ids[9]}.json", f"{ids[9]}.json.bak"):
        (root / "cases" / name).unlink(missing_ok=True)
    there.create_many([fictional_case(random.Random(77), NOW)])
    here.refresh()
    got = here.summaries()
    assert [s.model_dump(mode="json") for s in got] == fresh()
    assert ids[9] not in {s.id for s in got} and len(got) == 50  # one gone, one new
