"""The case list as users need it: sorted by what needs attention, filtered as they type.

Works on the index summaries only, so the home screen never opens a case file.
"""

from __future__ import annotations

import heapq
import weakref
from bisect import bisect_left, insort
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress
from operator import is_not
from typing import Any

from . import choices as C
from .checklist import step
from .clock import as_utc
from .store_api import CaseStore
from .summary import CaseSummary
from .text import normalise_number, number_key, same_number, same_victim

STATE_WORDS = {"review": "Senior review", "complete": "Complete", "closed": "Closed early", "damaged": "Cannot open"}


@dataclass(frozen=True)
class Row:
    id: str
    victim: str
    victim_number: str
    occurred_at: datetime | None
    offence: str
    progress: str
    next_step: str
    overdue: int
    next_due: datetime | None
    repeat: bool
    hate: bool
    enhanced: bool
    state: str  # "open", "review", "complete", "closed", "damaged"
    damaged: str = ""
    fictional: bool = False
    people: tuple[str, ...] = ()
    #: What the filter looks in, lower case: worked out once per row, not on every keystroke.
    search: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        text = " ".join([self.id, self.victim, self.victim_number, self.offence, self.next_step, self.state])
        object.__setattr__(self, "search", text.lower())

    def search_text(self) -> str:
        return self.search


def repeat_ids(summaries: list[CaseSummary]) -> set[str]:
    """Cases whose victim already had an earlier case in the store."""
    by_key: dict[str, list[CaseSummary]] = defaultdict(list)
    for s in summaries:
        if s.victim_number and s.occurred_at is not None and not s.damaged:
            by_key[number_key(s.victim_number)].append(s)
    repeats: set[str] = set()
    for group in by_key.values():
        repeats |= _repeats_in(group)
    return repeats


def _repeats_in(group: list[CaseSummary]) -> set[str]:
    """The repeat victims among cases whose victim numbers share a ``number_key``."""
    group = [s for s in group if s.victim_number and s.occurred_at is not None and not s.damaged]
    if len(group) < 2:
        return set()
    return {
        s.id
        for s in group
        if any(
            o.occurred_at < s.occurred_at  # type: ignore[operator]
            and same_victim(o.victim_number, o.victim_staff_no, s.victim_number, s.victim_staff_no)
            for o in group
            if o is not s
        )
    }


def step_words(summary: CaseSummary) -> str:
    if summary.state == "open":
        return step(summary.next_step).brief if summary.next_step else "Complete"
    return STATE_WORDS[summary.state]


def row_of(s: CaseSummary, now: datetime, repeat: bool) -> Row:
    """The case list's row for one case, as it stands at ``now``."""
    if s.damaged:
        return Row(
            s.id,
            "(file damaged)",
            "",
            None,
            "",
            "",
            STATE_WORDS["damaged"],
            0,
            None,
            False,
            False,
            False,
            "damaged",
            damaged=s.damaged,
        )
    return Row(
        id=s.id,
        victim=s.victim_name,
        victim_number=s.victim_number,
        occurred_at=s.occurred_at,
        offence=C.OFFENCE_SHORT.get(s.offence, s.offence),
        progress=f"{s.done}/{s.total}",
        next_step=step_words(s),
        overdue=len(s.overdue(now)),
        next_due=min((d.due_at for d in s.dues), default=None) if s.is_open else None,
        repeat=repeat,
        hate=s.hate,
        enhanced=bool(s.enhanced),
        state=s.state,
        people=tuple(s.people),
        fictional=s.fictional,
    )


def rows(summaries: list[CaseSummary], now: datetime) -> list[Row]:
    now = as_utc(now)
    repeats = repeat_ids(summaries)
    return sorted((row_of(s, now, s.id in repeats) for s in summaries), key=_attention)


_FAR = datetime.max.replace(tzinfo=None)


