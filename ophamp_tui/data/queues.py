"""The work queues: what is overdue across every open case, and what awaits senior review.

Built from the index summaries only (see ``rules.summarise``), so a queue never
opens a case file. A summary's ``dues`` hold absolute times, so whether each is
overdue is decided here against ``now``, not when the summary was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from . import choices as C
from .clock import as_utc, from_iso


@dataclass(frozen=True)
class OverdueItem:
    case_id: str
    victim: str
    what: str
    due_at: datetime  # UTC
    step: str  # the checklist step where it is dealt with
    overdue_by: timedelta


@dataclass(frozen=True)
class ReviewItem:
    case_id: str
    victim: str
    offence: str  # the short label, e.g. "ABH s47"
    occurred_at: datetime | None  # UTC
    done: int
    total: int
    waiting: timedelta  # since the incident: the summary holds nothing closer to "ready for review"

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total}"


def _open(summary: dict) -> bool:
    return not (summary.get("damaged") or summary.get("closed") or summary.get("complete"))


def _when(value: object) -> datetime | None:
    """A stored time, or None if it is missing or unreadable (the index is only a cache)."""
    if not isinstance(value, str):
        return None
    try:
        return from_iso(value)
    except ValueError:
        return None


def overdue_items(summaries: list[dict], now: datetime) -> list[OverdueItem]:
    """Every time limit that has passed on an open case, most overdue first."""
    now = as_utc(now)
    items: list[OverdueItem] = []
    for s in summaries:
        if not _open(s):
            continue
        for due in s.get("dues") or ():
            try:
                what, at, step = due
            except (TypeError, ValueError):
                continue
            due_at = _when(at)
            if due_at is None or now < due_at:  # the same test as rules.Due.overdue
                continue
            items.append(OverdueItem(
                case_id=s["id"], victim=s.get("victim_name", ""), what=str(what), due_at=due_at,
                step=str(step), overdue_by=now - due_at,
            ))
    return sorted(items, key=lambda i: (i.due_at, i.case_id, i.what))


def overdue_count(summaries: list[dict], now: datetime) -> int:
    return len(overdue_items(summaries, now))


def review_items(summaries: list[dict], now: datetime) -> list[ReviewItem]:
    """Cases with steps 1-9 finished, waiting for a senior manager: longest waiting first."""
    now = as_utc(now)
    items: list[ReviewItem] = []
    for s in summaries:
        if not _open(s) or not s.get("awaiting_review"):
            continue
        occurred = _when(s.get("occurred_at"))
        offence = s.get("offence", "")
        items.append(ReviewItem(
            case_id=s["id"], victim=s.get("victim_name", ""), offence=C.OFFENCE_SHORT.get(offence, offence),
            occurred_at=occurred, done=int(s.get("done", 0)), total=int(s.get("total", 10)),
            waiting=now - occurred if occurred else timedelta(0),
        ))
    return sorted(items, key=lambda i: (-i.waiting, i.case_id))
