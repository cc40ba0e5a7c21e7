"""Copying every case, with its history, from one store to another: ``ophamp store copy``.

Either store may be a TinyDB folder or a PostgreSQL database (``paths.is_database_url``); only the
``CaseStore`` interface is used. The source is read a batch at a time (``BATCH`` cases), never all
its cases at once; each batch of new cases is written with one ``create_many`` (one transaction in
PostgreSQL). A case is copied as it is: its revision, its history and its times, not the time of
the copy.

Run again, it carries on: a case the target already holds the same (history included) is left
alone; one the target holds as an earlier version of it (``edits.is_earlier_version``: the source
moved on since an earlier copy) is brought up to date only when asked (``update_older``); any
other difference is a conflict, reported and never overwritten. A copy stopped part way (the
process killed, the database gone) leaves whole cases only, so running it again finishes the job
without duplicates.

Then every case is checked in the target, opened afresh: there, and the same as what was read
from the source (a digest of the whole case, history included, is kept per case rather than the
case). What is reported names case references and counts, never a value from a case.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from .edits import is_earlier_version
from .errors import StoreBusyError, StoreError
from .models import Case
from .open_store import open_store
from .paths import demo_store, is_database_url
from .scenarios import is_training_store
from .store_api import CaseStore

__all__ = [
    "BATCH",
    "CopyRefused",
    "CopyReport",
    "check_names",
    "close",
    "copy_cases",
    "fingerprint",
    "open_source",
    "open_target",
    "verify_copy",
]

BATCH = 500  # cases read and written at a time
SHOWN = 10  # case references listed in the report for each kind of problem

Progress = Callable[[str, int, int], None]  # (what: "copying" or "checking", done, total)


class CopyRefused(StoreError):
    """The copy was not started, or not finished: the message (one line) says what to fix."""


def fingerprint(case: Case) -> bytes:
    """A digest of the whole case, history included: the same case in any store has the same one."""
    text = json.dumps(case.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).digest()


@dataclass
class CopyReport:
    """What a copy did, in counts and case references (nothing from inside a case)."""

    source: str  # where, as ``CaseStore.location`` says it (never a password)
    target: str
    in_source: int = 0
    target_before: int = 0  # cases the target held before the copy
    others_in_target: int = 0  # of those, cases the source does not hold: kept (the copy merges)
    copied: int = 0
    already_there: int = 0  # held the same in the target: left alone
    brought_up_to_date: int = 0  # held as an earlier version, replaced by the source's (``update_older``)
    older: list[str] = field(default_factory=list)  # held as an earlier version, left as it was
    conflicts: list[str] = field(default_factory=list)  # held differently (changed in the target too): left
    unreadable: list[str] = field(default_factory=list)  # could not be read in the source: not copied
    verified: int = 0  # checked in the target afterwards: the same as read from the source
    mismatched: list[str] = field(default_factory=list)  # should be the same in the target and are not
    target_after: int = 0
    checked: bool = False  # verify_copy has run
    digests: dict[str, bytes] = field(default_factory=dict, repr=False)  # case id -> fingerprint, as read

    @property
    def ok(self) -> bool:
        """Every case of the source is in the target, the same, and it was checked."""
        return self.checked and not (self.older or self.conflicts or self.unreadable or self.mismatched)


# --- naming and opening the two stores ------------------------------------------------------------------


def _is_training(name: str) -> bool:
    path = Path(name).expanduser()
    try:
        return path.resolve() == demo_store().resolve() or is_training_store(path)
    except OSError:
        return False


def _same(source: str, target: str) -> bool:
    if is_database_url(source) != is_database_url(target):
        return False
    if is_database_url(source):

        def key(url: str) -> tuple[str, str, str]:
            try:
                params = conninfo_to_dict(url)
            except Exception:  # noqa: BLE001 - unreadable: PgStore says so when it opens it
                return (url, "", "")
            return (str(params.get("host") or ""), str(params.get("port") or ""), str(params.get("dbname") or ""))

        return key(source) == key(target)
    a, b = Path(source).expanduser(), Path(target).expanduser()
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_names(source: str | None, target: str | None) -> tuple[str, str]:
    """The two stores named on the command line, if a copy between them makes sense (``CopyRefused``
    saying what to fix if not). Nothing is opened or made here."""
    source, target = (source or "").strip(), (target or "").strip()
    if not source:
        raise CopyRefused("say which store to copy from: --from FOLDER or --from postgresql://...")
    if not target:
        raise CopyRefused("say which store to copy to: --to FOLDER or --to postgresql://...")
    if _same(source, target):
        raise CopyRefused("--from and --to name the same store: nothing to copy. Give --to another folder or database.")
    for name, flag in ((source, "--from"), (target, "--to")):
        if not is_database_url(name) and _is_training(name):
            raise CopyRefused(
                f"{flag} names the training store ({Path(name).expanduser()}): training keeps its own fictional "
                "cases and never shares them with another store (ophamp demo --reset remakes it). Nothing was copied."
            )
    if not is_database_url(source):
        path = Path(source).expanduser()
        if not path.exists():
            raise CopyRefused(f"there is no store at {path}: check --from. Nothing was copied.")
        if not (path / "cases").is_dir():
            raise CopyRefused(
                f"{path} is not an ophamp store (it has no cases folder): check --from. Nothing was copied."
            )
    return source, target


def _open(name: str) -> CaseStore:
    return open_store(name if is_database_url(name) else Path(name).expanduser())


def open_source(name: str) -> CaseStore:
    """The store to copy from (``CopyRefused`` if it holds no case: a wrong name, most likely)."""
    store = _open(name)
    if len(store) == 0:
        close(store)
        raise CopyRefused(f"{store.location} holds no cases: nothing to copy. Check --from.")
    return store


def open_target(name: str) -> CaseStore:
    """The store to copy to (made if it is a new folder; the tables made in an empty database)."""
    store = _open(name)
    if store.read_only:
        where = store.location
        close(store)
        raise CopyRefused(f"{where} is read-only for you: nothing can be copied into it. Nothing was copied.")
    return store


def close(store: CaseStore) -> None:
    """Close a store's connection, if it has one (a PostgreSQL store)."""
    closer = getattr(store, "close", None)
    if callable(closer):
        closer()


