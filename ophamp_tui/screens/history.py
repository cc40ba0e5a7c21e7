"""The case history: every change to the case, who made it and when, old and new. Read-only."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ..data.history import HistoryRow, history_rows, shorten
from ..data.store_api import CaseStore, StoreError
from ..widgets.footer import QuietFooter
from .history_change import HistoryChangeScreen

WHEN_WIDTH = 16  # "23/11/2026 14:05"


def column_widths(width: int) -> tuple[int, int, int, int]:
    """When, Who, What, Old → New for a screen ``width`` wide (a cell of padding each side, a scrollbar)."""
    room = max(width - 2 - 8, 40)
    who = 13 if room < 90 else 20
    rest = room - WHEN_WIDTH - who
    what = max(rest * 40 // 100, 12)
    return WHEN_WIDTH, who, what, max(rest - what, 12)


def change_text(row: HistoryRow, width: int | None = None) -> Text:
    """``old → new``, ``+ what was added``, or a note on the case being created.

    Given a ``width`` it will be shown in, a long old value gives way so the new one is seen.
    """
    if row.kind == "added":
        return Text.assemble(("+ ", "bold"), row.new)
    if row.kind == "created":
        return Text(row.new)
    old = row.old
    if width is not None:
        room = max(width - 3 - len(row.new), (width - 3) // 2)
        old = shorten(old, max(room, 2))
    return Text.assemble(old, (" → ", "bold"), row.new)


class HistoryScreen(Screen[None]):
    """Shows ``case.history`` newest first. It never writes: the history is only ever added to."""

    AUTO_FOCUS = "#history-table"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to the case overview"),
        Binding("f", "full", "Full change", id="full-change", tooltip="The highlighted change in full (also Enter)"),
    ]

    def __init__(self, store: CaseStore, case_id: str) -> None:
        super().__init__()
        self.store = store
        self.case_id = case_id
        self.rows: list[HistoryRow] = []
        self._widths: tuple[int, int, int, int] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="history-title")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-detail")
        yield QuietFooter()

    def on_mount(self) -> None:
        title = self.query_one("#history-title", Static)
        try:
            case = self.store.load(self.case_id)
        except StoreError as exc:
            title.update(Content.from_markup("[b]$ref[/b]  history not available", ref=self.case_id))
            self.notify(str(exc), title="Cannot show the history", severity="error", markup=False, timeout=20)
            return
        self.rows = history_rows(case)
        count = f"{len(self.rows)} change{'s' if len(self.rows) != 1 else ''}, newest first"
        title.update(
            Content.from_markup(
                "[b]$ref[/b]  $name  [dim]$count[/dim]", ref=case.id, name=case.victim.name, count=count
            )
        )
        if not self.rows:
            self.query_one("#history-detail", Static).update(Content("No changes have been recorded for this case."))
        self._fill()

    @on(Resize)
    def _resized(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """(Re)build the table with columns that fit the screen; only when the widths change."""
        widths = column_widths(self.size.width)
        if widths == self._widths or not self.rows:
            return
        self._widths = widths
        table = self.query_one("#history-table", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for label, key, width in zip(
            ("When", "Who", "What", "Old → New"), ("when", "who", "what", "change"), widths, strict=False
        ):
            table.add_column(label, width=width, key=key)
        for index, row in enumerate(self.rows):
            table.add_row(
                Text(row.when),
                Text(row.who if widths[1] >= len(row.who) else row.by_name, no_wrap=True, overflow="ellipsis"),
                Text(row.brief, no_wrap=True, overflow="ellipsis"),
                self._cell(row, widths[3]),
                key=str(index),
            )
        table.move_cursor(row=cursor)
        self._show_detail(table.cursor_row)

    @staticmethod
    def _cell(row: HistoryRow, width: int) -> Text:
        text = change_text(row, width)
        text.no_wrap, text.overflow = True, "ellipsis"
        return text

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, index: int) -> None:
        """Under the table: the highlighted change with its full label and both values."""
        if not 0 <= index < len(self.rows):
            return
        row = self.rows[index]
        text = Text.assemble((row.what, "bold"), (f"  {row.who}, {row.when}", "dim"), "\n", change_text(row))
        self.query_one("#history-detail", Static).update(text)

    @on(DataTable.RowSelected, "#history-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.cursor_row)

    def action_full(self) -> None:
        self._open(self.query_one("#history-table", DataTable).cursor_row)

    def _open(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.app.push_screen(HistoryChangeScreen(self.rows[index]))

    def action_back(self) -> None:
        self.app.pop_screen()
