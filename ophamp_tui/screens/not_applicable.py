"""Marking a step not applicable needs a reason."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ..widgets.safe_input import SafeInput
from ..data.text import clean_text


class NotApplicableScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Back", id="back", tooltip="Back without changing the step")]

    def __init__(self, step_title: str, reason: str = "") -> None:
        super().__init__()
        self.step_title = step_title
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.from_markup("Why is '$title' not applicable?", title=self.step_title),
                        classes="dialog-title")
            yield SafeInput(self.reason, placeholder="e.g. victim back on duty, no duties to hand over", id="na-reason")
            yield Label("", id="na-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Mark not applicable", variant="primary", id="na-save")
                yield Button("Cancel", id="na-cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#na-save")
    def _save(self) -> None:
        reason = clean_text(self.query_one(Input).value, max_len=500)
        if len(reason) < 3:
            self.query_one("#na-error", Label).update(Content("Give a reason: a reviewer will read it."))
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#na-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
