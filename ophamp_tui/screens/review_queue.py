"""The senior-manager review queue: cases with steps 1-9 finished, oldest incident first."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from ..data.checklist import step
from ..data.clock import fmt_local, fmt_local_date
from ..data.queues import ReviewItem, review_items
from ..data.summary import CaseSummary
from .queue_base import QueueScreen

REVIEW_STEP = "senior_review"

EMPTY = (
    "No cases are waiting for senior review.\n\n"
    "A case appears here once steps 1 to 9 are done or marked not applicable. Every assault on a "
    "colleague is reviewed by a local senior manager, to check the process was followed and the "
    "victim got the support and contact they deserve.\n\n"
    "Escape goes back to the case list."
)


class ReviewQueueScreen(QueueScreen):
    # 17 + 19 + 10 + 5 + 15 = 66, +10 padding +2 scrollbar = 78: fits 80 columns. How long ago the
    # incident was is in the line under the table (the highlighted case in full).
    COLUMNS = (("Victim", 17), ("Offence", 19), ("Incident", 10), ("Done", 5), ("Case", 15))
    EMPTY = EMPTY

    def load_items(self, summaries: list[CaseSummary]) -> list[ReviewItem]:
        return review_items(summaries, self.app.clock())

    def identity(self, item: ReviewItem) -> tuple:
        return (item.case_id,)

    def step_of(self, item: ReviewItem) -> str:
        return REVIEW_STEP

    def cells(self, item: ReviewItem) -> list[Text]:
        return [
            Text(item.victim, no_wrap=True, overflow="ellipsis"),
            Text(item.offence, no_wrap=True, overflow="ellipsis"),
            Text(fmt_local_date(item.occurred_at)),
            Text(item.progress),
            Text(item.case_id, no_wrap=True, overflow="ellipsis"),
        ]

    def heading(self) -> Content:
        n = len(self.items)
        if not n:
            return Content.styled("Awaiting senior review", "bold")
        return Content.assemble(
            ("Awaiting senior review", "bold"),
            f": {n} case{'s' if n != 1 else ''} with steps 1-9 finished, oldest incident first. "
            "Enter opens the review (step 10).",
        )

    def detail(self, item: ReviewItem) -> Content:
        sdef = step(REVIEW_STEP)
        when = fmt_local(item.occurred_at, with_day=True) if item.occurred_at else "date unknown"
        days = item.waiting.days
        return Content.assemble(
            (item.case_id, "bold"),
            "  ",
            item.victim,
            f"  ·  Enter: step {sdef.number}, {sdef.title}\n",
            item.offence,
            f", incident {when} ({days} day{'s' if days != 1 else ''} ago)",
            f"  ·  Suspect: {item.suspect}" if item.suspect else "",
        )
