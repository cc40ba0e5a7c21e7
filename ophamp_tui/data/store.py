"""The case store: TinyDB JSON files on disk that never lose a saved step.

Layout of a store directory (0700, every file 0600)::

    store.json            what this directory is, and its schema version
    cases/<id>.json       one TinyDB file per case (table "case", one document)
    cases/<id>.json.bak   the previous version of that case: the last good copy
    index/<nn>.json       64 shards of a small summary index, for the case list
    .lock                 the cross-process write lock

Saving a step rewrites one case file and one index shard, so it costs about
one case however many cases the store holds. Case files are written
atomically and durably (see ``atomic``). The index is a cache derived from
the case files: each entry remembers the size and mtime of the file it was
made from, so an index left behind by a crash is noticed and remade on open.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document

from . import atomic, presence
from .clock import now_utc
from .edits import EditError, apply, status_sets
from .errors import ConflictError, StoreBusyError, StoreError
from .models import Actor, Case, LogEntry, StepStatus
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
from .summary import SUMMARY_VERSION, CaseSummary, summarise, victim_cases
from .text import without_controls

__all__ = [
    "STORE_FORMAT",
    "SHARDS",
    "AtomicJSONStorage",
    "ConflictError",
    "Store",
    "StoreBusyError",
    "StoreCorruptError",
    "StoreError",
]

SHARDS = 64


class Store:
    """All reads and writes of cases go through one of these."""

    def __init__(self, root: Path | str, *, lock_timeout: float = 10.0, clock: Callable[[], datetime] = now_utc):
        self.root = Path(root).expanduser()
        self.clock = clock
        self.notices: list[str] = []  # what the user should be told on opening (shown by the app)
        self.cases_dir = self.root / "cases"
        self.index_dir = self.root / "index"
        self._lock = FileLock(str(self.root / ".lock"), timeout=lock_timeout, mode=0o600)
        self._index: dict[str, CaseSummary] = {}
        self._members: dict[int, set[str]] = {}  # shard -> the case ids in it
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
            self.refresh()
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

    # --- the index -----------------------------------------------------------------------------

    def _shard_of(self, case_id: str) -> int:
        return zlib.crc32(case_id.encode()) % SHARDS

    def _shard_path(self, shard: int) -> Path:
        return self.index_dir / f"{shard:02x}.json"

    def _read_shard(self, shard: int) -> dict[str, CaseSummary]:
        try:
            data = AtomicJSONStorage(self._shard_path(shard), keep_previous=False).read() or {}
        except StoreError as exc:
            # The index is a cache: a damaged shard is remade from the case files. One that is not a
            # file at all cannot be replaced, so the user is told (the case list still works).
            if not isinstance(exc, StoreCorruptError) or "is not a file" in exc.problem:
                self.notices.append(f"{exc} The case list is made from the case files instead.")
            return {}
        entries = data.get("index", {})
        if data.get("version") != SUMMARY_VERSION or not isinstance(entries, dict):
            return {}  # made by another version: remade from the case files
        found: dict[str, CaseSummary] = {}
        for cid, raw in entries.items():
            try:
                found[cid] = CaseSummary.model_validate(raw)
            except ValidationError:
                continue  # remade from its case file
        return found

    def _put(self, case_id: str, summary: CaseSummary) -> int:
        shard = self._shard_of(case_id)
        self._index[case_id] = summary
        self._members.setdefault(shard, set()).add(case_id)
        return shard

    def _drop(self, case_id: str) -> int:
        shard = self._shard_of(case_id)
        self._index.pop(case_id, None)
        self._members.get(shard, set()).discard(case_id)
        return shard

    def _write_shard(self, shard: int) -> None:
        # Only this shard's members: a save costs the same with 100 cases or 100,000.
        entries = {cid: self._index[cid].model_dump(mode="json") for cid in self._members.get(shard, ())}
        # Not fsynced: if a crash loses it, refresh() notices the mismatch and remakes it.
        AtomicJSONStorage(self._shard_path(shard), durable=False, keep_previous=False).write(
            {"version": SUMMARY_VERSION, "index": entries}
        )

    def refresh(self) -> None:
        """Bring the index up to date with the case files (after a crash or another instance's saves)."""
        if not self._index:
            for shard in range(SHARDS):
                for case_id, summary in self._read_shard(shard).items():
                    self._put(case_id, summary)
        seen: set[str] = set()
        dirty: set[int] = set()
        backups: set[str] = set()
        entries = list(os.scandir(self.cases_dir)) if self.cases_dir.is_dir() else []
        for entry in entries:
            name = entry.name
            if name.endswith(".json.bak") and not name.startswith("."):
                backups.add(name[: -len(".json.bak")])
            if not name.endswith(".json") or name.startswith("."):
                continue
            case_id = name[: -len(".json")]
            seen.add(case_id)
            try:
                st = entry.stat()
            except OSError:  # a link to nothing: refused by load, named
                st = entry.stat(follow_symlinks=False)
            known = self._index.get(case_id)
            if known and known.file_mtime_ns == st.st_mtime_ns and known.file_size == st.st_size:
                continue
            dirty.add(self._put(case_id, self._summary_from_file(case_id, st)))
        for case_id in backups - seen:  # the case file was deleted, its last good copy was not
            seen.add(case_id)
            missing = CaseSummary.damaged_file(case_id, missing_message(case_id))
            if self._index.get(case_id) != missing:
                dirty.add(self._put(case_id, missing))
        for case_id in [c for c in self._index if c not in seen]:
            dirty.add(self._drop(case_id))
        for shard in dirty if not self.read_only else ():
            try:
                self._write_shard(shard)
            except atomic.WriteFailed:
                pass  # the index is remade next time

    def _summary_from_file(self, case_id: str, st: os.stat_result) -> CaseSummary:
        try:
            summary = summarise(self.load(case_id))
        except StoreError as exc:
            summary = CaseSummary.damaged_file(case_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - one case that cannot be summed up never stops the rest
            summary = CaseSummary.damaged_file(
                case_id, f"{self.case_path(case_id)} cannot be shown ({type(exc).__name__}). It has not been changed."
            )
        return summary.model_copy(update={"file_mtime_ns": st.st_mtime_ns, "file_size": st.st_size})

    def summaries(self) -> list[CaseSummary]:
        return list(self._index.values())

    def summary(self, case_id: str) -> CaseSummary | None:
        return self._index.get(case_id)

    def __len__(self) -> int:
        return len(self._index)

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
        path = self.case_path(case_id)
        if not os.path.lexists(path):
            if backup_of(path).exists():
                raise StoreError(missing_message(case_id))
            raise StoreError(f"Case {case_id} is not in this store.")
        try:
            return read_case(path, case_id)
        except StoreCorruptError as exc:
            raise check_backup(exc, case_id) from None

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
        st = path.stat()
        summary = summarise(case).model_copy(update={"file_mtime_ns": st.st_mtime_ns, "file_size": st.st_size})
        try:
            self._write_shard(self._put(case.id, summary))
        except atomic.WriteFailed:
            pass  # the case itself is saved; the index is remade on next open

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

    def create_many(self, cases: list[Case]) -> None:
        """Seed many cases: each case file durable, the index shards written once at the end."""
        with self.locked():
            for case in cases:
                path = self.case_path(case.id)
                if os.path.lexists(path):
                    raise StoreError(f"A case {case.id} already exists.")
                with self._db(case.id) as db:
                    # Control codes never reach the disk (as in _write_case); clean text is unchanged.
                    db.table(CASE_TABLE).insert(Document(without_controls(case.model_dump(mode="json")), doc_id=1))
                st = path.stat()
                self._put(
                    case.id,
                    summarise(case).model_copy(update={"file_mtime_ns": st.st_mtime_ns, "file_size": st.st_size}),
                )
            for shard in {self._shard_of(c.id) for c in cases}:
                self._write_shard(shard)

    def replace_all(self, cases: list[Case]) -> None:
        """Hold exactly ``cases`` (training resets): every case file, last good copy and index shard goes,
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
                for directory, endings in ((self.cases_dir, (".json", ".json.bak")), (self.index_dir, (".json",))):
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
            if base_rev is not None and current.rev != base_rev and sets:
                theirs = [h for h in current.history if h.rev > base_rev and h.field in sets]
                if theirs:
                    last = theirs[-1]
                    raise ConflictError([h.field for h in theirs], last.by, last.at)
            stale = [path for path, shown in (expect or {}).items() if current.value_at(path) != shown]
            if stale:
                by_them = [h for h in current.history if h.field in stale]
                latest = by_them[-1] if by_them else None
                raise ConflictError(stale, latest.by if latest else None, latest.at if latest else None)
            now = self.clock()
            if start_step and current.steps[start_step].status is StepStatus.NOT_STARTED:
                sets = {**status_sets(start_step, StepStatus.IN_PROGRESS, by, now), **(sets or {})}
            try:
                updated, changed = apply(current, by, now, sets=sets, appends=appends)
            except EditError as exc:
                raise StoreError(str(exc)) from None
            if changed:
                self._write_case(updated)
            return updated

    def victim_cases(self, victim_number: str, staff_no: str = "") -> list[CaseSummary]:
        """Every case of this victim (see ``summary.victim_cases``), oldest first."""
        return victim_cases(self.summaries(), victim_number, staff_no)

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
