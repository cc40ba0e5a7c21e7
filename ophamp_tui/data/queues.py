"""The work queues: what is overdue across every open case, and what awaits senior review.

Built from the index summaries only (see ``summary.summarise``), so a queue never opens a case
file. A summary's dues hold absolute times, so whether each is overdue is decided here against
``now``, not when the summary was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from . import choices as C
from .clock import as_utc, fmt_duration
from .summary import CaseSummary


def suspect_age(summary: CaseSummary, now: datetime) -> str:
    """``RUI 56d 3h`` or ``Bail 12d 1h``: how long the suspect has been on RUI or pre-charge bail."""
    if summary.suspect_since is None:
        return ""
    if summary.suspect_status == "rui":
        word = "RUI"
    elif summary.suspect_status in C.BAIL_STATUSES:
        word = "Bail"
    else:
        return ""
    return f"{word} {fmt_duration(as_utc(now) - summary.suspect_since)}"


@dataclass(frozen=True)
class OverdueItem:
    case_id: str
    victim: str
    what: str
    due_at: datetime  # UTC
    end_of_day: bool  # a limit counted in days (shown "by the end of ...")
    step: str  # the checklist step where it is dealt with
    overdue_by: timedelta
    suspect: str = ""  # e.g. "RUI 56d 3h"


@dataclass(frozen=True)
class ReviewItem:
    case_id: str
    victim: str
    offence: str  # the short label, e.g. "ABH s47"
    occurred_at: datetime | None  # UTC
    done: int
    total: int
    waiting: timedelta  # since the incident: the summary holds nothing closer to "ready for review"
    suspect: str = ""

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total}"


def overdue_items(summaries: list[CaseSummary], now: datetime) -> list[OverdueItem]:
    """Every time limit that has passed on an open case, most overdue first."""
    now = as_utc(now)
    items = [
        OverdueItem(
            case_id=s.id,
            victim=s.victim_name,
            what=d.what,
            due_at=d.due_at,
            end_of_day=d.end_of_day,
            step=d.step,
            overdue_by=now - d.due_at,
            suspect=suspect_age(s, now),
        )
        for s in summaries
        for d in s.overdue(now)
    ]
    return sorted(items, key=lambda i: (i.due_at, i.case_id, i.what))


def overdue_count(summaries: list[CaseSummary], now: datetime) -> int:
    return sum(len(s.overdue(now)) for s in summaries)


def review_items(summaries: list[CaseSummary], now: datetime) -> list[ReviewItem]:
    """Cases with steps 1-9 finished, waiting for a senior manager: longest waiting first."""
    now = as_utc(now)
    items = [
        ReviewItem(
            case_id=s.id,
            victim=s.victim_name,
            offence=C.OFFENCE_SHORT.get(s.offence, s.offence),
            occurred_at=s.occurred_at,
            done=s.done,
            total=s.total,
            waiting=now - s.occurred_at if s.occurred_at else timedelta(0),
            suspect=suspect_age(s, now),
        )
        for s in summaries
        if s.state == "review"
    ]
    return sorted(items, key=lambda i: (-i.waiting, i.case_id))
