"""The case list as users need it: sorted by what needs attention, filtered as they type.

Works on the index summaries only, so the home screen never opens a case file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import choices as C
from .checklist import step
from .clock import as_utc
from .summary import CaseSummary
from .text import number_key, same_victim

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

    def search_text(self) -> str:
        return " ".join([self.id, self.victim, self.victim_number, self.offence, self.next_step, self.state]).lower()


def repeat_ids(summaries: list[CaseSummary]) -> set[str]:
    """Cases whose victim already had an earlier case in the store."""
    by_key: dict[str, list[CaseSummary]] = defaultdict(list)
    for s in summaries:
        if s.victim_number and s.occurred_at is not None and not s.damaged:
            by_key[number_key(s.victim_number)].append(s)
    repeats: set[str] = set()
    for group in by_key.values():
        if len(group) < 2:
            continue
        for s in group:
            if any(
                o.occurred_at < s.occurred_at  # type: ignore[operator]
                and same_victim(
                    o.victim_number,
                    o.victim_staff_no,
                    s.victim_number,
                    s.victim_staff_no,
                )
                for o in group
                if o is not s
            ):
                repeats.add(s.id)
    return repeats


def step_words(summary: CaseSummary) -> str:
    if summary.state == "open":
        return step(summary.next_step).brief if summary.next_step else "Complete"
    return STATE_WORDS[summary.state]


def rows(summaries: list[CaseSummary], now: datetime) -> list[Row]:
    now = as_utc(now)
    repeats = repeat_ids(summaries)
    out: list[Row] = []
    for s in summaries:
        if s.damaged:
            out.append(
                Row(
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
            )
            continue
        out.append(
            Row(
                id=s.id,
                victim=s.victim_name,
                victim_number=s.victim_number,
                occurred_at=s.occurred_at,
                offence=C.OFFENCE_SHORT.get(s.offence, s.offence),
                progress=f"{s.done}/{s.total}",
                next_step=step_words(s),
                overdue=len(s.overdue(now)),
                next_due=min((d.due_at for d in s.dues), default=None) if s.is_open else None,
                repeat=s.id in repeats,
                hate=s.hate,
                enhanced=bool(s.enhanced),
                state=s.state,
                people=tuple(s.people),
                fictional=s.fictional,
            )
        )
    return sorted(out, key=_attention)


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
    text = row.search_text()
    return all(w in text for w in words)
