"""A yes/no question in a dialog: ``ConfirmScreen(question) -> True, False, or None for Escape``."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmScreen(ModalScreen[bool | None]):
    BINDINGS = [Binding("escape", "escape", "Back", id="back", tooltip="Go back without choosing")]

    def __init__(
        self, question: str, *, yes: str = "Yes", no: str = "No", default_yes: bool = False, detail: str = ""
    ) -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no
        self.default_yes = default_yes
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.question), classes="dialog-title")
            if self.detail:
                yield Label(Content(self.detail), classes="hint")
            with Horizontal(classes="buttons"):
                if self.default_yes:
                    yield Button(f"{self.yes} (Enter)", variant="primary", id="confirm-yes", compact=True)
                    yield Button(self.no, id="confirm-no", compact=True)
                else:
                    yield Button(f"{self.no} (Enter)", variant="primary", id="confirm-no", compact=True)
                    yield Button(self.yes, variant="error", id="confirm-yes", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-yes" if self.default_yes else "#confirm-no", Button).focus()

    def action_escape(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#confirm-yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        self.dismiss(False)
