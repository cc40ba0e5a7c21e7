"""The case store: TinyDB JSON files on disk that never lose a saved step.

Layout of a store directory (0700, every file 0600)::

    store.json            what this directory is, and its schema version
    cases/<id>.json       one TinyDB file per case (table "case", one document)
    cases/<id>.json.bak   the previous version of that case: the last good copy
    index/summaries.jsonl the summary index, for the case list: a snapshot, one line a case
    index/journal.jsonl   the index's journal: one line appended per save since the snapshot
    .lock                 the cross-process write lock

Saving a step rewrites one case file and appends one line to the index journal, so it costs the
same however many cases the store holds. Case files are written atomically and durably (see
``atomic``). The index is a cache derived from the case files (see ``index``): each entry remembers
the size of the file it was made from, and a case file changed by ophamp always grows, so an entry
left behind by a crash is noticed and remade on open. Copying or touching a store keeps sizes, so
the index stays trusted.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb import TinyDB

from . import atomic, presence
from .clock import now_utc
from .edits import is_earlier_version, merge_update
from .errors import ConflictError, StoreBusyError, StoreError
from .index import SummaryIndex, encode
from .models import Actor, Case, LogEntry
from .report_facts import ReportCounts, counts_from_summaries
from .store_files import (
    CASE_TABLE,
    STORE_FORMAT,
    AtomicJSONStorage,
    StoreCorruptError,
    backup_of,
    check_backup,
    missing_message,
    open_root,
    read_case,
)
from .summary import CaseSummary, summarise, victim_cases
from .text import normalise_number, without_controls

__all__ = [
    "STORE_FORMAT",
    "AtomicJSONStorage",
    "ConflictError",
    "Store",
    "StoreBusyError",
    "StoreCorruptError",
    "StoreError",
]


PARALLEL_FROM = 3000  # cases to sum up again from which a rebuild uses one process a core
REBUILD_CHUNK = 500


def load_case(path: Path, case_id: str) -> Case:
    """The case in its file (see ``Store.load``)."""
    if not os.path.lexists(path):
        if backup_of(path).exists():
            raise StoreError(missing_message(case_id))
        raise StoreError(f"Case {case_id} is not in this store.")
    try:
        return read_case(path, case_id)
    except StoreCorruptError as exc:
        raise check_backup(exc, case_id) from None


def summary_of_file(cases_dir: Path, case_id: str, size: int) -> CaseSummary:
    """The summary of the case in ``cases_dir``, or a damaged one saying why it cannot be read."""
    path = cases_dir / f"{case_id}.json"
    try:
        summary = summarise(load_case(path, case_id))
    except StoreError as exc:
        summary = CaseSummary.damaged_file(case_id, str(exc))
    except Exception as exc:  # noqa: BLE001 - one case that cannot be summed up never stops the rest
        summary = CaseSummary.damaged_file(
            case_id, f"{path} cannot be shown ({type(exc).__name__}). It has not been changed."
        )
    return summary.model_copy(update={"file_size": size})


def _summarise_files(cases_dir: str, items: list[tuple[str, int]]) -> list[bytes]:
    """In a worker process of ``rebuild``: the index line of each case."""
    return [encode(summary_of_file(Path(cases_dir), case_id, size)) for case_id, size in items]


_DIGIT = re.compile(r"\d")


def _victim_keys(number: str, staff_no: str) -> list[str]:
    """The keys of a victim in the victim map, from numbers already normalised (as summaries hold them):
    the number without its rank (``text.number_key``: from the first digit) and the staff number."""
    keys = []
    if number:
        digit = _DIGIT.search(number)
        keys.append("n:" + (number[digit.start() :] if digit else number))
    return [*keys, "s:" + staff_no] if staff_no else keys


def _sync_folder(folder: Path) -> None:
    """Make every file written in ``folder`` durable: ``syncfs`` of its file system where there is one
    (one flush for a whole batch of files), else ``sync``."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        os.sync()
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    except OSError:
        os.sync()
    finally:
        os.close(fd)


