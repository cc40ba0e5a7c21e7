"""The store's summary index on disk: one compact snapshot plus an append-only journal.

Layout (in the store's ``index/`` folder)::

    summaries.jsonl   the snapshot: a header line, then one line per case
    journal.jsonl     one line per save since the snapshot was written (appended, never rewritten)

Every case line is a JSON array ``[id, file_size, <the other CaseSummary fields in ROW order>]``,
and ``[id, null]`` in the journal says the case is gone. A later line for a case replaces an
earlier one. A save appends one line to the journal (its cost does not depend on how many cases
the store holds); the journal is folded into a new snapshot when it has grown long, at open or
(rarely, past ``JOURNAL_HARD_LIMIT`` lines) during a save.

The index is a cache: every line is checked against the case file's name and size before it is
trusted (see ``store.Store.rebuild``), never against its mtime, so copying a store (``cp -r``) or
touching its files does not make the index stale. A case file changed by ophamp always grows
(every change appends to its history), so a case file whose size differs from the line's was
changed behind the index's back, or by a save that crashed before its journal line was written,
and is summed up again.

Lines are kept as bytes and parsed only when a summary is first asked for (then the summary is kept
with its line), so opening a store of 100,000 cases reads one file and splits it, and holds about
0.4 KB a case; each summary built adds about 1.2 KB (a slotted dataclass, not a pydantic model).
This module does not know about case files or locks; ``store`` does.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import atomic
from .store_files import read_file
from .summary import SUMMARY_VERSION, CaseSummary, DueSummary

SNAPSHOT = "summaries.jsonl"
JOURNAL = "journal.jsonl"
INDEX_FORMAT = "ophamp-index"
# The order of a case line: id and file size first (read without parsing the line), then the rest.
ROW: tuple[str, ...] = (
    "id",
    "file_size",
    "victim_number",
    "victim_staff_no",
    "rev",
    "damaged",
    "victim_name",
    "occurred_at",
    "offence",
    "injury",
    "hate",
    "enhanced",
    "done",
    "total",
    "next_step",
    "complete",
    "closed",
    "awaiting_review",
    "suspect_status",
    "suspect_since",
    "outcome",
    "dues",
    "people",
    "linked",
    "fictional",
    "context",
    "location_type",
    "victim_role",
    "vrr_requested",
    "vrr_result",
    "welfare_at",
    "ready_at",
    "on_time",
    "late",
)
assert set(ROW) | {"file_mtime_ns"} == set(CaseSummary.model_fields)
JOURNAL_HARD_LIMIT = 50_000  # lines: past this a save folds the journal into the snapshot itself


def encode(summary: CaseSummary) -> bytes:
    """One case line (no newline)."""
    data = summary.model_dump(mode="json")
    data["dues"] = [[d["what"], d["due_at"], d["step"], d["end_of_day"]] for d in data["dues"]]  # compact
    return json.dumps([data[f] for f in ROW], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def gone_line(case_id: str) -> bytes:
    return json.dumps([case_id, None], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(line: bytes, case_id: str | None = None) -> CaseSummary | None:
    """The summary in a case line (of case ``case_id`` if given); None if the line is damaged, not a
    case line, or another case's. Types are checked; text from a small vocabulary is shared."""
    try:
        row = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if type(row) is not list or len(row) != len(ROW):
        return None
    (cid, size, vnum, vstaff, rev, damaged, name, occurred, offence, injury, hate, enhanced, done, total, nxt,
     complete, closed, review, s_status, since, outcome, dues, people, linked, fictional,
     context, location_type, role, vrr_req, vrr_res, welfare_at, ready_at, on_time, late) = row  # fmt: skip
    if (
        type(cid) is not str
        or (case_id is not None and cid != case_id)
        or not (type(size) is type(rev) is type(done) is type(total) is int)
        or not (type(vnum) is type(vstaff) is type(damaged) is type(name) is str)
        or not (type(offence) is type(injury) is type(nxt) is type(s_status) is type(outcome) is str)
        or not (type(context) is type(location_type) is type(role) is type(vrr_req) is type(vrr_res) is str)
        or not (type(on_time) is type(late) is list)
        or not all(type(x) is str for x in (*on_time, *late))
        or not (type(hate) is type(complete) is type(closed) is type(review) is type(fictional) is bool)
        or not (type(enhanced) is type(dues) is type(people) is type(linked) is list)
        or not all(type(x) is str for x in (*enhanced, *people, *linked))
    ):
        return None
    try:
        due_list = [
            DueSummary(intern(what), _when(at), intern(step), eod)
            for what, at, step, eod in dues
            if type(what) is type(step) is str and type(eod) is bool
        ]
        if len(due_list) != len(dues):
            return None
        return CaseSummary(
            cid,
            rev,
            damaged,
            name,
            vnum,
            vstaff,
            None if occurred is None else _when(occurred),
            intern(offence),
            intern(injury),
            hate,
            [intern(x) for x in enhanced],
            done,
            total,
            intern(nxt),
            complete,
            closed,
            review,
            intern(s_status),
            None if since is None else _when(since),
            intern(outcome),
            due_list,
            people,
            linked,
            fictional,
            0,
            size,
            intern(context),
            intern(location_type),
            intern(role),
            intern(vrr_req),
            intern(vrr_res),
            None if welfare_at is None else _when(welfare_at),
            None if ready_at is None else _when(ready_at),
            [intern(x) for x in on_time],
            [intern(x) for x in late],
        )
    except (TypeError, ValueError):  # a date that is not one, a due that is not four values
        return None


