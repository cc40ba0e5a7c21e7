"""Add an entry to one of a case's dated logs (or complete a referral): a small form in a dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from ..data.checklist import LogDef
from ..data.models import Case
from ..data.validation import parse_field, parse_form
from ..widgets.fields import FieldRow, show_problems
from ..widgets.focus_styles import LocalFocusStyles

if TYPE_CHECKING:
    from ..app import OpHampApp


def _ophamp_app() -> type[OpHampApp]:
    from ..app import OpHampApp  # noqa: PLC0415 - the app imports every screen: named here only for type checks

    return OpHampApp


class LogEntryScreen(LocalFocusStyles, ModalScreen[dict[str, Any] | None]):
    """Returns the parsed values of the form, or None if cancelled."""

    if TYPE_CHECKING:
        app = getters.app(_ophamp_app)

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
        with Vertical(classes="dialog log-dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                for fdef in self.logdef.fields:
                    yield FieldRow(fdef, self.values.get(fdef.key))
            # Outside the scrolling part: the buttons are always in view.
            with Horizontal(classes="buttons"):
                yield Button("Save (Ctrl+S)", variant="primary", id="log-save", compact=True)
                yield Button("Cancel (Esc)", id="log-cancel", compact=True)

    def on_mount(self) -> None:
        self._visibility()
        self.query(FieldRow).first().control.focus()

    def _raws(self) -> dict[str, Any]:
        return {row.fdef.key: row.raw() for row in self.query(FieldRow)}

    def _visibility(self) -> None:
        raws = self._raws()
        for row in self.query(FieldRow):
            row.display = row.fdef.is_shown(raws)

    def unsaved(self) -> list[str]:
        """For quitting: an entry is saved only with Save (Escape drops it, as quitting does)."""
        typed = any(
            row.raw() not in (None, "", [], False) for row in self.query(FieldRow) if row.fdef.key not in self.values
        )
        return [f"the {self.logdef.entry_name.lower()} you were writing"] if typed else []

    @on(FieldRow.Edited)
    def _check(self, event: FieldRow.Edited) -> None:
        self._visibility()
        values, _ = parse_form(self.logdef.fields, self._raws(), self.case, self.app.clock(), purpose="to save it")
        _, problem = parse_field(event.row.fdef, event.row.raw(), self.case, self.app.clock(), others=values)
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