# --- the copy ----------------------------------------------------------------------------------------


def _batches(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _against_held(dst: CaseStore, case: Case, digest: bytes, report: CopyReport, update_older: bool) -> None:
    """The target holds a case under this reference already: the same, an earlier version, or a conflict."""
    try:
        held = dst.load(case.id)
    except StoreBusyError:
        raise
    except StoreError:  # damaged in the target: never overwritten
        report.conflicts.append(case.id)
        return
    if fingerprint(held) == digest:
        report.already_there += 1
    elif is_earlier_version(held, case):
        if not update_older:
            report.older.append(case.id)
            return
        try:
            dst.replace_with_later(case)
        except StoreBusyError:
            raise
        except StoreError:
            if dst.read_only:
                raise
            report.conflicts.append(case.id)  # changed in the target since it was read
            return
        report.brought_up_to_date += 1
    else:
        report.conflicts.append(case.id)


def _create(
    dst: CaseStore, cases: list[Case], digests: dict[str, bytes], report: CopyReport, update_older: bool
) -> None:
    try:
        dst.create_many(cases)
    except StoreBusyError:
        raise
    except StoreError:
        # Someone made one of these cases in the target meanwhile (or part of the batch was written before
        # a failure): one at a time, each judged against what the target holds now.
        for case in cases:
            if case.id in dst:
                _against_held(dst, case, digests[case.id], report, update_older)
            else:
                dst.create(case)
                report.copied += 1
        return
    report.copied += len(cases)


def copy_cases(
    src: CaseStore,
    dst: CaseStore,
    *,
    batch: int = BATCH,
    update_older: bool = False,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every case of ``src`` that ``dst`` lacks, ``batch`` at a time (see the module's docstring).
    ``progress("copying", done, total)`` after each batch. ``StoreError`` (nothing more copied; what was
    copied is kept, and running it again carries on) if a store fails part way."""
    report = CopyReport(source=src.location, target=dst.location)
    ids = src.case_ids()
    held = set(dst.case_ids())
    report.in_source = len(ids)
    report.target_before = len(held)
    report.others_in_target = len(held - set(ids))
    done = 0
    for chunk in _batches(ids, max(1, batch)):
        new: list[Case] = []
        for case_id in chunk:
            try:
                case = src.load(case_id)
            except StoreBusyError:
                raise
            except StoreError:  # damaged in the source: named in the report, not copied
                report.unreadable.append(case_id)
                continue
            digest = report.digests[case_id] = fingerprint(case)
            if case_id in held:
                _against_held(dst, case, digest, report, update_older)
            else:
                new.append(case)
        if new:
            _create(dst, new, report.digests, report, update_older)
        done += len(chunk)
        if progress is not None:
            progress("copying", done, len(ids))
    return report


def verify_copy(report: CopyReport, dst: CaseStore, *, batch: int = BATCH, progress: Progress | None = None) -> None:
    """Check in ``dst`` (best opened afresh, as another ophamp would see it) that every case copied, already
    there or brought up to date is there and the same as was read from the source, history included.
    Cases reported as conflicts or older are known to differ and are not counted again."""
    dst.refresh()
    held = set(dst.case_ids())
    report.target_after = len(held)
    known = set(report.conflicts) | set(report.older)
    expected = [case_id for case_id in report.digests if case_id not in known]
    done = 0
    for chunk in _batches(expected, max(1, batch)):
        for case_id in chunk:
            if case_id not in held and case_id not in dst:
                report.mismatched.append(case_id)
                continue
            try:
                same = fingerprint(dst.load(case_id)) == report.digests[case_id]
            except StoreBusyError:
                raise
            except StoreError:
                same = False
            if same:
                report.verified += 1
            else:
                report.mismatched.append(case_id)
        done += len(chunk)
        if progress is not None:
            progress("checking", done, len(expected))
    report.checked = True


# --- what the user is told ------------------------------------------------------------------------------


def _some(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN:,} more" if len(ids) > SHOWN else "")


def describe(report: CopyReport, *, update_older: bool = False) -> list[str]:
    """The report, one screen: counts, the references of cases with a problem, and what to do."""
    width = 36
    lines = [
        f"From: {report.source}",
        f"To:   {report.target}",
        "",
        f"{'cases in the source':<{width}}{report.in_source:>9,}",
        f"{'copied':<{width}}{report.copied:>9,}",
        f"{'already there, the same':<{width}}{report.already_there:>9,}",
    ]
    if update_older or report.brought_up_to_date:
        lines.append(f"{'brought up to date (--update-older)':<{width}}{report.brought_up_to_date:>9,}")
    rows = [
        ("older in the target, not replaced", report.older),
        ("conflicts, not overwritten", report.conflicts),
        ("could not be read in the source", report.unreadable),
    ]
    for label, ids in rows:
        lines.append(f"{label:<{width}}{len(ids):>9,}" + (f"   {_some(ids)}" if ids else ""))
    if report.checked:
        lines.append(
            f"{'verified in the target':<{width}}{report.verified:>9,}   the same as the source, history included"
        )
        lines.append(
            f"{'different in the target after copy':<{width}}{len(report.mismatched):>9,}"
            + (f"   {_some(report.mismatched)}" if report.mismatched else "")
        )
        lines.append(f"{'cases in the target now':<{width}}{report.target_after:>9,}")
    lines.append("")
    if report.others_in_target:
        lines.append(
            f"The target already held {report.others_in_target:,} other case(s), not in the source: "
            "kept as they were; the copy was merged in."
        )
    if report.older:
        lines.append(
            "Older: the target holds an earlier version of these (the source changed since an earlier copy). "
            "Run again with --update-older to bring them up to date; nothing in the target is lost."
        )
    if report.conflicts:
        lines.append(
            "Conflicts: the target holds these cases differently (changed there too, or damaged). They were not "
            "overwritten: open each in both stores and decide which is right before copying again."
        )
    if report.unreadable:
        lines.append("Unreadable: open the source in ophamp to see why each cannot be read; they were not copied.")
    if report.mismatched:
        lines.append(
            "DIFFERENT AFTER COPY: these cases are missing or not the same in the target. Check the target "
            "and run the same command again."
        )
    lines.append(
        "Done: every case of the source is in the target, the same, history included."
        if report.ok
        else "NOT COMPLETE: see above. Running the same command again copies nothing twice."
    )
    return lines
