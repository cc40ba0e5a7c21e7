"""Add an entry to one of a case's dated logs (or complete a referral): a small form in a dialog."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from ..data.checklist import LogDef
from ..data.models import Case
from ..data.rules import parse_form
from ..widgets.fields import FieldRow, show_problems


class LogEntryScreen(ModalScreen[dict[str, Any] | None]):
    """Returns the parsed values of the form, or None if cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save entry", id="save-entry", tooltip="Save this entry"),
        Binding("escape", "cancel", "Back", id="back", tooltip="Back without saving this entry"),
    ]

    def __init__(self, logdef: LogDef, case: Case, values: dict[str, Any] | None = None, *, title: str = "") -> None:
        super().__init__()
        self.logdef = logdef
        self.case = case
        self.values = values or {}
        self.title_text = title or logdef.add_label

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog log-dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            for fdef in self.logdef.fields:
                yield FieldRow(fdef, self.values.get(fdef.key))
            with Horizontal(classes="buttons"):
                yield Button("Save (Ctrl+S)", variant="primary", id="log-save")
                yield Button("Cancel", id="log-cancel")

    def on_mount(self) -> None:
        self.query(FieldRow).first().control.focus()

    @on(FieldRow.Edited)
    def _check(self, event: FieldRow.Edited) -> None:
        from ..data.rules import parse_field

        _, problem = parse_field(event.row.fdef, event.row.raw(), self.case, self.app.clock())
        event.row.show_error(problem)

    @on(Button.Pressed, "#log-save")
    def action_save(self) -> None:
        rows = {row.fdef.key: row for row in self.query(FieldRow)}
        raws = {key: row.raw() for key, row in rows.items()}
        values, problems = parse_form(self.logdef.fields, raws, self.case, self.app.clock(), purpose="to save it")
        if show_problems(rows, problems):
            return
        self.dismiss(values)

    @on(Button.Pressed, "#log-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
