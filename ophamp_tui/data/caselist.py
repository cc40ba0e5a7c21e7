"""The case list as users need it: sorted by what needs attention, filtered as they type.

Works on the index summaries only, so the home screen never opens a case file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from . import choices as C
from .clock import as_utc, from_iso
from .rules import step_title


@dataclass(frozen=True)
class Row:
    id: str
    victim: str
    occurred_at: datetime | None
    offence: str
    progress: str
    next_step: str
    overdue: int
    next_due: datetime | None
    repeat: bool
    hate: bool
    state: str  # "open", "review", "complete", "closed", "damaged"
    damaged: str = ""
    people: tuple[str, ...] = ()

    def search_text(self) -> str:
        return " ".join([self.id, self.victim, self.offence, self.next_step, self.state]).lower()


def repeat_ids(summaries: list[dict]) -> set[str]:
    """Cases whose victim already had an earlier case in the store."""
    by_victim: dict[str, list[dict]] = defaultdict(list)
    for s in summaries:
        if s.get("victim_number"):
            by_victim[s["victim_number"]].append(s)
    repeats: set[str] = set()
    for cases in by_victim.values():
        if len(cases) > 1:
            first = min(c.get("occurred_at", "") for c in cases)
            repeats.update(c["id"] for c in cases if c.get("occurred_at", "") > first)
    return repeats


def rows(summaries: list[dict], now: datetime) -> list[Row]:
    now = as_utc(now)
    repeats = repeat_ids(summaries)
    out: list[Row] = []
    for s in summaries:
        if s.get("damaged"):
            out.append(Row(s["id"], "(file damaged)", None, "", "", "Cannot open", 0, None, False, False, "damaged",
                           damaged=s["damaged"]))
            continue
        dues = [(what, from_iso(at)) for what, at, _step in s.get("dues", [])]
        late = [at for _, at in dues if at and at <= now]
        state = "closed" if s.get("closed") else "complete" if s.get("complete") else (
            "review" if s.get("awaiting_review") else "open")
        out.append(Row(
            id=s["id"],
            victim=s.get("victim_name", ""),
            occurred_at=from_iso(s.get("occurred_at")),
            offence=C.OFFENCE_SHORT.get(s.get("offence", ""), s.get("offence", "")),
            progress=f"{s.get('done', 0)}/{s.get('total', 10)}",
            next_step=step_title(s.get("next_step", "")) if state == "open" else
            {"review": "Senior review", "complete": "Complete", "closed": "Closed early"}[state],
            overdue=len(late),
            next_due=min((at for _, at in dues if at), default=None),
            repeat=s["id"] in repeats,
            hate=bool(s.get("hate")),
            state=state,
            people=tuple(s.get("people", ())),
        ))
    return sorted(out, key=_attention)


_FAR = datetime.max.replace(tzinfo=None)


def _attention(row: Row) -> tuple:
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