def _attention(row: Row) -> tuple[Any, ...]:
    """Overdue first (most overdue first), then open by next due, then awaiting review, then finished."""
    bucket = {"damaged": 0, "open": 2, "review": 3, "complete": 4, "closed": 4}[row.state]
    if row.overdue:
        bucket = 1
    due = row.next_due.replace(tzinfo=None) if row.next_due else _FAR
    occurred = row.occurred_at.timestamp() if row.occurred_at else 0
    return (bucket, due if bucket < 4 else _FAR, -occurred)


def matches(row: Row, query: str) -> bool:
    words = query.lower().split()
    text = row.search
    return all(w in text for w in words)


def _changes_at(s: CaseSummary, now: datetime) -> datetime | None:
    """When the next time limit of an open case passes after ``now`` (its row then changes)."""
    if not s.is_open:
        return None
    return min((d.due_at for d in s.dues if d.due_at > now), default=None)


class VictimIndex:
    """The summaries by victim: which cases may share a victim, without going through every case.

    Keyed by ``number_key`` of the collar/staff number and by the warrant/staff number, which between
    them hold every case ``same_victim`` could match. ``sync`` takes in the summaries as they are now;
    when few have changed it costs little more than comparing two lists. Every change is written in
    ``changes`` (case ids, in order), so more than one reader can each catch up from where it was.
    """

    def __init__(self) -> None:
        self.summaries: dict[str, CaseSummary] = {}
        self._by_number: dict[str, set[str]] = defaultdict(set)
        self._by_staff: dict[str, set[str]] = defaultdict(set)
        self._keys: dict[str, tuple[str, str]] = {}  # case id -> (number key, staff number)
        self._last: list[CaseSummary] = []  # the summaries as last synced, in the order given
        #: The ids of the cases added, changed or gone, in the order it happened.
        self.changes: list[str] = []

    def sync(self, summaries: Iterable[CaseSummary]) -> list[str]:
        """Take in the summaries as they are now: the ids of the cases added, changed or gone."""
        summaries = summaries if isinstance(summaries, list) else list(summaries)
        known = self.summaries
        if len(summaries) == len(self._last):
            # Where the store gives the same summary objects in the same order, only the places that
            # differ can hold a change (compared in C: a few ms for 100,000 cases).
            maybe: Iterable[CaseSummary] = compress(summaries, map(is_not, summaries, self._last))
        else:
            maybe = summaries
        changed: list[str] = []
        for s in maybe:
            old = known.get(s.id)
            if old is s:
                continue
            if old is not None and old.rev == s.rev and old == s:
                known[s.id] = s  # the same, as a new object (a store that builds summaries afresh)
                continue
            self.put(s)
            changed.append(s.id)
        if len(summaries) != len(known):  # some cases are no longer in the store
            ids = {s.id for s in summaries}
            for gone in [case_id for case_id in known if case_id not in ids]:
                self.drop(gone)
                changed.append(gone)
        self._last = summaries
        self.changes.extend(changed)
        return changed

    def put(self, s: CaseSummary) -> None:
        self.drop(s.id)
        self.summaries[s.id] = s
        if s.damaged:
            return
        keys = (number_key(s.victim_number) if s.victim_number else "", normalise_number(s.victim_staff_no))
        self._keys[s.id] = keys
        if keys[0]:
            self._by_number[keys[0]].add(s.id)
        if keys[1]:
            self._by_staff[keys[1]].add(s.id)

    def drop(self, case_id: str) -> None:
        self.summaries.pop(case_id, None)
        number, staff = self._keys.pop(case_id, ("", ""))
        if number:
            self._by_number[number].discard(case_id)
        if staff:
            self._by_staff[staff].discard(case_id)

    def number_key(self, case_id: str) -> str:
        """The ``number_key`` the case is filed under ('' for none)."""
        return self._keys.get(case_id, ("", ""))[0]

    def group(self, key: str) -> list[CaseSummary]:
        """The cases whose victim number has this ``number_key``."""
        return [self.summaries[i] for i in self._by_number.get(key, ())]

    def groups(self) -> Iterable[list[CaseSummary]]:
        return (self.group(key) for key, ids in self._by_number.items() if len(ids) > 1)

    def candidates(self, number: str, staff_no: str = "") -> list[CaseSummary]:
        """Every case that may be this victim's (a superset: check with ``same_victim_as``)."""
        ids = set(self._by_number.get(number_key(number), ())) if normalise_number(number) else set()
        staff = normalise_number(staff_no)
        if staff:
            ids |= self._by_staff.get(staff, set())
        return [self.summaries[i] for i in ids]