intern = sys.intern


def _when(value: object) -> datetime:
    if type(value) is not str:
        raise ValueError("not a date")
    when = datetime.fromisoformat(value)
    if when.tzinfo is None or when.utcoffset():
        raise ValueError("not in UTC")  # every time in a summary is written in UTC
    return when.replace(tzinfo=UTC) if when.tzinfo is not UTC else when


def _id_and_size(line: bytes) -> tuple[str, int | None] | None:
    """The id and file size at the start of a case line, without parsing the rest (None if damaged).
    A size of None means the journal says the case is gone."""
    if line.startswith(b'["'):
        end = line.find(b'",', 2)
        comma = line.find(b",", end + 2) if end > 0 else -1
        if end > 0 and comma > 0 and b"\\" not in line[2:end]:
            try:
                size_text = line[end + 2 : comma]
                return line[2:end].decode("utf-8"), int(size_text)
            except (UnicodeDecodeError, ValueError):
                pass
    # An id with escapes in it, or a journal line saying the case is gone: parse it properly.
    try:
        row = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(row, list) or len(row) < 2 or not isinstance(row[0], str) or not row[0]:
        return None
    if row[1] is None and len(row) == 2:
        return row[0], None
    if isinstance(row[1], int) and not isinstance(row[1], bool) and len(row) == len(ROW):
        return row[0], row[1]
    return None


