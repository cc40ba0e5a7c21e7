"""One change from the case history in full: every word of the old and the new value."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..data.history import HistoryRow


class HistoryChangeScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back", id="back", tooltip="Back to the history"),
        Binding("enter", "close", "Close", show=False, id="close", tooltip="Back to the history"),
    ]

    def __init__(self, row: HistoryRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(id="history-change", classes="dialog"):
            yield Label(Content(row.what), classes="dialog-title")
            yield Label(Content(f"{row.who}, {row.when}"), classes="hint")
            with VerticalScroll(id="history-change-body"):
                if row.kind == "set":
                    yield Label(Content("Before"), classes="section")
                    yield Static(Content(row.old_full), classes="history-value")
                    yield Label(Content("After"), classes="section")
                    yield Static(Content(row.new_full), classes="history-value")
                elif row.kind == "added":
                    yield Label(Content("Added"), classes="section")
                    yield Static(Content(row.new_full), classes="history-value")
                elif row.new_full:
                    yield Static(Content(row.new_full), classes="history-value")
            yield Label(
                Content("Esc to go back. The history cannot be changed."), id="history-change-foot", classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#history-change-body").focus()  # arrow keys scroll a long value

    def action_close(self) -> None:
        self.dismiss(None)
