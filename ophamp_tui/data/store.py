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
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from . import atomic
from .clock import fmt_local, now_utc
from .edits import EditError, apply, status_sets
from .migrate import SchemaError, upgrade
from .models import SCHEMA_VERSION, Actor, Case, LogEntry, StepStatus
from .summary import SUMMARY_VERSION, CaseSummary, summarise, victim_cases
from .text import without_controls

STORE_FORMAT = "ophamp-store"
SHARDS = 64
CASE_TABLE = "case"


class StoreError(Exception):
    """Something about the store the user must be told; the message says what to do."""


class StoreCorruptError(StoreError):
    def __init__(self, path: Path, problem: str):
        self.path = path
        self.problem = problem
        backup = path.with_name(path.name + ".bak")
        hint = (
            f" The last good copy is {backup}: close ophamp, then copy it over the damaged file to recover."
            if backup.exists()
            else " No earlier copy exists; restore it from your backups."
        )
        super().__init__(f"{path} {problem}. It has not been changed.{hint}")


class StoreBusyError(StoreError):
    pass


class ConflictError(StoreError):
    """Someone else changed the same field since this user was shown it."""

    def __init__(self, fields: list[str], by: Actor | None, at: datetime | None):
        self.fields = fields
        who = f"{by.short()} changed this at {fmt_local(at)}" if by and at else "Someone else changed this"
        super().__init__(
            f"{who} while you had it open. "
            "Your change was not saved; the case has been reloaded: check it and enter it again."
        )


