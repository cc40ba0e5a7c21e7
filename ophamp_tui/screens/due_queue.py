"""Due from me: every time limit on an open case where the current user is named, soonest first."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from ..data.checklist import step
from ..data.clock import fmt_by, fmt_deadline
from ..data.queues import DueItem, due_items
from ..data.summary import CaseSummary
from .queue_base import QueueScreen

EMPTY = (
    "Nothing is due from you.\n\n"
    "This lists every time limit on an open case where your collar or staff number is named in any "
    "role: supervisor, inspector, welfare officer, investigating officer, support officer or reviewer. "
    "Anything new appears here as soon as a colleague names you on a case.\n\n"
    "Escape goes back to the case list."
)

NO_USER = "Who is using ophamp is not set, so nothing can be matched to you. Press Escape, then u."


class DueQueueScreen(QueueScreen):
    # 16 + 31 + 15 + 7 = 69, +8 padding +2 scrollbar = 79: fits 80 columns. The case reference is in
    # the line under the table (the highlighted item in full).
    COLUMNS = (("Due", 16), ("What", 31), ("Victim", 15), ("", 7))
    EMPTY = EMPTY
    ANSWERS = True

    def _number(self) -> str:
        return self.app.user.number if self.app.user else ""

    def load_items(self, summaries: list[CaseSummary]) -> list[DueItem]:
        number = self._number()
        return due_items(summaries, number, self.app.clock()) if number else []

    def identity(self, item: DueItem) -> tuple:
        return (item.case_id, item.what, item.step)

    def step_of(self, item: DueItem) -> str:
        return item.step

    def cells(self, item: DueItem) -> list[Text]:
        return [
            Text(fmt_deadline(item.due_at, item.end_of_day, short=True), no_wrap=True, overflow="ellipsis"),
            Text(item.what, no_wrap=True, overflow="ellipsis"),
            Text(item.victim, no_wrap=True, overflow="ellipsis"),
            Text("OVERDUE", style="bold red") if item.overdue else Text(""),
        ]

    def heading(self) -> Content:
        title = Content.styled("Due from me", "bold")
        if not self._number():
            return Content.assemble(title, ": ", NO_USER)
        n = len(self.items)
        if not n:
            return Content.assemble(title, f" ({self.app.user.number if self.app.user else ''})")
        late = sum(i.overdue for i in self.items)
        cases = len({i.case_id for i in self.items})
        return Content.assemble(
            title,
            f": {n} time limit{'s' if n != 1 else ''} on {cases} case{'s' if cases != 1 else ''} where you are named",
            (f", {late} overdue" if late else "", "bold red"),
            ". Soonest first; Enter opens the step where it is dealt with.",
        )

    def detail(self, item: DueItem) -> Content:
        sdef = step(item.step)
        return Content.assemble(
            (item.case_id, "bold"),
            "  ",
            item.victim,
            f"  ·  Enter: step {sdef.number}, {sdef.title}\n",
            (item.what, "bold red" if item.overdue else "bold"),
            f", {'was ' if item.overdue else ''}due {fmt_by(item.due_at, item.end_of_day)}",
        )
