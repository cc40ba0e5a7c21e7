"""What the work queues share: a title, a table of items, the highlighted item in full, Escape back.

Subclasses say how to read their items from the index summaries, how each is
shown, and which step Enter opens. Enter opens the case overview with that
step's form on top, so Escape goes step, then case, then back to the queue,
which is rebuilt from the store each time it is shown again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static

from ..data.store_api import CaseStore, StoreError
from ..data.summary import CaseSummary
from ..widgets.footer import QuietFooter
from .case import CaseScreen
from .step import StepScreen

if TYPE_CHECKING:
    from ..app import OpHampApp


def _ophamp_app() -> type[OpHampApp]:
    from ..app import OpHampApp  # noqa: PLC0415 - the app imports every screen: named here only for type checks

    return OpHampApp


class QueueScreen(Screen[None]):
    if TYPE_CHECKING:
        app = getters.app(_ophamp_app)
    BINDINGS = [
        Binding(
            "enter",
            "open_item",
            "Open",
            show=False,
            id="open-item",
            tooltip="Open the case at the step where this is dealt with",
        ),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the case list"),
    ]

    #: (heading, width) of each column, left to right. To fit 80 columns the widths, plus two
    #: cells of padding per column, plus two for the scrollbar, must come to 80 or less.
    COLUMNS: tuple[tuple[str, int], ...] = ()
    EMPTY = ""
    #: The queue gives away what is overdue: hidden in training's learner mode until revealed (Ctrl+O).
    ANSWERS = False
    HIDDEN = "Hidden in learner mode, so the class can work it out: Ctrl+O reveals it.\n\nEscape goes back."

    def __init__(self, store: CaseStore) -> None:
        super().__init__()
        self.store = store
        self.items: list[Any] = []

    # --- what a subclass provides ------------------------------------------------------------------

    def load_items(self, summaries: list[CaseSummary]) -> list[Any]:
        raise NotImplementedError

    def identity(self, item: Any) -> tuple:
        """What keeps the cursor on the same item when the queue is rebuilt."""
        raise NotImplementedError

    def cells(self, item: Any) -> list[Text]:
        raise NotImplementedError

    def heading(self) -> Content:
        raise NotImplementedError

    def detail(self, item: Any) -> Content:
        """The highlighted item in full, under the table."""
        raise NotImplementedError

    def step_of(self, item: Any) -> str:
        raise NotImplementedError

    # --- the screen --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="queue-title", classes="queue-title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True, classes="queue-table")
        yield Static(Content(self.EMPTY), id="queue-empty", classes="empty")
        yield Label("", id="queue-detail", classes="queue-detail")
        yield QuietFooter()

    def on_mount(self) -> None:
        table = self.query_one("#queue", DataTable)
        for n, (heading, width) in enumerate(self.COLUMNS):
            table.add_column(heading, width=width, key=f"c{n}")
        self.reload()

    def on_screen_resume(self) -> None:
        self.store.refresh()  # another ophamp may have dealt with something meanwhile
        self.reload()

    def reload(self) -> None:
        table = self.query_one("#queue", DataTable)
        was = self.identity(self.items[table.cursor_row]) if 0 <= table.cursor_row < len(self.items) else None
        row = table.cursor_row
        hidden = self.ANSWERS and self.app.hiding_answers
        self.items = [] if hidden else self.load_items(self.store.summaries())
        self.query_one("#queue-empty", Static).update(Content(self.HIDDEN if hidden else self.EMPTY))
        table.clear()
        for n, item in enumerate(self.items):
            table.add_row(*self.cells(item), key=str(n))
        keep = [n for n, item in enumerate(self.items) if self.identity(item) == was]
        if keep:
            row = keep[0]
        if self.items:
            table.move_cursor(row=min(max(row, 0), len(self.items) - 1))
        empty = not self.items
        table.display = not empty
        self.query_one("#queue-empty").display = empty
        self.query_one("#queue-detail").display = not empty
        self.query_one("#queue-title", Label).update(self.heading())
        if empty:
            self.set_focus(None)
        else:
            table.focus()
        self._show_detail()

    def answers_changed(self) -> None:
        """Training's learner mode switched, or its answers revealed."""
        if self.is_mounted:
            self.reload()

    @on(DataTable.RowHighlighted, "#queue")
    def _show_detail(self) -> None:
        row = self.query_one("#queue", DataTable).cursor_row
        item = self.items[row] if 0 <= row < len(self.items) else None
        self.query_one("#queue-detail", Label).update(self.detail(item) if item is not None else Content(""))

    @on(DataTable.RowSelected, "#queue")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open_item(self.items[int(str(event.row_key.value))])

    def action_open_item(self) -> None:
        row = self.query_one("#queue", DataTable).cursor_row
        if 0 <= row < len(self.items):
            self.open_item(self.items[row])

    def open_item(self, item: Any) -> None:
        """The case overview with the item's step on top of it."""

        case_id = item.case_id
        try:
            case_screen = CaseScreen(self.store, case_id)
            step_screen = StepScreen(self.store, case_id, self.step_of(item))
        except StoreError as exc:
            self.notify(str(exc), title="This case cannot be opened", severity="error", markup=False, timeout=20)
            self.store.refresh()
            self.reload()
            return
        self.app.push_screen(case_screen)
        self.app.push_screen(step_screen)

    def action_back(self) -> None:
        self.app.pop_screen()