class AtomicJSONStorage(Storage):
    """TinyDB storage that refuses damaged files and replaces whole files atomically."""

    def __init__(self, path: str | Path, *, durable: bool = True, keep_previous: bool = True):
        self.path = Path(path)
        self.durable = durable
        self.backup = self.path.with_name(self.path.name + ".bak") if keep_previous else None

    def read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"Cannot read {self.path}: {exc.strerror}.") from None
        if not raw.strip():
            raise StoreCorruptError(self.path, "is empty")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise StoreCorruptError(self.path, "is damaged (not complete JSON)") from None
        if not isinstance(data, dict):
            raise StoreCorruptError(self.path, "is not an ophamp file")
        return data

    def write(self, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        atomic.atomic_write(self.path, payload, durable=self.durable, keep_previous=self.backup)


class Store:
    """All reads and writes of cases go through one of these."""

    def __init__(self, root: Path | str, *, lock_timeout: float = 10.0, clock: Callable[[], datetime] = now_utc):
        self.root = Path(root).expanduser()
        self.clock = clock
        self._open_root()
        self.cases_dir = self.root / "cases"
        self.index_dir = self.root / "index"
        for d in (self.cases_dir, self.index_dir):
            atomic.make_private_dir(d)
            atomic.remove_stale_temps(d)
        self._lock = FileLock(str(self.root / ".lock"), timeout=lock_timeout, mode=0o600)
        self._index: dict[str, CaseSummary] = {}
        self._members: dict[int, set[str]] = {}  # shard -> the case ids in it
        self.refresh()

    # --- opening -------------------------------------------------------------------------------

    def _open_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root} is a file, not a store directory. Give --store a directory.")
        meta_path = self.root / "store.json"
        # Refuse someone else's directory before touching it (make_private_dir would chmod it).
        if self.root.is_dir() and not meta_path.exists() and any(
            not p.name.startswith(".") for p in self.root.iterdir()
        ):
            raise StoreError(
                f"{self.root} is not empty and is not an ophamp store. Choose an empty or new directory."
            )
        try:
            atomic.make_private_dir(self.root)
        except OSError as exc:
            raise StoreError(f"Cannot create the store at {self.root}: {exc.strerror}.") from None
        if meta_path.exists():
            meta = AtomicJSONStorage(meta_path, keep_previous=False).read() or {}
            if meta.get("format") != STORE_FORMAT:
                raise StoreCorruptError(meta_path, "is not an ophamp store description")
            schema = meta.get("schema")
            if not isinstance(schema, int) or schema > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.root} was written by a newer ophamp (schema {schema}). Update ophamp to open it."
                )
            return
        if any(not p.name.startswith(".") for p in self.root.iterdir()):
            raise StoreError(
                f"{self.root} is not empty and is not an ophamp store. Choose an empty or new directory."
            )
        meta = {"format": STORE_FORMAT, "schema": SCHEMA_VERSION, "created": now_utc().isoformat()}
        AtomicJSONStorage(meta_path, keep_previous=False).write(meta)

    # --- the index -----------------------------------------------------------------------------

    def _shard_of(self, case_id: str) -> int:
        return zlib.crc32(case_id.encode()) % SHARDS

    def _shard_path(self, shard: int) -> Path:
        return self.index_dir / f"{shard:02x}.json"

    def _read_shard(self, shard: int) -> dict[str, CaseSummary]:
        try:
            data = AtomicJSONStorage(self._shard_path(shard), keep_previous=False).read() or {}
        except StoreCorruptError:
            return {}  # the index is a cache: a damaged shard is remade from the case files
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
            {"version": SUMMARY_VERSION, "index": entries})

    def refresh(self) -> None:
        """Bring the index up to date with the case files (after a crash or another instance's saves)."""
        if not self._index:
            for shard in range(SHARDS):
                for case_id, summary in self._read_shard(shard).items():
                    self._put(case_id, summary)
        seen: set[str] = set()
        dirty: set[int] = set()
        for entry in os.scandir(self.cases_dir):
            name = entry.name
            if not name.endswith(".json") or name.startswith("."):
                continue
            case_id = name[: -len(".json")]
            seen.add(case_id)
            st = entry.stat()
            known = self._index.get(case_id)
            if known and known.file_mtime_ns == st.st_mtime_ns and known.file_size == st.st_size:
                continue
            dirty.add(self._put(case_id, self._summary_from_file(case_id, st)))
        for case_id in [c for c in self._index if c not in seen]:
            dirty.add(self._drop(case_id))
        for shard in dirty:
            try:
                self._write_shard(shard)
            except atomic.WriteFailed:
                pass  # a read-only store can still be read; the index is remade next time

    def _summary_from_file(self, case_id: str, st: os.stat_result) -> CaseSummary:
        try:
            summary = summarise(self.load(case_id))
        except StoreError as exc:
            summary = CaseSummary.damaged_file(case_id, str(exc))
        return summary.model_copy(update={"file_mtime_ns": st.st_mtime_ns, "file_size": st.st_size})

    def summaries(self) -> list[CaseSummary]:
        return list(self._index.values())

    def summary(self, case_id: str) -> CaseSummary | None:
        return self._index.get(case_id)

    def __len__(self) -> int:
        return len(self._index)

    # --- cases ---------------------------------------------------------------------------------

    def case_path(self, case_id: str) -> Path:
        if not case_id or "/" in case_id or case_id.startswith("."):
            raise StoreError(f"{case_id!r} is not a case reference.")
        return self.cases_dir / f"{case_id}.json"

    def _db(self, case_id: str) -> TinyDB:
        return TinyDB(self.case_path(case_id), storage=AtomicJSONStorage)

    def load(self, case_id: str) -> Case:
        path = self.case_path(case_id)
        if not path.exists():
            raise StoreError(f"Case {case_id} is not in this store.")
        with self._db(case_id) as db:
            doc = db.table(CASE_TABLE).get(doc_id=1)
        if doc is None:
            raise StoreCorruptError(path, "holds no case")
        try:
            record, _ = upgrade(dict(doc))
            # A file written by hand or by another tool may hold terminal control codes: never show them.
            return Case.model_validate(without_controls(record))
        except SchemaError as exc:
            if "newer ophamp" in str(exc):  # not damaged: made by a newer version
                raise StoreError(f"{path} {exc}. It has not been changed.") from None
            raise StoreCorruptError(path, str(exc)) from None
        except ValidationError as exc:
            where = ".".join(str(p) for p in exc.errors()[0].get("loc", ()))
            raise StoreCorruptError(path, f"does not hold a valid case (problem at {where})") from None

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
        wait = self._lock.timeout if timeout is None else timeout
        try:
            self._lock.acquire(timeout=wait)
        except Timeout:
            raise StoreBusyError(
                f"Another ophamp has been saving to {self.root} for {wait:.0f} s. "
                "Nothing was saved: try again, and if it keeps happening close the other ophamp."
            ) from None

    def create(self, case: Case) -> Case:
        self._acquire()
        try:
            if self.case_path(case.id).exists():
                raise StoreError(f"A case {case.id} already exists.")
            self._write_case(case)
        finally:
            self._lock.release()
        return case

    def create_many(self, cases: list[Case]) -> None:
        """Seed many cases: each case file durable, the index shards written once at the end."""
        self._acquire()
        try:
            for case in cases:
                path = self.case_path(case.id)
                if path.exists():
                    raise StoreError(f"A case {case.id} already exists.")
                with self._db(case.id) as db:
                    db.table(CASE_TABLE).insert(Document(case.model_dump(mode="json"), doc_id=1))
                st = path.stat()
                self._put(case.id, summarise(case).model_copy(
                    update={"file_mtime_ns": st.st_mtime_ns, "file_size": st.st_size}))
            for shard in {self._shard_of(c.id) for c in cases}:
                self._write_shard(shard)
        finally:
            self._lock.release()

    def update(
        self,
        case_id: str,
        by: Actor,
        *,
        sets: dict[str, Any] | None = None,
        appends: dict[str, LogEntry | dict] | None = None,
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
        self._acquire(wait)
        try:
            current = self.load(case_id)
            if base_rev is not None and current.rev != base_rev and sets:
                theirs = [h for h in current.history if h.rev > base_rev and h.field in sets]
                if theirs:
                    last = theirs[-1]
                    raise ConflictError([h.field for h in theirs], last.by, last.at)
            stale = [path for path, shown in (expect or {}).items() if current.value_at(path) != shown]
            if stale:
                theirs = [h for h in current.history if h.field in stale]
                last = theirs[-1] if theirs else None
                raise ConflictError(stale, last.by if last else None, last.at if last else None)
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
        finally:
            self._lock.release()

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
        path = self._draft_path(owner)
        atomic.make_private_dir(path.parent)
        payload = json.dumps(without_controls(draft), ensure_ascii=False).encode("utf-8")
        try:
            atomic.atomic_write(path, payload)
        except atomic.WriteFailed as exc:
            raise StoreError(str(exc)) from None

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
        except FileNotFoundError:
            pass