_victim_indexes: weakref.WeakKeyDictionary[Any, VictimIndex] = weakref.WeakKeyDictionary()


def victim_index(store: CaseStore) -> VictimIndex:
    """The one index of ``store``'s summaries by victim, shared by the screens (sync it before use)."""
    try:
        return _victim_indexes.setdefault(store, VictimIndex())
    except TypeError:  # a store that cannot be weakly referenced: an index for this use only
        return VictimIndex()


def victim_summaries(store: CaseStore, number: str, staff_no: str = "") -> list[CaseSummary]:
    """The summaries in ``store`` that may be this victim's cases (as ``candidates``): the same answers as
    going through ``store.summaries()``, from the store's index brought up to date."""
    index = victim_index(store)
    index.sync(store.summaries())
    return index.candidates(number, staff_no)


class CaseList:
    """The case list's rows, kept in step with the store case by case.

    Built once from every summary; after that ``sync`` takes in the summaries as they are now and
    remakes only the rows of cases that changed, whose repeat-victim flag changed, or whose time
    limit has passed since. ``find`` filters, narrowing an earlier result when it can. The totals
    (``overdue`` items, ``late`` cases) are kept as rows change, never recounted.
    """

    _REMEMBER = 32  # filter results kept, so typing on and deleting back are both quick

    def __init__(self, summaries: Iterable[CaseSummary], now: datetime, victims: VictimIndex | None = None) -> None:
        """``victims``: an index to share (``victim_index(store)``), brought up to date here."""
        self.version = 0  # goes up whenever a row changes
        self._build(summaries, now, victims)

    def _build(self, summaries: Iterable[CaseSummary], now: datetime, victims: VictimIndex | None = None) -> None:
        self.now = as_utc(now)
        self.victims = victims if victims is not None else VictimIndex()
        self.victims.sync(summaries)
        self._seen = len(self.victims.changes)  # how far through the index's changes this list is
        self._repeat: set[str] = set()
        for group in self.victims.groups():
            self._repeat |= _repeats_in(group)
        self._rows: dict[str, Row] = {}
        self._key_of: dict[str, str] = {}  # case id -> the number key its row was made under
        # Ties in ``_attention`` keep the order of the summaries, as ``rows`` does: each case's place.
        self._seq = {case_id: n for n, case_id in enumerate(self.victims.summaries)}
        self._next_seq = len(self._seq)
        self._wakes: list[tuple[datetime, str]] = []
        self._wake_of: dict[str, datetime] = {}
        self.overdue = 0  # overdue time limits across every case
        self.late = 0  # cases with something overdue
        self._named: dict[str, set[str]] | None = None  # number key -> cases naming it (made when asked)
        for s in self.victims.summaries.values():
            self._add(s)
        self._order = sorted(self._rows.values(), key=self._sort_key)
        self._found: OrderedDict[tuple[str, ...], list[Row]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def all(self) -> list[Row]:
        """Every row, in the order of the list (do not change it)."""
        return self._order

    def row(self, case_id: str) -> Row | None:
        return self._rows.get(case_id)

    def naming(self, number: str) -> list[Row]:
        """The rows of the cases where ``number`` is named in any role (``same_number``), in list order.
        Looked up by number, not by going through every row (the lookup is made on first use)."""
        if self._named is None:
            self._named = defaultdict(set)
            for row in self._rows.values():
                for person in row.people:
                    self._named[number_key(person)].add(row.id)
        found = [self._rows[i] for i in self._named.get(number_key(number), ())]
        found = [r for r in found if any(same_number(number, person) for person in r.people)]
        return sorted(found, key=self._sort_key)

    def summary(self, case_id: str) -> CaseSummary | None:
        return self.victims.summaries.get(case_id)

    def _sort_key(self, row: Row) -> tuple[Any, ...]:
        return (*_attention(row), self._seq[row.id])

    def _add(self, s: CaseSummary) -> Row:
        row = row_of(s, self.now, s.id in self._repeat)
        self._rows[s.id] = row
        self._key_of[s.id] = self.victims.number_key(s.id)
        if self._named is not None:
            for number in row.people:
                self._named.setdefault(number_key(number), set()).add(s.id)
        self.overdue += row.overdue
        self.late += bool(row.overdue)
        at = _changes_at(s, self.now)
        if at is not None:
            self._wake_of[s.id] = at
            heapq.heappush(self._wakes, (at, s.id))
        return row

    def _remove(self, case_id: str) -> Row | None:
        row = self._rows.pop(case_id, None)
        self._key_of.pop(case_id, None)
        if row is None:
            return None
        if self._named is not None:
            for number in row.people:
                self._named.get(number_key(number), set()).discard(case_id)
        self.overdue -= row.overdue
        self.late -= bool(row.overdue)
        self._wake_of.pop(case_id, None)
        key = self._sort_key(row)
        i = bisect_left(self._order, key, key=self._sort_key)
        if i < len(self._order) and self._order[i] is row:
            del self._order[i]
        else:  # not where it should be: never expected, but the list must stay right
            self._order.remove(row)
        return row

    def sync(self, summaries: Iterable[CaseSummary], now: datetime) -> set[str] | None:
        """Take in the summaries as they are now, at ``now``: the ids of the rows that changed (added,
        changed or gone), or None if every row was remade (the clock went back)."""
        now = as_utc(now)
        if now < self.now:
            self._build(summaries, now, self.victims)
            self.version += 1
            return None
        self.now = now
        self.victims.sync(summaries)
        redo = dict.fromkeys(self.victims.changes[self._seen :])  # in the order they changed
        self._seen = len(self.victims.changes)
        while self._wakes and self._wakes[0][0] <= now:  # a time limit passed: that row shows it
            at, case_id = heapq.heappop(self._wakes)
            if self._wake_of.get(case_id) == at:
                redo[case_id] = None
        touched = {self._key_of.get(case_id, "") for case_id in redo}  # where each was
        touched |= {self.victims.number_key(case_id) for case_id in redo}  # and where it is now
        touched.discard("")
        for key in touched:
            members = self.victims.group(key)
            now_repeat = _repeats_in(members)
            for s in members:
                if (s.id in now_repeat) != (s.id in self._repeat):
                    redo[s.id] = None
                    if s.id in now_repeat:
                        self._repeat.add(s.id)
                    else:
                        self._repeat.discard(s.id)
        changed: set[str] = set()
        for case_id in redo:
            old = self._remove(case_id)
            summary = self.victims.summaries.get(case_id)
            new = None
            if summary is not None:
                if case_id not in self._seq:
                    self._seq[case_id] = self._next_seq
                    self._next_seq += 1
                new = self._add(summary)
                insort(self._order, new, key=self._sort_key)
            else:
                self._repeat.discard(case_id)
                self._seq.pop(case_id, None)
            if old != new:
                changed.add(case_id)
        if changed:
            self.version += 1
            self._found.clear()
        return changed

    def find(self, query: str) -> list[Row]:
        """The rows whose search text holds every word of ``query``, in list order (do not change it)."""
        words = tuple(sorted(set(query.lower().split())))
        if not words:
            return self._order
        found = self._found.get(words)
        if found is not None:
            self._found.move_to_end(words)
            return found
        base = self._order
        for before, rows_before in self._found.items():  # a result this one can only narrow
            if len(rows_before) < len(base) and all(any(b in w for w in words) for b in before):
                base = rows_before
        if len(words) == 1:
            word = words[0]
            found = [r for r in base if word in r.search]
        else:
            found = [r for r in base if all(w in r.search for w in words)]
        self._found[words] = found
        if len(self._found) > self._REMEMBER:
            self._found.popitem(last=False)
        return found
