"""The overdue queue: every time limit that has passed on an open case, most overdue first."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from ..data.checklist import step
from ..data.clock import fmt_age, fmt_by, fmt_deadline
from ..data.queues import OverdueItem, overdue_items
from ..data.summary import CaseSummary
from .queue_base import QueueScreen

EMPTY = (
    "Nothing is overdue.\n\n"
    "Every time limit on the open cases is still running: welfare contact within 24 hours, "
    "referrals within 2 working days, telling the victim of arrest, bail, RUI or charge within "
    "5 working days (1 for enhanced rights). Anything that passes its time appears here at once.\n\n"
    "Escape goes back to the case list."
)


class OverdueScreen(QueueScreen):
    # 7 + 31 + 15 + 16 = 69, +8 padding +2 scrollbar = 79: fits 80 columns. The case reference
    # is in the line under the table (the highlighted item in full).
    COLUMNS = (("Overdue", 7), ("What", 31), ("Victim", 15), ("Was due", 16))
    EMPTY = EMPTY
    ANSWERS = True

    def load_items(self, summaries: list[CaseSummary]) -> list[OverdueItem]:
        items = overdue_items(summaries, self.app.clock())
        self.app.overdue = len(items)  # keep the header's count true while the queue is open
        return items

    def identity(self, item: OverdueItem) -> tuple:
        return (item.case_id, item.what, item.step)

    def step_of(self, item: OverdueItem) -> str:
        return item.step

    def cells(self, item: OverdueItem) -> list[Text]:
        return [
            Text(fmt_age(item.overdue_by), style="bold red", no_wrap=True, overflow="ellipsis"),
            Text(item.what, no_wrap=True, overflow="ellipsis"),
            Text(item.victim, no_wrap=True, overflow="ellipsis"),
            Text(fmt_deadline(item.due_at, item.end_of_day, short=True), no_wrap=True, overflow="ellipsis"),
        ]

    def heading(self) -> Content:
        n = len(self.items)
        if not n:
            return Content.styled("Overdue", "bold")
        cases = len({i.case_id for i in self.items})
        return Content.assemble(
            ("Overdue", "bold"),
            f": {n} time limit{'s' if n != 1 else ''} passed on {cases} open case{'s' if cases != 1 else ''}, "
            "most overdue first. Enter opens the step where it is dealt with.",
        )

    def detail(self, item: OverdueItem) -> Content:
        sdef = step(item.step)
        suspect = f"  ·  Suspect: {item.suspect}" if item.suspect else ""
        return Content.assemble(
            (item.case_id, "bold"),
            "  ",
            item.victim,
            f"  ·  Enter: step {sdef.number}, {sdef.title}\n",
            (item.what, "bold red"),
            f", was due {fmt_by(item.due_at, item.end_of_day)}{suspect}",
        )