class SummaryIndex:
    """The index of one store: ``lines`` (case id -> its case line) and the files behind it."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.snapshot = directory / SNAPSHOT
        self.journal = directory / JOURNAL
        self.lines: dict[str, bytes] = {}
        self.sizes: dict[str, int] = {}  # case id -> the case file size its line was made from
        self.built: dict[str, tuple[bytes, CaseSummary]] = {}  # summaries built so far, with their line
        self.found_snapshot = False  # a snapshot of this version was read
        self.problems: list[str] = []  # what could not be read (for the store's notices)
        self._journal_at: tuple[int, int] = (0, 0)  # (inode, bytes read) of the journal
        self.journal_lines = 0
        self.lines_written = 0  # case lines written by this object (snapshot and journal): for tests
        # Every summary in ``lines`` order, kept between calls of ``all_summaries`` (see there).
        self._all: list[CaseSummary] = []
        self._place: dict[str, int] | None = None  # case id -> its place in ``_all`` (made when needed)
        self._kept_at = -1  # the ``_shape`` that ``_all`` was made for
        self._shape = 0  # goes up when a case is added or dropped or the index is read again
        self._touched: set[str] = set()  # ids whose line was replaced since ``_all`` was made
        self._mark = threading.Lock()  # for ``_shape`` and ``_touched`` (a refresh runs in a thread)

    # --- reading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the snapshot and the journal (consistently, even if another ophamp folds the journal
        into the snapshot meanwhile: then they are read again)."""
        for _ in range(5):
            before = self._journal_id()
            self.lines, self.sizes, self.problems, self.built = {}, {}, [], {}
            self._reshaped()
            self.found_snapshot = self._read_snapshot()
            self._journal_at = (before, 0)
            self.journal_lines = 0
            self.read_journal()
            if self._journal_id() == before:
                return

    def _journal_id(self) -> int:
        try:
            return os.stat(self.journal).st_ino
        except OSError:
            return 0

    def _read(self, path: Path) -> bytes | None:
        try:
            return read_file(path)
        except atomic.WriteFailed:
            return None
        except Exception as exc:  # noqa: BLE001 - the index is a cache: anything unreadable is remade
            self.problems.append(f"{exc} The case list is made from the case files instead.")
            return None

    def _snapshot_lines(self) -> list[bytes] | None:
        """The snapshot's lines, read 4 MB at a time (never the whole file and its lines at once)."""
        try:
            fd = os.open(self.snapshot, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.problems.append(
                f"Cannot read {self.snapshot}: {exc.strerror}. The case list is made from the case files."
            )
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self.problems.append(
                    f"{self.snapshot} is not a file but a folder or something else. It has not been changed. "
                    "The case list is made from the case files instead."
                )
                return None
            lines: list[bytes] = []
            rest = b""
            while chunk := os.read(fd, 4 << 20):
                parts = (rest + chunk).split(b"\n")
                rest = parts.pop()
                lines.extend(parts)
            if rest:
                lines.append(rest)  # no newline at the end: a torn write (checked below)
            return lines
        except OSError:
            return None
        finally:
            os.close(fd)

    def _read_snapshot(self) -> bool:
        lines = self._snapshot_lines()
        if not lines:
            return False
        try:
            header = json.loads(lines[0])
        except (ValueError, UnicodeDecodeError, RecursionError):
            return False
        if (
            not isinstance(header, dict)
            or header.get("format") != INDEX_FORMAT
            or header.get("version") != SUMMARY_VERSION
            or header.get("row") != list(ROW)
        ):
            return False  # made by another version: remade from the case files
        # The last line lists every id and size in order, so the lines need not be looked at one by one
        # (each is checked against its id when it is read: ``decode``).
        try:
            trailer = json.loads(lines[-1]) if len(lines) > 1 else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            trailer = None
        body = lines[1:-1]
        if (
            isinstance(trailer, dict)
            and isinstance(ids := trailer.get("ids"), list)
            and isinstance(sizes := trailer.get("sizes"), list)
            and len(ids) == len(sizes) == len(body)
            and all(type(i) is str and i for i in ids)
            and all(type(n) is int for n in sizes)
        ):
            self.lines = dict(zip(ids, body, strict=True))
            self.sizes = dict(zip(ids, sizes, strict=True))
            if len(self.lines) == len(body):
                return True
        self.lines, self.sizes = {}, {}
        self._apply(lines[1:])  # no usable list of ids: each line on its own (a damaged one is skipped)
        return True

    def _apply(self, lines: Iterable[bytes]) -> int:
        count = 0
        for line in lines:
            if not line:
                continue
            got = _id_and_size(line)
            if got is None:
                continue  # damaged: that case is checked against its file like any other
            case_id, size = got
            count += 1
            if size is None:
                if self.lines.pop(case_id, None) is not None:
                    self._reshaped()
                self.sizes.pop(case_id, None)
            else:
                self._set(case_id, line)
                self.sizes[case_id] = size
        return count

    def _set(self, case_id: str, line: bytes) -> None:
        """Replace a case's line (noting it for ``all_summaries``)."""
        new = case_id not in self.lines
        self.lines[case_id] = line
        if new:
            self._reshaped()
        else:
            with self._mark:
                self._touched.add(case_id)

    def _reshaped(self) -> None:
        with self._mark:
            self._shape += 1

    def read_journal(self) -> bool:
        """Apply what was appended to the journal since it was last read. False if it was replaced
        (folded into a new snapshot by another ophamp): then ``load`` must be called instead."""
        inode, offset = self._journal_at
        try:
            fd = os.open(self.journal, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return inode == 0 or not self.found_snapshot  # none yet (or never had one)
        try:
            st = os.fstat(fd)
            if inode and st.st_ino != inode:
                return False
            if not (st.st_mode & 0o170000 == 0o100000):
                self.problems.append(f"{self.journal} is not a file. The case list is made from the case files.")
                return True
            if st.st_size < offset:
                return False
            os.lseek(fd, offset, os.SEEK_SET)
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
        except OSError:
            return True
        finally:
            os.close(fd)
        data = b"".join(chunks)
        complete = data.rfind(b"\n") + 1  # a line still being written (or torn by a crash) waits
        self.journal_lines += self._apply(data[:complete].split(b"\n"))
        self._journal_at = (st.st_ino, offset + complete)
        return True

    # --- summaries -----------------------------------------------------------------------------

    # A summary is built from its line the first time it is asked for, then kept with that line (the
    # same bytes object: a line replaced since, by a save or another ophamp's, is built again).

    def summary(self, case_id: str) -> CaseSummary | None:
        line = self.lines.get(case_id)
        return None if line is None else self._built(case_id, line)

    def _built(self, case_id: str, line: bytes) -> CaseSummary | None:
        kept = self.built.get(case_id)
        if kept is not None and kept[0] is line:
            return kept[1]
        summary = decode(line, case_id)
        if summary is not None:
            self.built[case_id] = (line, summary)
        return summary

    def iter_summaries(self) -> Iterator[tuple[str, CaseSummary | None]]:
        for case_id, line in list(self.lines.items()):
            yield case_id, self._built(case_id, line)

    def all_summaries(self, remake: Callable[[str], CaseSummary]) -> list[CaseSummary]:
        """Every summary in ``lines`` order (``remake`` sums up a case whose line cannot be read). The list
        is kept: when no case was added or dropped since the last call, only the places of the cases
        whose line was replaced are looked at again, so asking again costs a copy of the list, not a
        look at every line (about 0.3 ms against 140 ms at 100,000 cases)."""
        with self._mark:
            shape, touched, self._touched = self._shape, self._touched, set()
        if shape != self._kept_at:
            items = list(self.lines.items())
            got = [self._built(case_id, line) for case_id, line in items]
            self._all = [s if s is not None else remake(case_id) for (case_id, _), s in zip(items, got, strict=True)]
            self._place = None
        elif touched:
            if self._place is None:  # the same cases in the same order as when ``_all`` was made
                self._place = {case_id: n for n, case_id in enumerate(self.lines)}
            for case_id in touched:
                line = self.lines.get(case_id)
                at = self._place.get(case_id)
                if line is None or at is None:  # dropped meanwhile: the shape has changed too
                    continue
                if at >= len(self._all) or self._all[at].id != case_id:  # moved by a drop meanwhile
                    self._kept_at = -1
                    return self.all_summaries(remake)
                summary = self._built(case_id, line)
                self._all[at] = summary if summary is not None else remake(case_id)
        self._kept_at = shape
        return list(self._all)

    # --- writing -------------------------------------------------------------------------------

    def put(self, summary: CaseSummary) -> bytes:
        line = encode(summary)
        self._set(summary.id, line)
        self.built[summary.id] = (line, summary)
        self.sizes[summary.id] = summary.file_size
        return line

    def put_line(self, line: bytes) -> None:
        """A line made by ``encode`` (in another process)."""
        got = _id_and_size(line)
        if got is not None and got[1] is not None:
            self._set(got[0], line)
            self.sizes[got[0]] = got[1]

    def drop(self, case_id: str) -> bytes:
        if self.lines.pop(case_id, None) is not None:
            self._reshaped()
        self.built.pop(case_id, None)
        self.sizes.pop(case_id, None)
        return gone_line(case_id)

    def append(self, lines: list[bytes]) -> None:
        """Append ``lines`` to the journal (call holding the store's lock). Not fsynced: the index is
        checked against the case files' sizes on open, so a lost line costs one case summed up again."""
        if not lines:
            return
        if self.found_snapshot and self.journal_lines + len(lines) > JOURNAL_HARD_LIMIT:
            self.write_snapshot()
            return
        if not self.read_journal():  # another ophamp folded the journal: start from its snapshot
            self.load()
        payload = b"".join(line + b"\n" for line in lines)
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, atomic.FILE_MODE)
        try:
            st = os.fstat(fd)
            if st.st_size and st.st_size != self._journal_at[1]:
                # A torn line left by a crash: start on a new line so ours reads whole.
                payload = b"\n" + payload
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self._journal_at = (st.st_ino, st.st_size + len(payload))
        self.journal_lines += len(lines)
        self.lines_written += len(lines)

    def write_snapshot(self) -> None:
        """Write every line into a new snapshot and start an empty journal (call holding the lock).
        A crash between the two leaves the old journal, whose lines are already in the snapshot:
        reading them again changes nothing."""
        header = json.dumps({"format": INDEX_FORMAT, "version": SUMMARY_VERSION, "row": list(ROW)}).encode()
        ids = list(self.lines)
        trailer = json.dumps({"ids": ids, "sizes": [self.sizes[i] for i in ids]}, ensure_ascii=False).encode()
        body = b"\n".join([header, *self.lines.values(), trailer]) + b"\n"
        atomic.atomic_write(self.snapshot, body, durable=False)
        atomic.atomic_write(self.journal, b"", durable=False)
        self.found_snapshot = True
        self._journal_at = (self._journal_id(), 0)
        self.journal_lines = 0
        self.lines_written += len(self.lines)

    def victim_keys(self) -> Iterator[tuple[str, str, str]]:
        """(case id, victim number, victim staff number) of every case, read from the start of each
        line without parsing the rest (both numbers are normalised: letters and digits only)."""
        for case_id, line in list(self.lines.items()):
            # ["<id>",<size>,"<number>","<staff no>",...: the id as it is in ``lines`` (its key), no escapes
            start = len(case_id) + 4
            if line[2 : start - 2] == case_id.encode("utf-8"):
                number_at = line.find(b',"', start) + 2
                number_end = line.find(b'"', number_at)
                staff_end = line.find(b'"', number_end + 3)
                if number_at > 1 and line[number_end : number_end + 3] == b'","' and staff_end > 0:
                    yield case_id, line[number_at:number_end].decode(), line[number_end + 3 : staff_end].decode()
                    continue
            summary = decode(line)
            if summary is not None:
                yield case_id, summary.victim_number, summary.victim_staff_no

    def as_dict(self) -> dict[str, Any]:
        """What is in the index, decoded (for tests and debugging)."""
        return {cid: decode(line) for cid, line in self.lines.items()}