class Store:
    """All reads and writes of cases go through one of these."""

    def __init__(
        self,
        root: Path | str,
        *,
        lock_timeout: float = 10.0,
        clock: Callable[[], datetime] = now_utc,
        rebuild: bool = True,
    ):
        """Open (or make) the store at ``root``. With ``rebuild`` (the default) the index is brought up to
        date with the case files before this returns (see ``rebuild``); with ``rebuild=False`` only the
        index is read (fast at any size) and the caller runs ``rebuild`` itself, e.g. in a worker thread
        with a progress bar when ``needs_rebuild``."""
        self.root = Path(root).expanduser()
        self.clock = clock
        self.notices: list[str] = []  # what the user should be told on opening (shown by the app)
        self.cases_dir = self.root / "cases"
        self.index_dir = self.root / "index"
        self._lock = FileLock(str(self.root / ".lock"), timeout=lock_timeout, mode=0o600)
        self._index = SummaryIndex(self.index_dir)
        # Held while the in-memory index changes (a save's line, a refresh, a rebuild): the app refreshes
        # and rebuilds in worker threads while its saver thread saves.
        self._rebuild_lock = threading.RLock()
        self._victims_lock = threading.Lock()
        self._victims: dict[str, set[str]] | None = None  # number key or staff number -> case ids (lazy)
        self._seen_mark: tuple[object, ...] | None = None  # see wait_for_change
        self.summarised = 0  # cases summed up from their files by this object (for tests and benchmarks)
        try:
            open_root(self.root, self.notices)
            self.read_only = not (
                atomic.owner_can_write(self.root) and atomic.owner_can_write(self.cases_dir)
                if self.cases_dir.is_dir()
                else atomic.owner_can_write(self.root)
            )
            if self.read_only:
                self.notices.append(
                    f"{self.root} is read-only: you can read the cases, but saving is not "
                    "possible. Nothing in it will be changed."
                )
            else:
                for d in (self.cases_dir, self.index_dir):
                    atomic.make_private_dir(d)
                self._tidy()
            self._index.load()
            self.notices.extend(self._index.problems)
            if rebuild:
                self.rebuild()
        except OSError as exc:
            raise StoreError(f"Cannot open the store at {self.root}: {exc.strerror or type(exc).__name__}.") from None

    @property
    def location(self) -> str:
        """Where the store is, for messages: its folder."""
        return str(self.root)

    def _tidy(self) -> None:
        """Remove temp files left by a save that was killed part way: only under the lock."""
        try:
            self._lock.acquire(timeout=0)
        except (Timeout, OSError):
            return  # another ophamp is saving: its temp files are in use; tidy next time
        try:
            # Holding the lock, every temp file is abandoned: case files are only written under the lock,
            # and an index write in flight elsewhere that loses its temp file fails quietly (the index
            # is a cache, remade on the next open).
            for d in (self.cases_dir, self.index_dir):
                atomic.remove_stale_temps(d, older_than=0)
        finally:
            self._lock.release()

    # --- the index (see ``index``) ----------------------------------------------------------------

    @property
    def needs_rebuild(self) -> bool:
        """True when the index could not be used (missing, damaged, or made by another version) while the
        store holds cases: until ``rebuild`` has run, ``summaries`` lists only what the index held."""
        return not self._index.found_snapshot and bool(self._index.lines or self._any_case_file())

    def _any_case_file(self) -> bool:
        try:
            with os.scandir(self.cases_dir) as entries:
                return any(e.name.endswith(".json") and not e.name.startswith(".") for e in entries)
        except OSError:
            return False

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Bring the index up to date with the case files: safe to run in a worker thread while the UI
        reads ``summaries`` (it only adds and replaces whole entries).

        Every case file is checked by name and size (not mtime: copying or touching a store changes
        nothing); a case file that is new, or whose size is not the one its summary was made from
        (changed behind the store's back, or saved by an ophamp that crashed before writing the index),
        is summed up again from the file, and a summary whose file is gone is dropped. ``progress`` is
        called as ``progress(done, total)`` with ``total`` the number of cases to sum up again: once
        with ``done == 0`` before the first, then about every 1 % (and at least every 500), and once
        with ``done == total`` at the end. What has been summed up is written to the index as it goes,
        so a rebuild that is stopped part way (the program closed) carries on from there next time.

        Opening a store with ``Store(root)`` runs this before returning (no progress); with
        ``Store(root, rebuild=False)`` it is left to the caller: check ``needs_rebuild`` (the index was
        missing or unusable: a full rebuild, about 0.4 ms a case) and run ``rebuild(progress)`` in a
        worker thread, showing progress; when ``needs_rebuild`` is False, run ``rebuild()`` anyway
        (quickly: it only checks names and sizes) before trusting the list.
        """
        with self._rebuild_lock:
            self._update(progress, check_sizes=True)

    def _update(self, progress: Callable[[int, int], None] | None, *, check_sizes: bool) -> None:
        self._catch_up()
        stale, gone, missing = self._stale_entries(check_sizes)
        total = len(stale)
        written: list[bytes] = [self._index.drop(case_id) for case_id in gone]
        for case_id in missing:
            written.append(self._index.put(CaseSummary.damaged_file(case_id, missing_message(case_id))))
        if progress is not None:
            progress(0, total)
        step = max(1, min(500, total // 100))
        parallel = total >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
        if parallel:
            try:
                written = self._rebuild_in_processes(stale, written, progress)
            except (OSError, ValueError, BrokenProcessPool):
                # The worker processes could not start (e.g. under a full-screen app whose stderr is not a
                # real file): sum up here instead. Cases already summed up are simply done again.
                parallel = False
        for done, (case_id, size) in enumerate([] if parallel else stale, 1):
            summary = self._summary_from_file(case_id, size)
            written.append(self._index.put(summary))
            self._victims_changed(case_id, summary)
            if len(written) >= 2000:
                self._write_index(written, wait=False)
                written = []
            if progress is not None and (done % step == 0 or done == total):
                progress(done, total)
        for case_id in gone:
            self._victims_changed(case_id, None)
        self._write_index(written, wait=False, fold=check_sizes)  # a refresh never folds (UI thread)

    def _rebuild_in_processes(
        self, stale: list[tuple[str, int]], written: list[bytes], progress: Callable[[int, int], None] | None
    ) -> list[bytes]:
        """Sum up many cases in one process a core (spawned: safe from a threaded app), in chunks."""
        total, done = len(stale), 0
        chunks = [stale[i : i + REBUILD_CHUNK] for i in range(0, total, REBUILD_CHUNK)]
        workers = min(os.cpu_count() or 1, 4)
        folder = str(self.cases_dir)
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for lines in pool.map(_summarise_files, [folder] * len(chunks), chunks):
                for line in lines:
                    self._index.put_line(line)
                written.extend(lines)
                done += len(lines)
                self.summarised += len(lines)
                if len(written) >= 2000:
                    self._write_index(written, wait=False)
                    written = []
                if progress is not None:
                    progress(done, total)
        self._victims = None  # made again from the index lines when next asked for
        return written

    def refresh(self) -> None:
        """Take in the saves other ophamps made since this one last looked (the lines they appended to
        the index journal), and the case files added or removed meanwhile (by name: no file is opened
        but a new one; about 0.1 s at 100,000 cases). A case file changed in place behind ophamp's
        back, or by a save that crashed, is found by ``rebuild`` (run on every open), by its size."""
        # Never waits for a rebuild running in a worker thread (it takes in the same saves as it goes).
        if self._rebuild_lock.acquire(blocking=False):
            try:
                self._update(None, check_sizes=False)
            finally:
                self._rebuild_lock.release()

    def _catch_up(self) -> None:
        if not self._index.read_journal():  # folded into a new snapshot by another ophamp: read it
            self._index.load()
            self._victims = None

    def _stale_entries(self, check_sizes: bool = True) -> tuple[list[tuple[str, int]], list[str], list[str]]:
        """(case id, file size) of each case file to sum up again (without ``check_sizes``: only files
        the index does not list); ids whose file is gone; ids whose file is gone but whose last good
        copy is there (listed as missing)."""
        sizes = self._index.sizes
        if not check_sizes:
            return self._new_and_gone(sizes)
        seen: set[str] = set()
        stale: list[tuple[str, int]] = []
        backups: set[str] = set()
        for entry in self._case_entries():  # one at a time: 100,000 entries held at once are 25 MB
            name = entry.name
            if name.startswith("."):
                continue
            if name.endswith(".json.bak"):
                backups.add(name[: -len(".json.bak")])
                continue
            if not name.endswith(".json"):
                continue
            case_id = name[: -len(".json")]
            seen.add(case_id)
            if not check_sizes and case_id in sizes:
                continue
            try:
                size = entry.stat().st_size
            except OSError:  # a link to nothing: refused by load, named
                size = entry.stat(follow_symlinks=False).st_size
            if sizes.get(case_id) != size:
                stale.append((case_id, size))
        missing: list[str] = []
        for case_id in backups - seen:  # the case file was deleted, its last good copy was not
            seen.add(case_id)
            if self._index.summary(case_id) != CaseSummary.damaged_file(case_id, missing_message(case_id)):
                missing.append(case_id)
        gone = [c for c in sizes if c not in seen]
        return stale, gone, missing

    def _new_and_gone(self, sizes: dict[str, int]) -> tuple[list[tuple[str, int]], list[str], list[str]]:
        """``_stale_entries`` by names only (set operations on one listing: fast at any size)."""
        try:
            names = os.listdir(self.cases_dir)
        except OSError:
            names = []
        ids = {n[:-5] for n in names if n[-5:] == ".json" and n[:1] != "."}
        backups = {n[:-9] for n in names if n[-9:] == ".json.bak" and n[:1] != "."}
        stale: list[tuple[str, int]] = []
        for case_id in ids - sizes.keys():
            path = self.cases_dir / f"{case_id}.json"
            try:
                stale.append((case_id, path.stat().st_size))
            except OSError:  # a link to nothing: refused by load, named
                try:
                    stale.append((case_id, path.lstat().st_size))
                except OSError:
                    continue  # gone again meanwhile
        missing = [
            case_id
            for case_id in backups - ids
            if self._index.summary(case_id) != CaseSummary.damaged_file(case_id, missing_message(case_id))
        ]
        return stale, list(sizes.keys() - ids - backups), missing

    def _case_entries(self) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(self.cases_dir) as entries:
                yield from entries
        except OSError:
            return

    def _write_index(self, lines: list[bytes], *, wait: bool = True, fold: bool = False) -> None:
        """Append ``lines`` to the index journal; with ``fold``, fold a long journal into the snapshot.
        Under the lock (``wait=False``: skipped if another ophamp holds it; the index is a cache)."""
        if self.read_only or not (lines or fold):
            return
        try:
            self._lock.acquire(timeout=self._lock.timeout if wait else 0)
        except (Timeout, OSError):
            return
        try:
            self._index.append(lines)
            if fold and (
                not self._index.found_snapshot or self._index.journal_lines > max(1000, len(self._index.lines) // 8)
            ):
                self._index.write_snapshot()
        except OSError:
            pass  # the index is remade from the case files next time
        finally:
            self._lock.release()

    def _summary_from_file(self, case_id: str, size: int) -> CaseSummary:
        self.summarised += 1
        return summary_of_file(self.cases_dir, case_id, size)

    def _change_mark(self) -> tuple[object, ...]:
        """What a save by any ophamp changes: the index files (a line appended, or folded into a new
        snapshot) and the cases folder (a case file made or removed)."""
        mark: list[object] = []
        for path in (self.index_dir / "journal.jsonl", self.index_dir / "summaries.jsonl", self.cases_dir):
            try:
                st = os.stat(path)
                mark.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except OSError:
                mark.append(None)
        return tuple(mark)

    def wait_for_change(self, timeout: float) -> bool:
        """See ``CaseStore.wait_for_change``: looks at three files' sizes and times every 0.2 s."""
        deadline = time.monotonic() + timeout
        while True:
            mark = self._change_mark()
            if self._seen_mark is None:
                self._seen_mark = mark
            elif mark != self._seen_mark:
                self._seen_mark = mark
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(0.2, left))

    def summaries(self) -> list[CaseSummary]:
        """Every summary: each built from its index line the first time (about 20 µs), then kept until that
        case changes (see ``iter_summaries`` to go through them without making the list)."""
        return self._index.all_summaries(self._remake)

    def iter_summaries(self) -> Iterator[CaseSummary]:
        """The summaries one at a time, each built as it is asked for: the same as ``summaries`` without
        holding them all in memory at once (a line that cannot be read is summed up from its file)."""
        for case_id, summary in self._index.iter_summaries():
            yield summary if summary is not None else self._remake(case_id)

    def summary(self, case_id: str) -> CaseSummary | None:
        if case_id not in self._index.lines:
            return None
        summary = self._index.summary(case_id)
        return summary if summary is not None else self._remake(case_id)

    def case_ids(self) -> list[str]:
        """The id of every case listed, without building any summary."""
        return list(self._index.lines)

    def _remake(self, case_id: str) -> CaseSummary:
        """A damaged index line: sum the case up from its file again."""
        try:
            size = self.case_path(case_id).lstat().st_size
        except OSError:
            size = 0
        summary = self._summary_from_file(case_id, size)
        self._write_index([self._index.put(summary)], wait=False)
        return summary

    def __len__(self) -> int:
        return len(self._index.lines)

    def __contains__(self, case_id: object) -> bool:
        """A case file (or a link, or anything else) is there under this reference, readable or not."""
        if not isinstance(case_id, str):
            return False
        try:
            return os.path.lexists(self.case_path(case_id))
        except StoreError:
            return False  # not a case reference

    # --- cases ---------------------------------------------------------------------------------

    def case_path(self, case_id: str) -> Path:
        if not case_id or "/" in case_id or case_id.startswith("."):
            raise StoreError(f"{case_id!r} is not a case reference.")
        return self.cases_dir / f"{case_id}.json"

    def _db(self, case_id: str) -> TinyDB:
        return TinyDB(self.case_path(case_id), storage=AtomicJSONStorage)

    def load(self, case_id: str) -> Case:
        return load_case(self.case_path(case_id), case_id)

    def _write_case(self, case: Case) -> None:
        path = self.case_path(case.id)
        # The whole file in one atomic write, in TinyDB's layout. (TinyDB's upsert merged the new
        # record into the old one, which kept a schema-1 record's old keys after migration, and wrote
        # an empty table first when creating, which then became the ".bak" last good copy.)
        try:
            # Control codes and lone surrogates never reach the disk, whoever built the record.
            AtomicJSONStorage(path).write({CASE_TABLE: {"1": without_controls(case.model_dump(mode="json"))}})
        except atomic.WriteFailed as exc:
            if not exc.replaced:
                raise StoreError(str(exc)) from None
            self._index_case(case, path)
            raise StoreError(
                f"{case.id} was written but the disk did not confirm it ({exc.reason.split('.')[0]}). "
                "Check the disk; the case as it was before is kept as the last good copy."
            ) from None
        self._index_case(case, path)

    def _index_case(self, case: Case, path: Path) -> None:
        """One line appended to the index journal: the cost does not depend on the store's size."""
        summary = summarise(case).model_copy(update={"file_size": path.stat().st_size})
        # The in-memory index is shared with a refresh or rebuild in a worker thread: one at a time.
        with self._rebuild_lock:
            self._victims_changed(case.id, summary)
            try:
                self._index.append([self._index.put(summary)])  # under the lock, as every save is
            except OSError:
                pass  # the case itself is saved; its summary is remade on next open (the size differs)

    def _acquire(self, timeout: float | None = None) -> None:
        if self.read_only:
            raise StoreError(f"{self.root} is read-only: nothing can be saved in it. What was saved before is kept.")
        wait = self._lock.timeout if timeout is None else timeout
        try:
            self._lock.acquire(timeout=wait)
        except Timeout:
            raise StoreBusyError(
                f"Another ophamp has been saving to {self.root} for {wait:.0f} s. "
                "Nothing was saved: try again, and if it keeps happening close the other ophamp."
            ) from None
        except OSError as exc:
            raise StoreError(
                f"Cannot save in {self.root}: {exc.strerror or type(exc).__name__}. What was saved before is kept."
            ) from None

    @contextmanager
    def locked(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the store's write lock: no other ophamp saves, or tidies, until the block ends."""
        self._acquire(timeout)
        try:
            yield
        finally:
            self._lock.release()

    def create(self, case: Case) -> Case:
        with self.locked():
            if os.path.lexists(self.case_path(case.id)):
                raise StoreError(f"A case {case.id} already exists.")
            self._write_case(case)
        return case

    def create_many(self, cases: Iterable[Case]) -> None:
        """Seed many cases: the case files written, then made durable together (one sync for all, not
        one fsync each), then one index journal entry for all. ``cases`` may be any iterable."""
        lines: list[bytes] = []
        with self.locked():
            try:
                for case in cases:
                    path = self.case_path(case.id)
                    if os.path.lexists(path):
                        raise StoreError(f"A case {case.id} already exists.")
                    # Control codes never reach the disk (as in _write_case); clean text is unchanged.
                    AtomicJSONStorage(path, durable=False).write(
                        {CASE_TABLE: {"1": without_controls(case.model_dump(mode="json"))}}
                    )
                    summary = summarise(case).model_copy(update={"file_size": path.stat().st_size})
                    lines.append(self._index.put(summary))
                    self._victims_changed(case.id, summary)
            except atomic.WriteFailed as exc:
                raise StoreError(str(exc)) from None
            finally:
                if lines:
                    _sync_folder(self.cases_dir)
                    try:
                        self._index.append(lines)
                    except OSError:
                        pass  # remade from the case files next time

    def replace_with_later(self, case: Case) -> None:
        """See ``CaseStore.replace_with_later``: the case file rewritten as ``create`` writes it (the one it
        replaces kept as the last good copy), under the lock."""
        clean = Case.model_validate(without_controls(case.model_dump(mode="json")))  # what is written
        with self.locked():
            held = self.load(case.id)
            if not is_earlier_version(held, clean):
                raise StoreError(
                    f"Case {case.id} in {self.root} is not an earlier version of the case given "
                    "(it was changed here too, or is as new): it was not replaced."
                )
            self._write_case(clean)

    def replace_all(self, cases: list[Case]) -> None:
        """Hold exactly ``cases`` (training resets): every case file, last good copy and index line goes,
        then ``cases`` are written as ``create_many`` writes them (byte for byte the same files).

        Under the lock. Left alone: drafts, sessions, anything else in the folder, and temp files younger
        than a minute (another process's index write may be in flight: those are not made under the
        lock). A link in the cases folder is removed itself, never what it points to.
        """
        ids = [case.id for case in cases]
        for case_id in ids:
            self.case_path(case_id)  # StoreError for what is not a case reference, before anything changes
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise StoreError(f"Two of the new cases have the same reference ({', '.join(twice)}). Nothing was changed.")
        with self.locked():
            try:
                for directory, endings in (
                    (self.cases_dir, (".json", ".json.bak")),
                    (self.index_dir, (".json", ".jsonl")),
                ):
                    for entry in os.scandir(directory):
                        if entry.is_dir(follow_symlinks=False):
                            continue
                        if entry.name.endswith(endings):
                            os.unlink(entry.path)
                    atomic.remove_stale_temps(directory)
            except OSError as exc:
                raise StoreError(
                    f"Cannot clear {self.root}: {exc.strerror or type(exc).__name__}. "
                    "Some cases may be gone: run it again."
                ) from None
            self.refresh()  # the index forgets the removed cases
            self.create_many(cases)

    def update(
        self,
        case_id: str,
        by: Actor,
        *,
        sets: dict[str, Any] | None = None,
        appends: dict[str, LogEntry | dict[str, Any]] | None = None,
        base_rev: int | None = None,
        expect: dict[str, Any] | None = None,
        start_step: str | None = None,
        wait: float | None = None,
    ) -> Case:
        """Apply changes to the case as it is on disk now, and save it before returning.

        Changes to different fields by different people are merged. A change is
        refused (ConflictError) when, since this user saw it, someone else changed
        the same field: ``expect`` maps each path to the value the user was shown
        there; ``base_rev`` (the revision the user was looking at) refuses any
        field in ``sets`` changed since. ``start_step`` marks that step in
        progress, by ``by``, if it has not been started, judged against the case
        as it is now. ``wait`` is how long to wait for another ophamp's save
        (StoreBusyError after that; default the store's lock timeout).
        """
        with self.locked(wait):
            current = self.load(case_id)
            updated, changed = merge_update(
                current,
                by,
                self.clock(),
                sets=sets,
                appends=appends,
                base_rev=base_rev,
                expect=expect,
                start_step=start_step,
            )
            if changed:
                self._write_case(updated)
            return updated

    def report_counts(self, start: datetime, end: datetime, now: datetime, role: str | None = None) -> ReportCounts:
        """The report's counts, from the index's summaries, one at a time (no case file is opened)."""
        return counts_from_summaries(self.iter_summaries(), start, end, now, role)

    def victim_cases(self, victim_number: str, staff_no: str = "") -> list[CaseSummary]:
        """Every case of this victim (see ``summary.victim_cases``), oldest first."""
        candidates = self._victim_ids(victim_number, staff_no)
        found = [s for s in (self.summary(c) for c in candidates) if s is not None]
        return victim_cases(found, victim_number, staff_no)

    # Repeat victims without reading every summary: case ids by the victim's number without its rank
    # (``text.number_key``, what two numbers of the same person share) and by warrant/staff number.
    # Built from the index lines on first use (no summary built), kept up to date by every save.

    def _victim_ids(self, number: str, staff_no: str = "") -> set[str]:
        """Every case whose victim may be this one (a superset of ``victim_cases``: it filters exactly)."""
        victims = self._victim_map()
        found: set[str] = set()
        for key in _victim_keys(normalise_number(number), normalise_number(staff_no)):
            found |= victims.get(key, set())
        return found

    def _victim_map(self) -> dict[str, set[str]]:
        with self._victims_lock:
            if self._victims is None:
                victims: dict[str, set[str]] = {}
                for case_id, number, staff_no in self._index.victim_keys():
                    for key in _victim_keys(number, staff_no):
                        victims.setdefault(key, set()).add(case_id)
                self._victims = victims
            return self._victims

    def _victims_changed(self, case_id: str, summary: CaseSummary | None) -> None:
        if self._victims is None:
            return
        for ids in self._victims.values():
            ids.discard(case_id)
        if summary is not None and not summary.damaged:
            for key in _victim_keys(summary.victim_number, summary.victim_staff_no):
                self._victims.setdefault(key, set()).add(case_id)

    # --- drafts: a new case as it is being typed, before it is created ------------------------------

    def _draft_path(self, owner: str) -> Path:
        # The owner's collar/staff number, hashed: file names say nothing about anyone.
        key = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]
        return self.root / "drafts" / f"{key}.json"

    def save_draft(self, owner: str, draft: dict[str, Any]) -> None:
        """Keep ``draft`` (JSON types only) for ``owner``, durably: it survives kill -9."""
        if self.read_only:
            raise StoreError(f"{self.root} is read-only: the new case cannot be kept as a draft.")
        path = self._draft_path(owner)
        payload = json.dumps(without_controls(draft), ensure_ascii=False).encode("utf-8")
        try:
            atomic.make_private_dir(path.parent)
            atomic.atomic_write(path, payload)
        except atomic.WriteFailed as exc:
            raise StoreError(str(exc)) from None
        except OSError as exc:
            raise StoreError(f"Could not keep the draft: {exc.strerror or type(exc).__name__}.") from None

    def load_draft(self, owner: str) -> dict[str, Any] | None:
        path = self._draft_path(owner)
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # a draft that cannot be read is not worth stopping anyone for
        return without_controls(data) if isinstance(data, dict) else None

    def discard_draft(self, owner: str) -> None:
        try:
            self._draft_path(owner).unlink()
        except OSError:
            pass  # none, or a read-only store: it is offered again next time

    # --- who else has this store open (see ``presence``) --------------------------------------------

    def register_session(self, who: Actor | None, *, training: bool = False) -> None:
        presence.register(self.root, who, training=training)

    def unregister_session(self) -> None:
        presence.unregister(self.root)

    def other_sessions(self) -> list[dict[str, Any]]:
        return presence.others(self.root)
